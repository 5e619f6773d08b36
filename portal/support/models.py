"""What the portal keeps of support cases (the cases themselves live in Salesforce).

``SupportWrite``: every case, comment or file a customer's form sends to Salesforce is recorded
before it is sent, with the form's request id; a repeated submit answers what the first one
created, and after a lost answer the write is looked for (by its marker) rather than sent again
(docs/support.md). ``CaseView``: when the customer last looked at a case, so the list can say
which cases changed since.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Customer


class SupportWrite(models.Model):
    class Kind(models.TextChoices):
        CASE = "case", _("Case")
        COMMENT = "comment", _("Comment")
        ATTACHMENT = "attachment", _("Attachment")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="support_writes")
    request_id = models.CharField(max_length=64, unique=True, help_text=_("The form's idempotency key."))
    kind = models.CharField(max_length=16, choices=Kind.choices)
    case_id = models.CharField(_("Salesforce case id"), max_length=18, blank=True)
    salesforce_id = models.CharField(_("Salesforce id"), max_length=18, blank=True,
                                     help_text=_("What the write created, once Salesforce said so."))
    content_digest = models.CharField(max_length=64, blank=True,
                                      help_text=_("SHA-256 of what was sent: the same request id may not send "
                                                  "something else."))
    sent_at = models.DateTimeField(null=True, blank=True,
                                   help_text=_("Set before the first send: with no id recorded, the write is "
                                               "looked for before it is sent again."))
    sending_until = models.DateTimeField(null=True, blank=True,
                                         help_text=_("A submit is sending it until then; others wait."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.request_id}"


class CaseView(models.Model):
    """The last change of a case the customer has seen (its ``updated_at`` when they opened it)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="case_views")
    case_id = models.CharField(max_length=18)
    seen_updated_at = models.DateTimeField()
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["customer", "case_id"], name="support_case_view_once")]

    def __str__(self) -> str:
        return f"{self.case_id} seen at {self.seen_at:%Y-%m-%d %H:%M}"
