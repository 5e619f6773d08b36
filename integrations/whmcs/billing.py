"""Currencies, payment methods and pay-by-SSO (the currency a client is billed in: ``clients``)."""
from domain.billing.providers import whmcs as mapper
from domain.billing.types import PaymentLink, PaymentMethod
from domain.shared.money import Currency
from integrations.skipped import log_skipped
from integrations.whmcs.connection import WhmcsConnection


class WhmcsCurrencyClient:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def list_currencies(self) -> tuple[Currency, ...]:
        return mapper.transform_whmcs_currencies(self._whmcs.call("GetCurrencies"))


class WhmcsPaymentMethodClient:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def list_payment_methods(self, client_id: int) -> tuple[PaymentMethod, ...]:
        """The client's stored methods; one WHMCS answers in a shape the portal cannot read is left
        out and logged."""
        raw = self._whmcs.call("GetPayMethods", {"clientid": client_id})
        return mapper.transform_whmcs_pay_methods(raw, on_skip=log_skipped)


ADD_PAY_METHOD_PATH = "index.php?rp=/account/paymentmethods/add"
"""The client area's "Add New Payment Method" page (WHMCS 8's routed URL; docs/whmcs.md, "To confirm")."""


class WhmcsSsoClient:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def invoice_payment_link(self, client_id: int, invoice_id: int) -> PaymentLink:
        """A fresh single-use link that signs the client in and opens the invoice's payment page."""
        return self._link(client_id, f"viewinvoice.php?id={invoice_id}")

    def add_payment_method_link(self, client_id: int) -> PaymentLink:
        """A fresh single-use link that signs the client in and opens the client area's page where
        a card is added (the card details go to WHMCS and its gateway, never through the portal)."""
        return self._link(client_id, ADD_PAY_METHOD_PATH)

    def _link(self, client_id: int, path: str) -> PaymentLink:
        raw = self._whmcs.call(
            "CreateSsoToken", {"client_id": client_id, "destination": "sso:custom_redirect", "sso_redirect_path": path},
        )
        return mapper.transform_whmcs_sso_token(raw)
