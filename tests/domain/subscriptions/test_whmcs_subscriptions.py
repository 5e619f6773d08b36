"""GetClientsProducts -> Subscription, SubscriptionPage."""
import copy
from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.shared.errors import MappingError
from domain.shared.money import Money
from domain.subscriptions.providers import whmcs
from domain.subscriptions.types import BillingCycle, Subscription, SubscriptionPage, SubscriptionStatus
from tests.domain.helpers import JPY, USD, altered, floats_in, load


def jpy(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="JPY")


def test_subscription_list_maps_every_product():
    page = whmcs.transform_whmcs_subscription_list(load("get_clients_products.json"), default_currency=JPY)

    assert (page.total_results, page.offset, page.limit, page.has_more) == (3, 0, 25, False)
    fiber, sim, fee = page.subscriptions
    assert fiber == Subscription(
        id=501,
        client_id=42,
        order_id=301,
        product_id=1,
        product_name="Fiber 1G",
        group_name="Internet",
        domain="",
        status=SubscriptionStatus.ACTIVE,
        billing_cycle=BillingCycle.MONTHLY,
        first_payment_amount=jpy("5000.00"),
        recurring_amount=jpy("5000.00"),
        registration_date=date(2025, 1, 1),
        next_due_date=date(2026, 12, 1),
        payment_method="banktransfer",
        custom_fields=(("Install address", "1-2-3 Shibuya, Tokyo"),),
        config_options=(),
    )
    # numbers as JSON numbers (2980.0 keeps its JSON text), custom fields and config options
    assert (sim.id, sim.product_id, sim.domain) == (502, 7, "08012345678")
    assert (sim.first_payment_amount, sim.recurring_amount) == (jpy("2980"), jpy("2980.0"))
    assert sim.custom_field("ICCID") == "8981100012345678901"
    assert sim.custom_field("EID") is None
    assert sim.config_options == (("Data", "20GB"), ("Voice", "1"))
    assert sim.config_option("Data") == "20GB"
    # a one-time product: no next due date, no order, empty collections given as ""
    assert (fee.billing_cycle, fee.status, fee.next_due_date, fee.order_id) == (
        BillingCycle.ONE_TIME,
        SubscriptionStatus.COMPLETED,
        None,
        None,
    )
    assert (fee.custom_fields, fee.config_options) == ((), ())


def test_a_single_product_maps_on_its_own():
    product = load("get_clients_products.json")["products"]["product"][1]
    assert whmcs.transform_whmcs_subscription(product, default_currency=JPY).custom_field("ICCID") == (
        "8981100012345678901"
    )


def test_password_and_other_credentials_never_reach_the_domain():
    page = whmcs.transform_whmcs_subscription_list(load("get_clients_products.json"), default_currency=JPY)
    dumped = repr(page) + page.model_dump_json()
    assert "S3cr3t-Pa55" not in dumped
    assert "password" not in dumped
    assert "fiber42" not in dumped  # the service username is not carried either
    assert "password" not in Subscription.model_fields


@pytest.mark.parametrize(
    ("default", "client", "expected"),
    [(JPY, None, "JPY"), (USD, None, "USD"), (JPY, USD, "USD")],
    ids=["default", "other-default", "client-currency-wins"],
)
def test_amounts_take_the_context_currency(default, client, expected):
    page = whmcs.transform_whmcs_subscription_list(
        load("get_clients_products.json"), default_currency=default, currency=client
    )
    currencies = {m.currency for s in page.subscriptions for m in (s.first_payment_amount, s.recurring_amount)}
    assert currencies == {expected}


def _product(change):
    return lambda body: change(body["products"]["product"][0])


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (lambda p: p.update(customfields={"customfield": []}), lambda s: s.custom_fields == ()),
        (lambda p: p.update(customfields=[]), lambda s: s.custom_fields == ()),
        (lambda p: p.pop("customfields"), lambda s: s.custom_fields == ()),
        (lambda p: p.update(configoptions=""), lambda s: s.config_options == ()),
        (
            lambda p: p.update(configoptions={"configoption": {"id": "1", "option": "Speed", "value": "1G"}}),
            lambda s: s.config_options == (("Speed", "1G"),),
        ),
        (lambda p: p.update(nextduedate="0000-00-00"), lambda s: s.next_due_date is None),
        (lambda p: p.update(nextduedate=""), lambda s: s.next_due_date is None),
        (lambda p: p.update(orderid="0"), lambda s: s.order_id is None),
        (lambda p: p.update(billingcycle="Free Account"), lambda s: s.billing_cycle is BillingCycle.FREE),
        (lambda p: p.update(billingcycle="Semi-Annually"), lambda s: s.billing_cycle is BillingCycle.SEMI_ANNUALLY),
        (lambda p: p.update(status="Suspended"), lambda s: s.status is SubscriptionStatus.SUSPENDED),
        (lambda p: p.update(status="Fraud"), lambda s: s.status is SubscriptionStatus.FRAUD),
        (lambda p: p.update(domain=None), lambda s: s.domain == ""),
    ],
)
def test_quirks(change, check):
    body = altered(load("get_clients_products.json"), _product(change))
    assert check(whmcs.transform_whmcs_subscription_list(body, default_currency=JPY).subscriptions[0])


