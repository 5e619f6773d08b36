"""Client products (subscriptions): GetClientsProducts, paged, scoped to one client."""
from domain.shared.money import Currency
from domain.subscriptions.providers import whmcs as mapper
from domain.subscriptions.types import Subscription, SubscriptionPage
from integrations.skipped import log_skipped
from integrations.whmcs.connection import WhmcsConnection
from integrations.whmcs.errors import WhmcsApiError


class WhmcsSubscriptionClient:
    def __init__(self, connection: WhmcsConnection) -> None:
        self._whmcs = connection

    def list_subscriptions(
        self, client_id: int, *, default_currency: Currency, offset: int = 0, limit: int = 50
    ) -> SubscriptionPage:
        raw = self._whmcs.call("GetClientsProducts", {"clientid": client_id, "limitstart": offset, "limitnum": limit})
        return mapper.transform_whmcs_subscription_list(raw, default_currency=default_currency, limit=limit,
                                                        on_skip=log_skipped)

    def get_subscription(self, client_id: int, service_id: int, *, default_currency: Currency) -> Subscription | None:
        """The client's service, or None when it is not theirs (WHMCS filters by both ids)."""
        raw = self._whmcs.call("GetClientsProducts", {"clientid": client_id, "serviceid": service_id})
        page = mapper.transform_whmcs_subscription_list(raw, default_currency=default_currency)
        return next((s for s in page.subscriptions if s.id == service_id and s.client_id == client_id), None)

    def add_cancel_request(self, service_id: int, *, reason: str, end_of_period: bool = True) -> bool:
        """``AddCancelRequest`` for the service: at the end of its billing period (or at once).
        Not idempotent: a second one is refused ("Existing Cancellation Request Exists"), which
        this answers as False (the request is there already); True when this call made it."""
        try:
            self._whmcs.call("AddCancelRequest", {
                "serviceid": service_id, "type": "End of Billing Period" if end_of_period else "Immediate",
                "reason": reason[:250]})
        except WhmcsApiError as exc:
            if "existing cancellation request" in str(exc).lower():
                return False
            raise
        return True
