"""Invoices: GetInvoices (paged, filtered) and GetInvoice (with items and transactions)."""
from domain.billing.providers import whmcs as mapper
from domain.billing.types import Invoice, InvoicePage, InvoiceStatus
from domain.shared.money import Currency
from integrations.skipped import log_skipped
from integrations.whmcs.connection import WhmcsConnection


class WhmcsInvoiceClient:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def list_invoices(
        self, client_id: int, *, default_currency: Currency, offset: int = 0, limit: int = 25,
        status: InvoiceStatus | None = None,
    ) -> InvoicePage:
        """A page of the client's invoices, in ``default_currency`` where an entry names none; an
        entry the portal cannot read is left out and logged."""
        params = {"userid": client_id, "limitstart": offset, "limitnum": limit, "orderby": "duedate", "order": "desc"}
        if status:
            params["status"] = status.value
        raw = self._whmcs.call("GetInvoices", params)
        return mapper.transform_whmcs_invoice_list(raw, default_currency=default_currency, limit=limit,
                                                   on_skip=log_skipped)

    def get_invoice(self, invoice_id: int, *, default_currency: Currency) -> Invoice:
        """Any client's invoice: WHMCS does not scope it, the caller must check ownership."""
        raw = self._whmcs.call("GetInvoice", {"invoiceid": invoice_id})
        return mapper.transform_whmcs_invoice(raw, default_currency=default_currency)
