from django import forms

from domain.billing.types import InvoiceStatus

STATUS_FILTERS = [("", "All"), *[(s.value, s.value) for s in (
    InvoiceStatus.UNPAID, InvoiceStatus.OVERDUE, InvoiceStatus.PAID, InvoiceStatus.CANCELLED, InvoiceStatus.REFUNDED,
)]]


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False, label="Status")
    page = forms.IntegerField(min_value=1, max_value=10_000, required=False, widget=forms.HiddenInput)

    def selected(self) -> tuple[int, InvoiceStatus | None]:
        """(page, status); values that do not validate fall back to the first page of all invoices."""
        if not self.is_valid():
            return 1, None
        status = self.cleaned_data.get("status")
        return self.cleaned_data.get("page") or 1, InvoiceStatus(status) if status else None
