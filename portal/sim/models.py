from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Customer
from portal.core.jobs import DurableJob


class TopUp(DurableJob):
    """One data top-up a customer asked for, followed from charge to quota (a durable job:
    ``portal.sim.topups.TopUpFlow``).

    ``request_id`` is the idempotency key of the customer's form, the marker in the WHMCS invoice's
    notes and the ``quotaCode`` of the Freebit quota addition: the same request never becomes two
    top-ups, nor two charges, and its quota addition can be found in Freebit's quota history.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")  # not charged yet (or the charge's outcome is unknown)
        CHARGED = "charged", _("Charged")  # the invoice is paid; the quota is still to be added
        APPLIED = "applied", _("Applied")  # Freebit added the quota
        NEEDS_REVIEW = "needs_review", _("Needs review")  # paid; whether Freebit added it is not known: staff decide
        FAILED = "failed", _("Failed")  # given up; see last_error

    class ReviewOutcome(models.TextChoices):
        ADD_ONCE = "add_once", _("Not added: add it once")
        CONFIRMED_ADDED = "confirmed_added", _("Added: confirmed by staff")
        REFUND = "refund", _("Not added: refund the customer")

    FINAL = (Status.APPLIED, Status.FAILED)
    STOPPED = (*FINAL, Status.NEEDS_REVIEW)
    """Nothing more happens by itself (a top-up needing review waits for staff)."""

    request_id = models.UUIDField(unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="topups")
    iccid = models.CharField(max_length=20)
    msisdn = models.CharField("phone number", max_length=14, blank=True,
                              help_text="The SIM's number, which names it on Freebit (recorded with the request).")
    quota_mb = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Before tax.")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    invoice_requested_at = models.DateTimeField(
        "WHMCS CreateInvoice sent at", null=True, blank=True,
        help_text="Set just before CreateInvoice is sent: with no invoice id recorded, the invoice is looked up by "
                  "the request's marker in its notes.")
    invoice_requests = models.PositiveSmallIntegerField(
        "CreateInvoice sent", default=0, help_text="More than once: other invoices carrying the marker are cancelled.")
    whmcs_invoice_id = models.PositiveIntegerField(null=True, blank=True)
    capture_requested_at = models.DateTimeField(
        "WHMCS CapturePayment sent at", null=True, blank=True,
        help_text="Set just before CapturePayment is sent: the invoice is read back before any new capture.")
    charged_at = models.DateTimeField(null=True, blank=True, help_text="When the invoice was seen paid.")
    quota_requested_at = models.DateTimeField(
        "Freebit quota addition sent at", null=True, blank=True,
        help_text="Set just before the quota addition (PA04-04, no idempotency key) is sent, cleared when Freebit "
                  "refuses it: while set, whether the data was added is settled from Freebit's quota history "
                  "(PA05-02, by the request id as quotaCode) before anything is sent again.")
    quota_requests = models.PositiveSmallIntegerField("quota additions sent", default=0)
    applied_at = models.DateTimeField(null=True, blank=True, help_text="When Freebit was seen to add the data.")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    review_outcome = models.CharField(max_length=16, choices=ReviewOutcome.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.quota_mb} MB for {self.iccid} ({self.get_status_display()})"

    @property
    def is_done(self) -> bool:
        """Applied, failed or waiting for staff: nothing more will happen by itself."""
        return self.status in self.STOPPED


class PlanChange(DurableJob):
    """One plan change a customer confirmed, followed from the WHMCS bill to the SIM (a durable job:
    ``portal.sim.plan_changes.PlanChangeFlow``).

    ``request_id`` is the idempotency key of the confirmation form (and the marker in the upgrade
    invoice's notes): the same confirmation never becomes two changes, nor two charges. A SIM has at
    most one change that has not finished.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")  # waits for its effective date; the customer may cancel it
        REQUESTED = "requested", _("Requested")  # WHMCS is asked (or its answer is being confirmed)
        BILLED = "billed", _("Billed")  # WHMCS bills the new plan (any charge taken); the SIM is next
        DONE = "done", _("Done")  # WHMCS and Freebit are on the new plan
        CANCELLED = "cancelled", _("Cancelled")  # cancelled by the customer before it took effect
        FAILED = "failed", _("Failed")  # given up; see failure and last_error

    class Failure(models.TextChoices):
        PAYMENT_REFUSED = "payment_refused", _("Payment refused")
        BILLING_REFUSED = "billing_refused", _("Refused by billing")
        SIM_REFUSED = "sim_refused", _("Refused by the SIM platform")
        GAVE_UP = "gave_up", _("Attempts ran out")

    OPEN = (Status.SCHEDULED, Status.REQUESTED, Status.BILLED)

    request_id = models.UUIDField(unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="plan_changes")
    iccid = models.CharField(max_length=20)
    whmcs_service_id = models.PositiveIntegerField("WHMCS service")
    from_plan_code = models.CharField(max_length=40)
    from_plan_name = models.CharField(max_length=100)
    to_plan_code = models.CharField(max_length=40)
    to_plan_name = models.CharField(max_length=100)
    from_product_id = models.PositiveIntegerField("WHMCS product before")
    to_product_id = models.PositiveIntegerField("WHMCS product after")
    billing_cycle = models.CharField(max_length=20, help_text="WHMCS's name of the service's billing cycle.")
    payment_method = models.CharField(max_length=64, help_text="The WHMCS payment gateway of the service.")
    immediate = models.BooleanField(help_text="Made now (an upgrade) rather than on the first of next month.")
    effective_date = models.DateField(help_text="The business day the change is made (Japan time).")
    currency = models.CharField(max_length=3)
    quoted_charge = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True,
                                        help_text="The pro rata charge the customer was shown (a change made now).")
    old_monthly = models.DecimalField(max_digits=12, decimal_places=2)
    new_monthly = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    failure = models.CharField(max_length=20, choices=Failure.choices, blank=True)
    whmcs_order_floor = models.PositiveIntegerField(
        "client's newest WHMCS order before", null=True, blank=True,
        help_text="Recorded before UpgradeProduct is first sent: after a lost answer, the upgrade order placed "
                  "after it is adopted.")
    upgrade_requested_at = models.DateTimeField("WHMCS UpgradeProduct sent at", null=True, blank=True)
    upgrade_requests = models.PositiveSmallIntegerField("UpgradeProduct sent", default=0)
    whmcs_order_id = models.PositiveIntegerField("WHMCS upgrade order", null=True, blank=True)
    whmcs_invoice_id = models.PositiveIntegerField("WHMCS upgrade invoice", null=True, blank=True)
    invoice_marked = models.BooleanField(default=False, help_text="The invoice's notes carry the request's marker.")
    capture_requested_at = models.DateTimeField("WHMCS CapturePayment sent at", null=True, blank=True)
    charged_at = models.DateTimeField(null=True, blank=True, help_text="When the upgrade invoice was seen paid.")
    charged_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    billed_at = models.DateTimeField(null=True, blank=True, help_text="When WHMCS was seen billing the new plan.")
    sim_changed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["iccid"], name="sim_one_open_plan_change",
                                    condition=models.Q(status__in=["scheduled", "requested", "billed"])),
        ]

    def __str__(self) -> str:
        return f"{self.iccid}: {self.from_plan_code} → {self.to_plan_code} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN


