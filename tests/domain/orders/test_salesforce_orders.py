"""The order queries' answers -> OrderSummary, OrderDetails, OrderItem; and the provisioning timeline."""
import copy
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from domain.catalog.types import BillingCycle, ItemClass
from domain.orders.providers import salesforce
from domain.orders.types import (
    OrderDetails,
    OrderItem,
    OrderStatus,
    OrderSummary,
    ProvisioningStatus,
    SimChoice,
    StepState,
    provisioning_timeline,
)
from domain.shared.errors import MappingError
from domain.shared.money import Money
from domain.shared.providers.salesforce import single_record
from domain.sim.types import SimKind
from tests.domain.helpers import altered, floats_in

FIXTURES = Path(__file__).parent / "fixtures"
ALICE = "0015g0000C3J27XAQS"
ORDER = "8015g0000eKOmXRAA1"


def load(name: str) -> dict[str, Any]:
    """A fixture decoded as simple-salesforce decodes an answer (plain json.loads)."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def jpy(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="JPY")


def order_record(**changes: object) -> dict[str, Any]:
    record = load("order_query.json")["records"][0]
    return {**record, **changes}


def details(raw_order: object = None, raw_items: object = None, currency: str = "JPY") -> OrderDetails:
    return salesforce.transform_salesforce_order_details(
        order_record() if raw_order is None else raw_order,
        load("order_items_query.json") if raw_items is None else raw_items,
        currency_code_default=currency,
    )


_DELETE = object()


def _set(path: str, value: object):
    """A change setting a dotted path (list indexes as numbers) of a payload; _DELETE removes it."""

    def change(payload):
        *parents, last = path.split(".")
        node = payload
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[int(last) if isinstance(node, list) else last]
        else:
            node[int(last) if isinstance(node, list) else last] = copy.deepcopy(value)

    return change


# --- reading -------------------------------------------------------------------------------------


def test_the_customers_orders_newest_first():
    orders = salesforce.transform_salesforce_order_list(load("orders_for_account.json"), currency_code_default="JPY")

    assert [order.number for order in orders] == ["00000103", "00000102", "00000101"]
    assert orders[0] == OrderSummary(
        id=ORDER,
        number="00000103",
        account_id=ALICE,
        account_name="Alice Example",
        status=OrderStatus.DRAFT,
        provisioning_status=ProvisioningStatus.PENDING_REVIEW,
        effective_date=date(2026, 11, 26),
        created_at=datetime(2026, 11, 26, 6, 49, 21, tzinfo=UTC),
        total=jpy("4180"),
    )
    assert [(o.status, o.provisioning_status, o.total) for o in orders[1:]] == [
        (OrderStatus.DRAFT, ProvisioningStatus.FAILED, jpy("2420")),
        (OrderStatus.ACTIVATED, ProvisioningStatus.ACTIVE, jpy("5280")),
    ]
    assert all(type(order) is OrderSummary for order in orders)


def test_one_summary_maps_on_its_own():
    record = load("orders_for_account.json")["records"][1]
    summary = salesforce.transform_salesforce_order_summary(record, currency_code_default="JPY")
    assert (summary.id, summary.provisioning_status, summary.created_at) == (
        "8015g0000rvftvaAAA",
        ProvisioningStatus.FAILED,
        datetime(2026, 11, 20, 1, 15, tzinfo=UTC),
    )


def test_an_empty_order_list():
    empty = {"totalSize": 0, "done": True, "records": []}
    assert salesforce.transform_salesforce_order_list(empty, currency_code_default="JPY") == ()


PHONE_EID = "89033023426200000000000000004401"
EXPECTED_ITEMS = (
    OrderItem(
        id="8025g0000APyhzAAQR",
        product_id="01t5g0000cMz9CPAAZ",
        pricebook_entry_id="01u5g000071fTquAAE",
        product_name="SIM Data 20GB",
        sku="MOB-SIM-20GB",
        item_class=ItemClass.SERVICE,
        billing_cycle=BillingCycle.MONTHLY,
        quantity=1,
        unit_price=jpy("1980"),
        total_price=jpy("1980"),
        whmcs_product_id=21,
        is_sim=True,
        sim=SimChoice(kind=SimKind.ESIM, eids=(PHONE_EID,)),
    ),
    OrderItem(
        id="8025g0000CGmUXiAQN",
        product_id="01t5g0000VNPkNaAQL",
        pricebook_entry_id="01u5g0000WoGsbeAQC",
        product_name="Voice option",
        sku="MOB-VOICE",
        item_class=ItemClass.ADD_ON,
        billing_cycle=BillingCycle.MONTHLY,
        quantity=2,
        unit_price=jpy("880"),
        total_price=jpy("1760"),
        whmcs_product_id=22,
        is_sim=False,
    ),
    OrderItem(
        id="8025g0000ZFlRJmAQN",
        product_id="01t5g0000uCL1mHAAT",
        pricebook_entry_id="01u5g0000sye9b2AAA",
        product_name="SIM issue fee",
        sku="FEE-SIM-ISSUE",
        item_class=ItemClass.ACTIVATION,
        billing_cycle=BillingCycle.ONE_TIME,
        quantity=1,
        unit_price=jpy("440"),
        total_price=jpy("440"),
        whmcs_product_id=None,
        is_sim=False,
    ),
)


def test_order_details_with_their_items():
    record = single_record(load("order_query.json"), entity="order")
    order = salesforce.transform_salesforce_order_details(
        record, load("order_items_query.json"), currency_code_default="JPY"
    )

    assert order == OrderDetails(
        id=ORDER,
        number="00000103",
        account_id=ALICE,
        account_name="Alice Example",
        status=OrderStatus.DRAFT,
        provisioning_status=ProvisioningStatus.ACTIVATING,
        effective_date=date(2026, 11, 26),
        created_at=datetime(2026, 11, 26, 6, 49, 21, tzinfo=UTC),
        total=jpy("4180"),
        items=EXPECTED_ITEMS,
        provisioning_error=None,
        whmcs_order_id=1234,
    )
    assert isinstance(order, OrderSummary)
    assert (order.needs_sim, order.failure_reason) == (True, None)


def test_the_items_query_on_its_own_and_as_a_list_of_records():
    answer = load("order_items_query.json")
    assert salesforce.transform_salesforce_order_items(answer, currency_code_default="JPY") == EXPECTED_ITEMS
    assert salesforce.transform_salesforce_order_items(answer["records"], currency_code_default="JPY") == EXPECTED_ITEMS
    assert details(raw_items=answer["records"]).items == EXPECTED_ITEMS
    assert details(raw_items=[]).items == ()  # the design's transformSalesforceOrderDetails(order, [])


def test_single_record_tells_not_found_from_found():
    assert single_record({"totalSize": 0, "done": True, "records": []}, entity="order") is None
    assert single_record(load("order_query.json"), entity="order")["Id"] == ORDER
    two = altered(load("orders_for_account.json"), _set("records", load("orders_for_account.json")["records"][:2]))
    with pytest.raises(MappingError) as caught:
        single_record(two, entity="order")
    assert caught.value.field == "records"
    with pytest.raises(MappingError) as caught:
        single_record({"totalSize": 1, "done": True, "records": ["x"]}, entity="order")
    assert caught.value.field == "records.0"


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (lambda r: r.update(Account=None), lambda o: o.account_name is None),
        (lambda r: r["Account"].update(Name=None), lambda o: o.account_name is None),
        (lambda r: r.update(WHMCS_Order_Id__c=None), lambda o: o.whmcs_order_id is None),
        (lambda r: r.pop("WHMCS_Order_Id__c"), lambda o: o.whmcs_order_id is None),  # the list query
        (lambda r: r.update(WHMCS_Order_Id__c=1234), lambda o: o.whmcs_order_id == 1234),
        (lambda r: r.update(TotalAmount=4180.5), lambda o: o.total.amount == Decimal("4180.5")),
        (lambda r: r.update(CreatedDate="2026-11-26T06:49:21Z"), lambda o: o.created_at.tzinfo is not None),
        (
            lambda r: r.update(CreatedDate="2026-11-26T15:49:21.000+0900"),
            lambda o: o.created_at == datetime(2026, 11, 26, 6, 49, 21, tzinfo=UTC)
            and o.created_at.utcoffset() == timedelta(hours=9),
        ),
        (lambda r: r.update(Type=None), lambda o: o.number == "00000103"),
        (lambda r: r.pop("attributes"), lambda o: o.id == ORDER),
        (lambda r: r.update(Id="8015g0000eKOmXR"), lambda o: o.id == ORDER),  # 15 -> 18 characters
        (
            lambda r: r.update(Provisioning_Status__c="Failed", Provisioning_Error__c="SIM out of stock."),
            lambda o: (o.provisioning_error, o.failure_reason) == ("SIM out of stock.", "SIM out of stock."),
        ),
        (  # a stale reason is kept but not shown once the order is retried
            lambda r: r.update(Provisioning_Error__c="SIM out of stock."),
            lambda o: (o.provisioning_error, o.failure_reason) == ("SIM out of stock.", None),
        ),
        (lambda r: r.update(Provisioning_Error__c=""), lambda o: o.provisioning_error is None),
        # an order staff created in Salesforce has no Provisioning_Status__c: derived from Status
        (
            lambda r: r.update(Provisioning_Status__c=None, Status="Draft"),
            lambda o: o.provisioning_status is ProvisioningStatus.PENDING_REVIEW,
        ),
        (
            lambda r: r.update(Provisioning_Status__c=None, Status="Activated"),
            lambda o: o.provisioning_status is ProvisioningStatus.ACTIVE,
        ),
        (
            lambda r: r.update(CurrencyIsoCode="USD"),
            lambda o: o.total.currency == "USD" and {i.unit_price.currency for i in o.items} == {"USD"},
        ),
    ],
)
def test_order_quirks(change, check):
    record = order_record()
    change(record)
    assert check(details(record))


@pytest.mark.parametrize(
    ("change", "check"),
    [
        (_set("records.0.Quantity", 3), lambda items: items[0].quantity == 3),
        (_set("records.0.Quantity", 3.0), lambda items: items[0].quantity == 3),
        (_set("records.0.UnitPrice", 1980.4), lambda items: items[0].unit_price.amount == Decimal("1980.4")),
        (_set("records.0.Product2.WHMCS_Product_Id__c", None), lambda items: items[0].whmcs_product_id is None),
        (_set("records.0.Product2.attributes", _DELETE), lambda items: items[0].sku == "MOB-SIM-20GB"),
        # fields a product may leave empty: no SKU shows none, no item class is a service line
        (_set("records.0.Product2.StockKeepingUnit", None), lambda items: items[0].sku == ""),
        (_set("records.1.Product2.Item_Class__c", None), lambda items: items[1].item_class is ItemClass.SERVICE),
        (_set("records", []), lambda items: items == ()),
    ],
)
def test_item_quirks(change, check):
    answer = altered(load("order_items_query.json"), change)
    assert check(salesforce.transform_salesforce_order_items(answer, currency_code_default="JPY"))


ORDER_MALFORMED = [
    (_set("Status", "Cancelled"), "Status"),
    (_set("Status", None), "Status"),
    (_set("Provisioning_Status__c", "pending review"), "Provisioning_Status__c"),
    (_set("Provisioning_Status__c", _DELETE), "Provisioning_Status__c"),
    (_set("Provisioning_Error__c", 5), "Provisioning_Error__c"),
    (_set("CreatedDate", "2026-11-26 06:49:21"), "CreatedDate"),
    (_set("CreatedDate", "2026-11-26T06:49:21.000"), "CreatedDate"),  # no offset: refused, never guessed
    (_set("CreatedDate", "2026-11-31T06:49:21.000+0000"), "CreatedDate"),
    (_set("CreatedDate", 1795675761), "CreatedDate"),
    (_set("EffectiveDate", "2026-02-30"), "EffectiveDate"),
    (_set("EffectiveDate", "26/11/2026"), "EffectiveDate"),
    (_set("EffectiveDate", None), "EffectiveDate"),
    (_set("TotalAmount", "4180.0"), "TotalAmount"),
    (_set("TotalAmount", None), "TotalAmount"),
    (_set("OrderNumber", None), "OrderNumber"),
    (_set("OrderNumber", ""), "OrderNumber"),
    (_set("Id", "0015g0000C3J27XAQS"), "Id"),  # an Account id where the Order id belongs
    (_set("Id", "8015g0000eKOmXRAA2"), "Id"),  # checksum
    (_set("Id", "8015g0000eKOmXR\n"), "Id"),
    (_set("AccountId", "8015g0000eKOmXRAA1"), "AccountId"),
    (_set("AccountId", _DELETE), "AccountId"),
    (_set("Account", _DELETE), "Account"),
    (_set("Account", "Alice Example"), "Account"),
    (_set("Account.Name", 42), "Account.Name"),
    (_set("WHMCS_Order_Id__c", 0), "WHMCS_Order_Id__c"),
    (_set("WHMCS_Order_Id__c", 12.5), "WHMCS_Order_Id__c"),
    (_set("CurrencyIsoCode", "yen"), "CurrencyIsoCode"),
]


@pytest.mark.parametrize(("change", "field"), ORDER_MALFORMED)
def test_malformed_order_raises_mapping_error_naming_the_field(change, field):
    record = altered(order_record(), change)
    for transform in (
        lambda: salesforce.transform_salesforce_order_summary(record, currency_code_default="JPY"),
        lambda: details(record),
    ):
        with pytest.raises(MappingError) as caught:
            transform()
        assert type(caught.value) is MappingError
        assert (caught.value.provider, caught.value.entity, caught.value.field) == ("salesforce", "order", field)
        assert f"'{field}'" in str(caught.value)
        assert caught.value.__cause__ is None


def test_malformed_order_in_a_list_is_named_by_its_position():
    answer = altered(load("orders_for_account.json"), _set("records.2.Status", "Cancelled"))
    with pytest.raises(MappingError) as caught:
        salesforce.transform_salesforce_order_list(answer, currency_code_default="JPY")
    assert caught.value.field == "records.2.Status"
    with pytest.raises(MappingError) as caught:
        salesforce.transform_salesforce_order_list(altered(answer, _set("done", False)), currency_code_default="JPY")
    assert caught.value.field == "done"


def test_a_sim_lines_sim_cards_or_esims_with_their_phones():
    answer = load("order_items_query.json")
    staff_made = altered(altered(answer, _set("records.0.SIM_Type__c", None)), _set("records.0.EIDs__c", None))
    two_phones = altered(answer, _set("records.0.EIDs__c", f"{PHONE_EID}\n{'8' * 32}"))

    [untyped, *_] = salesforce.transform_salesforce_order_items(staff_made, currency_code_default="JPY")
    [esims, *_] = salesforce.transform_salesforce_order_items(two_phones, currency_code_default="JPY")

    assert untyped.sim == SimChoice(kind=SimKind.PHYSICAL), "a SIM line without a type: SIM cards"
    assert esims.sim.eids == (PHONE_EID, "8" * 32)
    assert [item.sim for item in salesforce.transform_salesforce_order_items(
        answer, currency_code_default="JPY")[1:]] == [None, None], "not a SIM plan: no SIM"


@pytest.mark.parametrize("change, field", [
    (_set("records.0.SIM_Type__c", "Nano"), "records.0.SIM_Type__c"),
    (_set("records.0.EIDs__c", "1234"), "records.0.EIDs__c"),
    (_set("records.0.EIDs__c", f"{PHONE_EID} {PHONE_EID}"), "records.0.EIDs__c"),
    (_set("records.0.SIM_Type__c", "Physical"), "records.0.EIDs__c"),  # a card with an EID
])
def test_a_malformed_sim_choice_names_its_field(change, field):
    with pytest.raises(MappingError) as caught:
        salesforce.transform_salesforce_order_items(altered(load("order_items_query.json"), change),
                                                    currency_code_default="JPY")
    assert caught.value.field == field


ITEMS_MALFORMED = [
    (_set("records.0.Product2", None), "records.0.Product2"),
    (_set("records.0.Product2", _DELETE), "records.0.Product2"),
    (_set("records.0.Product2.StockKeepingUnit", _DELETE), "records.0.Product2.StockKeepingUnit"),
    (_set("records.1.Product2.Billing_Cycle__c", None), "records.1.Product2.Billing_Cycle__c"),
    (_set("records.0.Product2.Name", _DELETE), "records.0.Product2.Name"),
    (_set("records.1.Product2.Item_Class__c", "Addon"), "records.1.Product2.Item_Class__c"),
    (_set("records.1.Product2.Billing_Cycle__c", "Yearly"), "records.1.Product2.Billing_Cycle__c"),
    (_set("records.1.Product2.Is_SIM__c", None), "records.1.Product2.Is_SIM__c"),
    (_set("records.1.Product2.WHMCS_Product_Id__c", -3), "records.1.Product2.WHMCS_Product_Id__c"),
    (_set("records.1.Quantity", 0), "records.1.Quantity"),
    (_set("records.1.Quantity", 1.5), "records.1.Quantity"),
    (_set("records.1.Quantity", "2"), "records.1.Quantity"),
    (_set("records.2.UnitPrice", None), "records.2.UnitPrice"),
    (_set("records.2.TotalPrice", float("nan")), "records.2.TotalPrice"),
    (_set("records.2.Product2Id", "01u5g0000sye9b2AAA"), "records.2.Product2Id"),
    (_set("records.2.PricebookEntryId", "01t5g0000uCL1mHAAT"), "records.2.PricebookEntryId"),
    (_set("records.2.Id", "8015g0000eKOmXRAA1"), "records.2.Id"),
    (_set("records.2.OrderId", None), "records.2.OrderId"),
    (_set("records.2", 7), "records.2"),
    (_set("done", False), "done"),
    (_set("records", {"0": {}}), "records"),
]


@pytest.mark.parametrize(("change", "field"), ITEMS_MALFORMED)
def test_malformed_items_raise_mapping_error_naming_the_field(change, field):
    answer = altered(load("order_items_query.json"), change)
    with pytest.raises(MappingError) as caught:
        salesforce.transform_salesforce_order_items(answer, currency_code_default="JPY")
    assert (caught.value.provider, caught.value.entity, caught.value.field) == ("salesforce", "order items", field)
    with pytest.raises(MappingError) as caught:
        details(raw_items=answer)
    assert caught.value.field == field


def test_one_unreadable_order_is_left_out_of_a_tolerant_list_and_reported():
    answer = load("orders_for_account.json")
    answer = altered(answer, _set("records.1.Status", "Cancelled"))
    answer = altered(answer, _set("records.2.Provisioning_Status__c", None))
    skipped: list[MappingError] = []

    orders = salesforce.transform_salesforce_order_list(answer, currency_code_default="JPY", on_skip=skipped.append)

    everything = load("orders_for_account.json")["records"]
    assert [o.id for o in orders] == [r["Id"] for i, r in enumerate(everything) if i != 1]
    assert [(e.entity, e.field) for e in skipped] == [("order list", "records.1.Status")]
    assert "unknown value 'Cancelled'" in skipped[0].reason


def test_one_unreadable_line_is_left_out_of_the_customers_order_and_reported():
    answer = altered(load("order_items_query.json"), _set("records.0.Product2", None))
    skipped: list[MappingError] = []

    order = salesforce.transform_salesforce_order_details(order_record(), answer, currency_code_default="JPY",
                                                          on_skip=skipped.append)

    assert order.items == EXPECTED_ITEMS[1:]
    assert [e.field for e in skipped] == ["records.0.Product2"]
    # a line of another order is never left out quietly, tolerant or not
    foreign = altered(load("order_items_query.json"), _set("records.1.OrderId", "8015g0000rvftvaAAA"))
    with pytest.raises(MappingError, match="another order"):
        salesforce.transform_salesforce_order_details(order_record(), foreign, currency_code_default="JPY",
                                                      on_skip=skipped.append)


def test_a_null_relationship_says_so():
    answer = altered(load("order_items_query.json"), _set("records.0.Product2", None))
    with pytest.raises(MappingError, match="is null"):
        salesforce.transform_salesforce_order_items(answer, currency_code_default="JPY")


def test_a_line_of_another_order_is_refused():
    answer = altered(load("order_items_query.json"), _set("records.1.OrderId", "8015g0000rvftvaAAA"))
    with pytest.raises(MappingError) as caught:
        details(raw_items=answer)
    assert (caught.value.field, caught.value.reason) == ("records.1.OrderId", "the line belongs to another order")
    # the same order written with 15 characters is the same order
    assert details(raw_items=altered(answer, _set("records.1.OrderId", "8015g0000eKOmXR"))).items == EXPECTED_ITEMS


@pytest.mark.parametrize("raw", [None, "", 42, [], "not json"])
def test_an_order_that_is_not_an_object(raw):
    with pytest.raises(MappingError) as caught:
        salesforce.transform_salesforce_order_summary(raw, currency_code_default="JPY")
    assert caught.value.field == "(root)"
    with pytest.raises(MappingError) as caught:
        salesforce.transform_salesforce_order_details(raw, [], currency_code_default="JPY")
    assert caught.value.field == "(root)"


@pytest.mark.parametrize("currency", ["", "jpy", None])
def test_the_default_currency_must_be_a_currency_code(currency):
    with pytest.raises(ValueError, match="currency_code_default"):
        details(currency=currency)
    with pytest.raises(ValueError, match="currency_code_default"):
        salesforce.transform_salesforce_order_list(load("orders_for_account.json"), currency_code_default=currency)


def test_mapping_is_pure_float_free_and_immutable():
    order, items = order_record(), load("order_items_query.json")
    before = copy.deepcopy((order, items))

    result = details(order, items)

    assert (order, items) == before
    assert details(order, items) == result
    assert floats_in(result) == []
    hash(result)
    with pytest.raises(ValidationError, match="frozen"):
        result.items[0].quantity = 5
    assert OrderDetails.model_validate_json(result.model_dump_json()) == result  # cache round trip


def test_order_details_are_consistent():
    order = details()
    with pytest.raises(ValidationError, match="currency"):
        OrderDetails(**order.model_dump() | {"total": Money(amount=Decimal(1), currency="USD")})
    with pytest.raises(ValidationError, match="same currency"):
        OrderItem(**EXPECTED_ITEMS[0].model_dump() | {"total_price": Money(amount=Decimal(1), currency="USD")})
    with pytest.raises(ValidationError):
        OrderSummary(**order.model_dump(include=set(OrderSummary.model_fields)) | {"created_at": datetime(2026, 1, 1)})


# --- the timeline --------------------------------------------------------------------------------

D, C, F, U = StepState.DONE, StepState.CURRENT, StepState.FAILED, StepState.UPCOMING


@pytest.mark.parametrize(
    ("status", "states"),
    [
        (ProvisioningStatus.PENDING_REVIEW, [C, U, U, U]),
        (ProvisioningStatus.APPROVED, [D, C, U, U]),
        (ProvisioningStatus.ACTIVATING, [D, D, C, U]),
        (ProvisioningStatus.ACTIVE, [D, D, D, D]),
        (ProvisioningStatus.FAILED, [D, D, F, U]),
        ("Failed", [D, D, F, U]),
    ],
)
def test_the_timeline(status, states):
    timeline = provisioning_timeline(status)
    assert [step.status for step in timeline] == [
        ProvisioningStatus.PENDING_REVIEW,
        ProvisioningStatus.APPROVED,
        ProvisioningStatus.ACTIVATING,
        ProvisioningStatus.ACTIVE,
    ]
    assert [step.label for step in timeline] == ["Under review", "Approved", "Activating", "Active"]
    assert [step.state for step in timeline] == states


def test_an_order_carries_its_timeline():
    orders = salesforce.transform_salesforce_order_list(load("orders_for_account.json"), currency_code_default="JPY")
    assert [[step.state for step in order.timeline] for order in orders] == [[C, U, U, U], [D, D, F, U], [D, D, D, D]]
    assert [order.provisioning_status.is_final for order in orders] == [False, True, True]


def test_the_timeline_refuses_an_unknown_status():
    with pytest.raises(ValueError):
        provisioning_timeline("Cancelled")


def test_datetimes_keep_their_offset_and_compare_in_utc():
    order = details(order_record(CreatedDate="2026-11-26T06:49:21.000-0130"))
    assert order.created_at.utcoffset() == -timedelta(hours=1, minutes=30)
    assert order.created_at == datetime(2026, 11, 26, 8, 19, 21, tzinfo=UTC)


def test_the_open_order_check_says_whether_a_line_was_found():
    line = {"attributes": {"type": "OrderItem"}, "Id": "8025g00000AbCdEAAV", "OrderId": "8015g0000eKOmXRAA1"}

    assert salesforce.transform_salesforce_open_order_check({"totalSize": 1, "done": True, "records": [line]})
    assert not salesforce.transform_salesforce_open_order_check({"totalSize": 0, "done": True, "records": []})
    with pytest.raises(MappingError, match="records.0.OrderId"):
        salesforce.transform_salesforce_open_order_check(
            {"totalSize": 1, "done": True, "records": [{**line, "OrderId": "001' OR '1'='1"}]})