EMPTY_BODY = {"result": "success", "clientid": "42", "totalresults": 0, "startnumber": 0, "numreturned": 0}


@pytest.mark.parametrize("products", ["", [], {}, {"product": []}, None, "missing"])
def test_empty_subscription_list(products):
    body = dict(EMPTY_BODY) if products == "missing" else {**EMPTY_BODY, "products": products}
    page = whmcs.transform_whmcs_subscription_list(body, default_currency=JPY)
    assert page == SubscriptionPage(subscriptions=(), total_results=0, offset=0, limit=25)


def test_page_position():
    body = altered(load("get_clients_products.json"), lambda b: b.update(totalresults="10", startnumber="3"))
    page = whmcs.transform_whmcs_subscription_list(body, default_currency=JPY, limit=3)
    assert (page.total_results, page.offset, page.limit, page.has_more) == (10, 3, 3, True)


@pytest.mark.parametrize(
    ("index", "change", "field"),
    [
        (0, {"status": "Paused"}, "products.product.0.status"),
        (1, {"status": "active"}, "products.product.1.status"),
        (0, {"billingcycle": "Fortnightly"}, "products.product.0.billingcycle"),
        (0, {"regdate": "2025-02-30"}, "products.product.0.regdate"),
        (0, {"regdate": "0000-00-00"}, "products.product.0.regdate"),
        (2, {"nextduedate": "2026-13-01"}, "products.product.2.nextduedate"),
        (1, {"recurringamount": "abc"}, "products.product.1.recurringamount"),
        (1, {"firstpaymentamount": None}, "products.product.1.firstpaymentamount"),
        (0, {"pid": "x"}, "products.product.0.pid"),
        (0, {"clientid": "0"}, "products.product.0.clientid"),
        (
            1,
            {"customfields": {"customfield": [{"id": "1", "value": "x"}]}},
            "products.product.1.customfields.customfield.0.name",
        ),
        (
            1,
            {"configoptions": {"configoption": [{"option": "Data", "value": {"a": 1}}]}},
            "products.product.1.configoptions.configoption.0.value",
        ),
        (1, {"customfields": "none"}, "products.product.1.customfields"),
    ],
)
def test_malformed_product_raises_mapping_error_naming_the_field(index, change, field):
    body = altered(load("get_clients_products.json"), lambda b: b["products"]["product"][index].update(change))
    with pytest.raises(MappingError) as caught:
        whmcs.transform_whmcs_subscription_list(body, default_currency=JPY)
    assert type(caught.value) is MappingError
    assert (caught.value.provider, caught.value.entity, caught.value.field) == ("whmcs", "subscription list", field)


def test_single_product_errors_name_the_field_within_the_product():
    product = dict(load("get_clients_products.json")["products"]["product"][0], status="Paused")
    with pytest.raises(MappingError, match="unknown value 'Paused'") as caught:
        whmcs.transform_whmcs_subscription(product, default_currency=JPY)
    assert caught.value.field == "status"


@pytest.mark.parametrize("raw", [None, "", [], 3])
def test_a_payload_that_is_not_an_object(raw):
    with pytest.raises(MappingError) as caught:
        whmcs.transform_whmcs_subscription(raw, default_currency=JPY)
    assert caught.value.field == "(root)"


def test_mapping_is_pure_float_free_and_immutable():
    body = load("get_clients_products.json")
    before = copy.deepcopy(body)

    page = whmcs.transform_whmcs_subscription_list(body, default_currency=JPY)

    assert body == before
    assert whmcs.transform_whmcs_subscription_list(body, default_currency=JPY) == page
    assert floats_in(page) == []
    hash(page)
    assert SubscriptionPage.model_validate_json(page.model_dump_json()) == page
    subscription = page.subscriptions[0]
    with pytest.raises(ValidationError):
        subscription.status = SubscriptionStatus.TERMINATED
    with pytest.raises(ValidationError):
        subscription.recurring_amount.amount = Decimal(0)
    with pytest.raises(TypeError):
        subscription.custom_fields[0][1] = "changed"
    with pytest.raises(ValidationError):
        Subscription(**subscription.model_dump(), password="x")
    with pytest.raises(ValidationError, match="same currency"):
        Subscription(**(subscription.model_dump() | {"recurring_amount": Money(amount=Decimal(1), currency="USD")}))