class SimUsageDay(models.Model):
    """One SIM's data use on one day (Japan's), as the portal recorded it from Freebit's traffic
    figures (PA05-01) when the SIM's page was shown: the source of the SIM page's usage history.

    Freebit keeps no daily history the portal may read, and forbids reading every SIM's traffic in
    a sweep, so the portal keeps its own: each reading of a SIM (bounded: ``portal.sim.usage``)
    sets the day's figure to what had been used by then. A day nobody looked at has no row; a
    day's figure is what had been used by ``read_at``, the last reading of that day.
    """

    iccid = models.CharField(max_length=20)
    day = models.DateField(help_text="The day in Japan time.")
    used_kb = models.PositiveBigIntegerField("used (kB)", null=True, blank=True,
                                             help_text="Used that day by read_at; empty until a reading succeeds.")
    throttled = models.BooleanField(default=False, help_text="Freebit had the SIM's speed restricted.")
    read_at = models.DateTimeField(help_text="The last reading of this day (or the last attempt at one).")
    reads = models.PositiveSmallIntegerField(default=0, help_text="Freebit traffic reads made for this SIM that day.")

    class Meta:
        ordering = ["iccid", "day"]
        constraints = [models.UniqueConstraint(fields=["iccid", "day"], name="sim_usage_one_row_per_day")]

    def __str__(self) -> str:
        return f"{self.iccid} on {self.day}: {self.used_kb} kB"


