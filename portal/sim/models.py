from django.db import models

from portal.accounts.models import Customer
from portal.core.jobs import DurableJob


class TopUp(DurableJob):
    """One data top-up a customer asked for, followed from charge to quota (a durable job:
    ``portal.sim.topups.TopUpFlow``).

    ``request_id`` is the idempotency key of the customer's form (and of the Freebit call, and the
    marker in the WHMCS invoice's notes): the same request never becomes two top-ups, nor two charges.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"  # not charged yet (or the charge's outcome is unknown)
        CHARGED = "charged", "Charged"  # the invoice is paid; the quota is still to be added
        APPLIED = "applied", "Applied"  # Freebit added the quota
        FAILED = "failed", "Failed"  # given up; see last_error

    FINAL = (Status.APPLIED, Status.FAILED)

    request_id = models.UUIDField(unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="topups")
    iccid = models.CharField(max_length=20)
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
    freebit_topup_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.quota_mb} MB for {self.iccid} ({self.get_status_display()})"

    @property
    def is_done(self) -> bool:
        """Applied or failed: nothing more will happen by itself."""
        return self.status in self.FINAL
