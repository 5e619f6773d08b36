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
    legacy_activated_sims = models.JSONField(
        "SIMs activated before the inventory", default=list, blank=True, editable=False,
        help_text="SIMs activated before SIMs came from the inventory (Freebit's former pool): kept as they were "
                  "recorded.")
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

    @property
    def activated_sims(self) -> list[dict]:
        """The SIMs whose lines Freebit has, unit by unit (from ``sim_assignments``)."""
        return [assignment.summary() for assignment in self.sim_assignments.order_by("unit")
                if assignment.registered_at is not None]


class SimAssignment(models.Model):
    """One SIM of the MVNO's inventory (a Salesforce ``SIM_Inventory__c`` record) taken for one unit
    of a provisioning job, and how far its new line got.

    The row is the portal's claim on the SIM: ``inventory_id`` is unique, so two jobs never take one
    SIM, and ``(job, unit)`` is unique, so a unit never takes two. Each step is recorded when done;
    ``registration_requested_at`` is saved before the new line is sent to Freebit (PA02-01 or
    PA05-41, which have no idempotency key), so a retry after a lost answer asks Freebit for the
    line (PA03-02) before sending anything again.
    """

    job = models.ForeignKey(ProvisioningJob, on_delete=models.PROTECT, related_name="sim_assignments")
    unit = models.PositiveSmallIntegerField(help_text="The order unit (the index of its billing line).")
    inventory_id = models.CharField("SIM inventory record", max_length=18, unique=True)
    kind = models.CharField(max_length=16)
    msisdn = models.CharField("phone number", max_length=14)
    iccid = models.CharField("ICCID", max_length=20)
    product_number = models.CharField(max_length=15, blank=True)
    eid = models.CharField("EID", max_length=32, blank=True)
    plan_code = models.CharField(max_length=40)
    whmcs_service_id = models.PositiveIntegerField("WHMCS service")
    assigned_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the Salesforce record was marked Assigned to the order.")
    registration_requested_at = models.DateTimeField(
        "new line sent at", null=True, blank=True,
        help_text="Set just before the new line is sent to Freebit; cleared when Freebit refuses it.")
    registered_at = models.DateTimeField("line registered at", null=True, blank=True)
    written_at = models.DateTimeField("WHMCS fields written at", null=True, blank=True)
    inventory_activated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "unit"]
        constraints = [models.UniqueConstraint(fields=["job", "unit"], name="provisioning_one_sim_per_unit")]

    def __str__(self) -> str:
        return f"{self.kind} SIM {self.iccid} ({self.msisdn}) for unit {self.unit} of job {self.job_id}"

    def summary(self) -> dict:
        return {"unit": self.unit, "service_id": self.whmcs_service_id, "iccid": self.iccid, "msisdn": self.msisdn,
                "kind": self.kind, "written": self.written_at is not None}


class EventCursor(models.Model):
    """The replay id of the last Platform Event handled, per topic: where a restart resumes."""

    topic = models.CharField(max_length=255, unique=True)
    replay_id = models.BinaryField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.topic} @ {bytes(self.replay_id).hex()}"


class SubscriberLease(models.Model):
    """Which Platform Event subscriber process is the active one (``portal.provisioning.lease``).

    The lock itself is a PostgreSQL advisory lock held by the active process's lease session; this
    row names that process and carries the fencing token (``epoch``, bumped by each new holder)
    that every write of the subscriber checks first."""

    name = models.CharField(max_length=100, primary_key=True)
    epoch = models.PositiveBigIntegerField(default=0, help_text="Bumped each time a process takes the lease.")
    holder = models.CharField(max_length=255, help_text="host:pid of the process that took it last.")
    backend_pid = models.IntegerField(help_text="The PostgreSQL session holding the advisory lock.")
    acquired_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.holder} (epoch {self.epoch})"
