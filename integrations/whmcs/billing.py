"""Currencies, payment methods and pay-by-SSO."""
from domain.billing.providers import whmcs as mapper
from domain.billing.types import PaymentLink, PaymentMethod
from domain.shared.money import Currency
from integrations.whmcs.connection import WhmcsConnection


class WhmcsCurrencyService:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def list_currencies(self) -> tuple[Currency, ...]:
        return mapper.transform_whmcs_currencies(self._whmcs.call("GetCurrencies"))

    def default_currency(self) -> Currency:
        return mapper.default_currency(self.list_currencies())


class WhmcsPaymentMethodService:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def list_payment_methods(self, client_id: int) -> tuple[PaymentMethod, ...]:
        return mapper.transform_whmcs_pay_methods(self._whmcs.call("GetPayMethods", {"clientid": client_id}))


class WhmcsSsoService:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def invoice_payment_link(self, client_id: int, invoice_id: int) -> PaymentLink:
        """A fresh single-use link that signs the client in and opens the invoice's payment page."""
        raw = self._whmcs.call(
            "CreateSsoToken",
            {"client_id": client_id, "destination": "sso:custom_redirect",
             "sso_redirect_path": f"viewinvoice.php?id={invoice_id}"},
        )
        return mapper.transform_whmcs_sso_token(raw)
