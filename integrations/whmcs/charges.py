"""One-off charges: an invoice for an amount, then capturing it with the client's payment method.

Neither call is idempotent in WHMCS. The caller records that it is about to create an invoice,
gives it a marker in its notes (``domain.billing.markers.request_marker``) and records the invoice
id as soon as it exists; after a lost answer it finds the invoice by its marker
(:meth:`WhmcsChargeClient.find_invoices_with_marker`) instead of creating another. Before
capturing again it checks the invoice (``GetInvoice``): a paid invoice is never captured twice.
"""
from decimal import Decimal

from domain.billing.markers import carries_marker
from domain.billing.providers import whmcs as mapper
from domain.billing.types import Invoice
from domain.shared.money import Currency
from integrations.whmcs.connection import WhmcsConnection

INVOICES_SEARCHED = 100
"""How many of the client's most recent invoices a marker search reads (newest first by id): an
invoice is looked for right after it may have been created."""


class WhmcsChargeClient:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def create_invoice(self, client_id: int, *, description: str, amount: Decimal, due_date: str,
                       notes: str = "") -> int:
        """An unpaid invoice with one taxed line of ``amount`` (before tax) and ``notes`` (the
        caller's marker); its id. Sent once."""
        params = {
            "userid": client_id, "status": "Unpaid", "sendinvoice": 0, "duedate": due_date,
            "itemdescription1": description, "itemamount1": str(amount), "itemtaxed1": 1,
        }
        if notes:
            params["notes"] = notes
        return mapper.transform_whmcs_created_invoice(self._whmcs.call("CreateInvoice", params))

    def find_invoices_with_marker(self, client_id: int, marker: str, *,
                                  default_currency: Currency) -> tuple[Invoice, ...]:
        """The client's invoices whose notes carry ``marker`` (one line of them), oldest first,
        among their ``INVOICES_SEARCHED`` most recent (``GetInvoices`` by id, newest first)."""
        page = mapper.transform_whmcs_invoice_list(self._whmcs.call("GetInvoices", {
            "userid": client_id, "limitstart": 0, "limitnum": INVOICES_SEARCHED, "orderby": "id", "order": "desc",
        }), default_currency=default_currency, limit=INVOICES_SEARCHED)
        found = [invoice for invoice in page.invoices
                 if invoice.client_id == client_id and carries_marker(invoice.notes, marker)]
        return tuple(sorted(found, key=lambda invoice: invoice.id))

    def capture(self, invoice_id: int) -> None:
        """Charge the invoice to the client's payment method on file (raises when it fails)."""
        self._whmcs.call("CapturePayment", {"invoiceid": invoice_id})

    def cancel_invoice(self, invoice_id: int) -> None:
        """Cancel an invoice whose payment could not be taken, so it is not left for the client to pay."""
        self._whmcs.call("UpdateInvoice", {"invoiceid": invoice_id, "status": "Cancelled"})

    def get_invoice(self, invoice_id: int, *, default_currency: Currency) -> Invoice:
        return mapper.transform_whmcs_invoice(self._whmcs.call("GetInvoice", {"invoiceid": invoice_id}),
                                              default_currency=default_currency)
