"""One-off charges: an invoice for an amount, then capturing it with the client's payment method.

Neither call is idempotent in WHMCS, so the caller records the invoice id as soon as it exists and
checks the invoice (``GetInvoice``) before capturing again.
"""
from decimal import Decimal

from domain.billing.providers import whmcs as mapper
from domain.billing.types import Invoice
from domain.shared.money import Currency
from integrations.whmcs.connection import WhmcsConnection


class WhmcsChargeService:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def create_invoice(self, client_id: int, *, description: str, amount: Decimal, due_date: str) -> int:
        """An unpaid invoice with one taxed line of ``amount`` (before tax); its id."""
        raw = self._whmcs.call("CreateInvoice", {
            "userid": client_id, "status": "Unpaid", "sendinvoice": 0, "duedate": due_date,
            "itemdescription1": description, "itemamount1": str(amount), "itemtaxed1": 1,
        })
        return mapper.transform_whmcs_created_invoice(raw)

    def capture(self, invoice_id: int) -> None:
        """Charge the invoice to the client's payment method on file (raises when it fails)."""
        self._whmcs.call("CapturePayment", {"invoiceid": invoice_id})

    def cancel_invoice(self, invoice_id: int) -> None:
        """Cancel an invoice whose payment could not be taken, so it is not left for the client to pay."""
        self._whmcs.call("UpdateInvoice", {"invoiceid": invoice_id, "status": "Cancelled"})

    def get_invoice(self, invoice_id: int, *, default_currency: Currency) -> Invoice:
        return mapper.transform_whmcs_invoice(self._whmcs.call("GetInvoice", {"invoiceid": invoice_id}),
                                              default_currency=default_currency)
