from django.db import models

from portal.accounts.models import Customer
from portal.core.jobs import DurableJob


class ProvisioningJob(DurableJob):
    """One approved Salesforce order being set up in billing (WHMCS) and on the SIM platform
    (Freebit), followed step by step (see ``services`` and docs/provisioning.md).

    ``idempotency_key`` is the event's key (the checkout's request id, or the order id): a job is
    never created twice for it, nor twice for one Platform Event (``salesforce_event_id``). Every
    result a step produces is recorded as soon as it exists, so a re-run skips what is done.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"  # waiting for a worker (the first run, or a retry after a failure)
        RUNNING = "running", "Running"  # a worker holds the lease
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"  # given up: see error_code, customer_message and last_error

    class Step(models.TextChoices):
        """How far the job got, in order; each is recorded when it is done."""

        NONE = "", "Not started"
        CHECKED = "checked", "Order approved (checked)"
        READ = "read", "Order items read"
        MAPPED = "mapped", "Items mapped to billing products"
        WHMCS_ORDERED = "whmcs_ordered", "WHMCS order placed"
        WHMCS_ACCEPTED = "whmcs_accepted", "WHMCS order accepted"
        SIMS_ACTIVATED = "sims_activated", "SIMs activated"
        WRITTEN_BACK = "written_back", "Salesforce order updated"

    STEP_ORDER = [step.value for step in Step]

    idempotency_key = models.CharField(max_length=255, unique=True)
    salesforce_order_id = models.CharField("Salesforce order id", max_length=18, db_index=True)
    salesforce_event_id = models.CharField("Salesforce event id", max_length=255, unique=True, null=True,
                                           blank=True, help_text="The Platform Event that asked for it.")
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="provisioning_jobs", help_text="Found from the order's Account.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    step = models.CharField("step reached", max_length=32, choices=Step.choices, default=Step.NONE, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    lines = models.JSONField(default=list, blank=True,
                             help_text="The billing lines mapped from the order: one per unit ordered.")
    whmcs_order_requested_at = models.DateTimeField(
        "WHMCS AddOrder sent at", null=True, blank=True,
        help_text="Set just before AddOrder is sent: with no order id recorded, the order is looked up.")
    whmcs_order_id = models.PositiveIntegerField("WHMCS order id", null=True, blank=True, db_index=True)
    whmcs_service_ids = models.JSONField("WHMCS service ids", default=list, blank=True)
    activated_sims = models.JSONField("activated SIMs", default=list, blank=True,
                                      help_text="ICCID, number and WHMCS service of each SIM activated.")
    error_code = models.CharField(max_length=40, blank=True, db_index=True)
    customer_message = models.CharField("customer-safe message", max_length=255, blank=True)
    last_error = models.TextField("last error (internal)", blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    retry_requested_at = models.DateTimeField(null=True, blank=True,
                                              help_text="When staff last asked for a failed job to be retried.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "updated_at"], name="provisioning_state_updated")]

    def __str__(self) -> str:
        return f"Order {self.salesforce_order_id} ({self.get_state_display()})"

    def reached(self, step: str) -> bool:
        """Whether the job has done ``step`` (or a later one)."""
        return self.STEP_ORDER.index(self.step) >= self.STEP_ORDER.index(step)

    @property
    def sim_units(self) -> list[int]:
        """The line indexes of the units that need a SIM."""
        return [index for index, line in enumerate(self.lines) if line.get("is_sim")]

    def activated_sim(self, unit: int) -> dict | None:
        return next((sim for sim in self.activated_sims if sim.get("unit") == unit), None)


class EventCursor(models.Model):
    """The replay id of the last Platform Event handled, per topic: where a restart resumes."""

    topic = models.CharField(max_length=255, unique=True)
    replay_id = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.topic} @ {bytes(self.replay_id).hex()}"
