from django.db import models

from portal.accounts.models import Customer


class TopUp(models.Model):
    """One data top-up a customer asked for, followed from charge to quota (see ``services``).

    ``request_id`` is the idempotency key of the customer's form (and of the Freebit call): the same
    request never becomes two top-ups, nor two charges.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"  # not charged yet (or the charge's outcome is unknown)
        CHARGED = "charged", "Charged"  # the invoice is paid; the quota is still to be added
        APPLIED = "applied", "Applied"  # Freebit added the quota
        FAILED = "failed", "Failed"  # given up; see last_error

    request_id = models.UUIDField(unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="topups")
    iccid = models.CharField(max_length=20)
    quota_mb = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2, help_text="Before tax.")
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    whmcs_invoice_id = models.PositiveIntegerField(null=True, blank=True)
    freebit_topup_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.quota_mb} MB for {self.iccid} ({self.get_status_display()})"
