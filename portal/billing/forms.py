from django import forms
from django.utils.translation import gettext_lazy as _

from domain.billing.types import InvoiceStatus
from portal.core.formats import customer_status

FILTERED_STATUSES = (InvoiceStatus.UNPAID, InvoiceStatus.OVERDUE, InvoiceStatus.PAID, InvoiceStatus.CANCELLED,
                     InvoiceStatus.REFUNDED)
# The values are WHMCS's (the API takes them too); the labels are the customer's words.
STATUS_FILTERS = [("", _("All")), *[(s.value, customer_status(s).label) for s in FILTERED_STATUSES]]


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False, label=_("Status"))
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False, widget=forms.HiddenInput)

    def selected(self) -> tuple[int, InvoiceStatus | None]:
        """(page, status); values that do not validate fall back to the first page of all invoices."""
        if not self.is_valid():
            return 1, None
        status = self.cleaned_data.get("status")
        return self.cleaned_data.get("page") or 1, InvoiceStatus(status) if status else None
