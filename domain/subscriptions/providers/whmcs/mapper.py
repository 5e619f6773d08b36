"""WHMCS GetClientsProducts -> subscription domain types. Pure: context is passed in."""
from domain.shared.mapping import Skipped, build_domain, map_each, validate_raw
from domain.shared.money import Currency, Money
from domain.shared.providers.whmcs import PROVIDER, WHMCS_DEFAULT_PAGE_SIZE
from domain.subscriptions.providers.whmcs.raw import WhmcsClientsProductsRaw, WhmcsProductRaw
from domain.subscriptions.types import Subscription, SubscriptionPage


def transform_whmcs_subscription(
    raw: object, *, default_currency: Currency, currency: Currency | None = None
) -> Subscription:
    """A subscription from one GetClientsProducts entry.

    WHMCS gives no currency per service: amounts are in `currency` (the client's, when the caller
    knows it), else in `default_currency`.
    """
    parsed = validate_raw(WhmcsProductRaw, raw, provider=PROVIDER, entity="subscription")
    return _subscription(parsed, currency=currency or default_currency)


def transform_whmcs_subscription_list(
    raw_response: object,
    *,
    default_currency: Currency,
    currency: Currency | None = None,
    limit: int = WHMCS_DEFAULT_PAGE_SIZE,
    on_skip: Skipped | None = None,
) -> SubscriptionPage:
    """A page of subscriptions from a GetClientsProducts body; `limit` is the `limitnum` sent.

    A service that cannot be read raises MappingError naming `products.product.<n>.<field>`; with
    `on_skip` it is left out and handed to `on_skip` instead.
    """
    parsed = validate_raw(WhmcsClientsProductsRaw, raw_response, provider=PROVIDER, entity="subscription list")

    def service(raw: object, path: str) -> Subscription:
        listed = validate_raw(WhmcsProductRaw, raw, provider=PROVIDER, entity="subscription list", path=path)
        return _subscription(listed, currency=currency or default_currency)

    return build_domain(
        SubscriptionPage,
        provider=PROVIDER,
        entity="subscription list",
        subscriptions=map_each(parsed.products.product, service, on_skip=on_skip, path="products.product"),
        total_results=parsed.totalresults,
        offset=parsed.startnumber,
        limit=limit,
    )


def _subscription(raw: WhmcsProductRaw, *, currency: Currency) -> Subscription:
    def money(amount: object) -> Money:
        return build_domain(Money, provider=PROVIDER, entity="subscription", amount=amount, currency=currency.code)

    return build_domain(
        Subscription,
        provider=PROVIDER,
        entity="subscription",
        id=raw.id,
        client_id=raw.clientid,
        order_id=raw.orderid,
        product_id=raw.pid,
        product_name=raw.name,
        group_name=raw.groupname,
        domain=raw.domain,
        status=raw.status,
        billing_cycle=raw.billingcycle,
        first_payment_amount=money(raw.firstpaymentamount),
        recurring_amount=money(raw.recurringamount),
        registration_date=raw.regdate,
        next_due_date=raw.nextduedate,
        payment_method=raw.paymentmethod,
        custom_fields=tuple((field.name, field.value) for field in raw.customfields.customfield),
        config_options=tuple((option.option, option.value) for option in raw.configoptions.configoption),
    )