class SimAction(DurableJob):
    """One change to a SIM or its service the customer asked for on the SIM page or the API, followed
    until the provider confirms it (a durable job: ``portal.sim.actions.SimActionFlow``;
    docs/sim-lifecycle.md).

    ``request_id`` is the idempotency key of the confirmation form (and the marker of a fee's
    invoice): the same confirmation never becomes two actions, two charges or two provider changes.
    A SIM has at most one action in flight (requested or in progress): a 4G/5G switch locks its line.
    """

    class Kind(models.TextChoices):
        VOICE_OPTIONS = "voice_options", _("Voice options")
        NETWORK = "network", _("Network type")
        ESIM_REISSUE = "esim_reissue", _("eSIM reissue")
        CANCELLATION = "cancellation", _("Cancellation")
        SERVICE_CANCELLATION = "service_cancellation", _("Service cancellation")  # an Internet service: WHMCS only

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")  # a cancellation waiting for its day; the customer may withdraw it
        REQUESTED = "requested", _("Requested")  # recorded; being charged or sent to the providers
        IN_PROGRESS = "in_progress", _("In progress")  # the providers accepted it; waiting until it shows
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")  # see failure (the customer's words) and last_error (staff's)
        WITHDRAWN = "withdrawn", _("Withdrawn")  # by the customer, before anything was sent

    class Failure(models.TextChoices):
        PAYMENT_REFUSED = "payment_refused", _("The payment was refused")
        REFUSED = "refused", _("The mobile network refused the change")
        NOT_CONFIRMED = "not_confirmed", _("The mobile network did not confirm the change in time")
        GAVE_UP = "gave_up", _("It could not be completed")

    IN_FLIGHT = (Status.REQUESTED, Status.IN_PROGRESS)
    CANCELLATIONS = (Kind.CANCELLATION, Kind.SERVICE_CANCELLATION)
    OPEN = (Status.SCHEDULED, *IN_FLIGHT)

    request_id = models.UUIDField(unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="sim_actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    iccid = models.CharField(max_length=20, blank=True, help_text="Empty for a service that is not a SIM.")
    msisdn = models.CharField("phone number", max_length=14, blank=True)
    whmcs_service_id = models.PositiveIntegerField("WHMCS service")
    params = models.JSONField(default=dict, blank=True, help_text=(
        "What was asked: voice options {name: on}, the network type, the new EID."))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    failure = models.CharField(max_length=20, choices=Failure.choices, blank=True)
    # A cancellation: the last day of service, and the day the providers are told (until then it may be withdrawn).
    end_date = models.DateField(null=True, blank=True, help_text="The last day of service (Japan time).")
    send_on = models.DateField(null=True, blank=True, help_text="The day Freebit and WHMCS are told.")
    # A fee, charged first (like a top-up): the invoice carries the request's marker.
    fee = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, help_text="Before tax.")
    currency = models.CharField(max_length=3, blank=True)
    invoice_requested_at = models.DateTimeField("WHMCS CreateInvoice sent at", null=True, blank=True)
    invoice_requests = models.PositiveSmallIntegerField("CreateInvoice sent", default=0)
    whmcs_invoice_id = models.PositiveIntegerField(null=True, blank=True)
    capture_requested_at = models.DateTimeField("WHMCS CapturePayment sent at", null=True, blank=True)
    charged_at = models.DateTimeField(null=True, blank=True)
    # The provider change (none has an idempotency key): recorded before it is sent.
    provider_requested_at = models.DateTimeField(
        "Freebit change sent at", null=True, blank=True,
        help_text="Set before the change is sent: while set and not accepted, the SIM's details are read before "
                  "anything is sent again.")
    provider_requests = models.PositiveSmallIntegerField("Freebit changes sent", default=0)
    accepted_at = models.DateTimeField("Freebit accepted at", null=True, blank=True)
    billing_cancelled_at = models.DateTimeField("WHMCS cancellation request made at", null=True, blank=True)
    salesforce_noted_at = models.DateTimeField("written to Salesforce at", null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="When the SIM's details showed it.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["iccid"], name="sim_one_action_in_flight",
                                    condition=models.Q(status__in=["requested", "in_progress"]) & ~models.Q(iccid="")),
            models.UniqueConstraint(fields=["whmcs_service_id"], name="sim_one_open_cancellation",
                                    condition=models.Q(kind__in=["cancellation", "service_cancellation"],
                                                       status__in=["scheduled", "requested", "in_progress"])),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.iccid or self.whmcs_service_id} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_done(self) -> bool:
        return not self.is_open
