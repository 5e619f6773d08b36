"""A NewOrder -> the sObject Tree request body, and Salesforce's answer -> the new Order id."""
import json
import pickle
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from domain.orders.providers import salesforce
from domain.orders.types import MAX_ORDER_LINES, NewOrder, NewOrderLine, SimChoice, check_request_id
from domain.shared.errors import MappingError
from domain.shared.money import Money
from domain.shared.providers.salesforce import SalesforceRecordError, SalesforceSaveError
from domain.sim.types import SimKind

FIXTURES = Path(__file__).parent / "fixtures"
ALICE = "0015g0000C3J27XAQS"
PORTAL_PRICEBOOK = "01s5g0000lZGEONAA5"
SIM_20GB = ("01t5g0000cMz9CPAAZ", "01u5g000071fTquAAE")
SIM_FEE = ("01t5g0000uCL1mHAAT", "01u5g0000sye9b2AAA")
REQUEST_ID = "3f6d2a9e-2c4b-4a43-9a0e-7f1b8f6c2d11"


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def jpy(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="JPY")


def line(product: tuple[str, str] = SIM_20GB, quantity: int = 1, price: Money | None = None) -> NewOrderLine:
    product_id, entry_id = product
    price = price or jpy("1980")
    return NewOrderLine(product_id=product_id, pricebook_entry_id=entry_id, quantity=quantity, unit_price=price)


def new_order(**changes: object) -> NewOrder:
    fields = {
        "account_id": ALICE,
        "pricebook_id": PORTAL_PRICEBOOK,
        "request_id": REQUEST_ID,
        "lines": (line(SIM_20GB, 2, jpy("1980")), line(SIM_FEE, 1, jpy("440"))),
    }
    return NewOrder(**fields | changes)


# --- the request body ----------------------------------------------------------------------------


def test_the_tree_body_is_exactly_the_documented_shape():
    body = salesforce.build_salesforce_order_tree(new_order(), effective_date=date(2026, 11, 26))

    assert body == {
        "records": [
            {
                "attributes": {"type": "Order", "referenceId": "order"},
                "AccountId": ALICE,
                "Pricebook2Id": PORTAL_PRICEBOOK,
                "EffectiveDate": "2026-11-26",
                "Status": "Draft",
                "Provisioning_Status__c": "Pending Review",
                "Portal_Request_Id__c": REQUEST_ID,
                "OrderItems": {
                    "records": [
                        {
                            "attributes": {"type": "OrderItem", "referenceId": "item1"},
                            "PricebookEntryId": "01u5g000071fTquAAE",
                            "Product2Id": "01t5g0000cMz9CPAAZ",
                            "Quantity": 2,
                            "UnitPrice": 1980,
                        },
                        {
                            "attributes": {"type": "OrderItem", "referenceId": "item2"},
                            "PricebookEntryId": "01u5g0000sye9b2AAA",
                            "Product2Id": "01t5g0000uCL1mHAAT",
                            "Quantity": 1,
                            "UnitPrice": 440,
                        },
                    ]
                },
            }
        ]
    }
    # what goes over the wire: plain JSON, whole amounts as integers
    assert json.loads(json.dumps(body)) == body
    assert '"UnitPrice": 1980}' in json.dumps(body)
    assert type(body["records"][0]["OrderItems"]["records"][0]["Quantity"]) is int


PHONES = ("89033023426200000000000000005501", "89033023426200000000000000005502")


def test_a_sim_plans_line_carries_its_sim_type_and_an_esim_lines_phones():
    esims = line(SIM_20GB, 2).model_copy(update={"sim": SimChoice(kind=SimKind.ESIM, eids=PHONES)})
    cards = line(SIM_FEE, 1).model_copy(update={"sim": SimChoice()})

    body = salesforce.build_salesforce_order_tree(new_order(lines=(esims, cards, line(("01t5g0000VNPkNaAQL",
                                                  "01u5g0000WoGsbeAQC"), 1))), effective_date=date(2026, 11, 26))

    first, second, third = body["records"][0]["OrderItems"]["records"]
    assert (first["SIM_Type__c"], first["EIDs__c"]) == ("eSIM", "\n".join(PHONES))
    assert second["SIM_Type__c"] == "Physical" and "EIDs__c" not in second
    assert "SIM_Type__c" not in third, "not a SIM plan"


@pytest.mark.parametrize("sim, quantity, message", [
    (SimChoice(kind=SimKind.ESIM, eids=PHONES[:1]), 2, "need 2 EID"),
    (SimChoice(kind=SimKind.ESIM, eids=()), 1, "need 1 EID"),
])
def test_an_esim_line_names_one_phone_per_unit(sim, quantity, message):
    with pytest.raises(ValidationError, match=message):
        NewOrderLine(product_id=SIM_20GB[0], pricebook_entry_id=SIM_20GB[1], quantity=quantity, unit_price=jpy("1"),
                     sim=sim)


@pytest.mark.parametrize("kind, eids, message", [
    (SimKind.PHYSICAL, PHONES[:1], "takes no EID"),
    (SimKind.ESIM, (PHONES[0], PHONES[0]), "listed twice"),
    (SimKind.ESIM, ("123",), "pattern"),
])
def test_a_sim_choice_is_checked(kind, eids, message):
    with pytest.raises(ValidationError, match=message):
        SimChoice(kind=kind, eids=eids)


def test_one_phone_takes_one_esim_across_the_order():
    first = line(SIM_20GB, 1).model_copy(update={"sim": SimChoice(kind=SimKind.ESIM, eids=PHONES[:1])})
    second = line(SIM_FEE, 1).model_copy(update={"sim": SimChoice(kind=SimKind.ESIM, eids=PHONES[:1])})
    with pytest.raises(ValidationError, match="listed twice"):
        new_order(lines=(first, second))


def test_the_body_carries_18_character_ids_and_never_a_float_approximation():
    order = new_order(
        account_id=ALICE[:15],
        lines=(line((SIM_20GB[0][:15], SIM_20GB[1][:15]), 1, Money(amount=Decimal("12.50"), currency="USD")),),
    )
    body = salesforce.build_salesforce_order_tree(order, effective_date=date(2026, 1, 2))
    record = body["records"][0]
    item = record["OrderItems"]["records"][0]
    assert (record["AccountId"], item["Product2Id"], item["PricebookEntryId"]) == (ALICE, *SIM_20GB)
    assert item["UnitPrice"] == 12.5 and json.dumps(item["UnitPrice"]) == "12.5"
    assert record["EffectiveDate"] == "2026-01-02"


def test_an_amount_a_json_number_cannot_carry_exactly_is_refused():
    order = new_order(lines=(line(price=jpy("0.1000000000000000055511151231257827")),))
    with pytest.raises(ValueError, match="exact JSON number"):
        salesforce.build_salesforce_order_tree(order, effective_date=date(2026, 1, 2))


def test_the_builder_takes_a_new_order_and_a_date():
    with pytest.raises(TypeError):
        salesforce.build_salesforce_order_tree(new_order().model_dump(), effective_date=date(2026, 1, 2))
    with pytest.raises(TypeError):
        salesforce.build_salesforce_order_tree(new_order(), effective_date="2026-01-02")


def test_every_line_gets_its_own_reference_id():
    products = [(f"01t5g000Prod{n:03d}", f"01u5g000Entr{n:03d}") for n in range(12)]
    order = new_order(lines=tuple(line(product) for product in products))
    items = salesforce.build_salesforce_order_tree(order, effective_date=date(2026, 1, 2))["records"][0]["OrderItems"]
    assert [item["attributes"]["referenceId"] for item in items["records"]] == [f"item{n}" for n in range(1, 13)]


# --- a new order's own rules ---------------------------------------------------------------------


@pytest.mark.parametrize("request_id", ["a", "A-1", "3f6d2a9e-2c4b-4a43-9a0e-7f1b8f6c2d11", "x" * 64, "-"])
def test_valid_request_ids(request_id):
    assert new_order(request_id=request_id).request_id == request_id
    assert check_request_id(request_id) == request_id


@pytest.mark.parametrize(
    "request_id",
    ["", "x" * 65, "abc\n", "\nabc", "a b", "a_b", "é", "１２３", "' OR 1=1", "abc'", None, 123, "a\x00"],
)
def test_invalid_request_ids(request_id):
    with pytest.raises(ValidationError) as caught:
        new_order(request_id=request_id)
    assert caught.value.errors()[0]["loc"] == ("request_id",)
    with pytest.raises(ValueError):
        check_request_id(request_id)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"lines": ()}, "at least 1"),
        ({"lines": (line(SIM_20GB, 1), line(SIM_20GB, 2))}, "one line only"),
        ({"lines": (line(SIM_20GB, 1), line((SIM_20GB[0][:15], SIM_FEE[1]), 1))}, "one line only"),
        (
            {"lines": (line(SIM_20GB), line(SIM_FEE, price=Money(amount=Decimal(4), currency="USD")))},
            "one currency",
        ),
        ({"account_id": "8015g0000eKOmXRAA1"}, "Account"),
        ({"pricebook_id": ALICE}, "Pricebook2"),
        ({"account_id": "0015g0000C3J27XAQZ"}, "checksum"),
    ],
)
def test_invalid_new_orders(changes, message):
    with pytest.raises(ValidationError, match=message):
        new_order(**changes)


def test_too_many_lines():
    products = [(f"01t5g000Prod{n:03d}", f"01u5g000Entr{n:03d}") for n in range(MAX_ORDER_LINES + 1)]
    assert len(new_order(lines=tuple(line(p) for p in products[:-1])).lines) == MAX_ORDER_LINES
    with pytest.raises(ValidationError, match="at most 199"):
        new_order(lines=tuple(line(p) for p in products))


@pytest.mark.parametrize("quantity", [0, 11, -1, True, "2", 2.0])
def test_a_line_quantity_is_a_whole_number_from_1_to_10(quantity):
    with pytest.raises(ValidationError) as caught:
        line(quantity=quantity)
    assert caught.value.errors()[0]["loc"] == ("quantity",)


@pytest.mark.parametrize(
    ("field", "value"),
    [("product_id", SIM_20GB[1]), ("pricebook_entry_id", SIM_20GB[0]), ("product_id", "01t5g0000cMz9CPAAZ\n")],
)
def test_a_line_refers_to_a_product_and_a_price_book_entry(field, value):
    fields = line().model_dump() | {field: value}
    with pytest.raises(ValidationError) as caught:
        NewOrderLine(**fields)
    assert caught.value.errors()[0]["loc"] == (field,)


def test_the_total_of_a_new_order():
    assert new_order().total == jpy("4400")
    with pytest.raises(ValidationError, match="frozen"):
        new_order().request_id = "other"


# --- the answer ----------------------------------------------------------------------------------


def test_the_created_order_id():
    assert salesforce.transform_salesforce_tree_result(load("tree_created.json")) == "8015g0000pTgadDAAR"


def test_a_refused_tree_raises_a_typed_error_carrying_salesforces_messages():
    with pytest.raises(SalesforceSaveError) as caught:
        salesforce.transform_salesforce_tree_result(load("tree_refused.json"))
    error = caught.value
    assert not isinstance(error, MappingError)
    assert error.errors == (
        SalesforceRecordError(
            reference_id="order",
            status_code="DUPLICATE_VALUE",
            message="duplicate value found: Portal_Request_Id__c duplicates value on record with id: 8015g0000eKOmXR",
            fields=("Portal_Request_Id__c",),
        ),
        SalesforceRecordError(
            reference_id="item2",
            status_code="FIELD_INTEGRITY_EXCEPTION",
            message="field integrity exception: PricebookEntryId (pricebook entry is inactive)",
            fields=("PricebookEntryId",),
        ),
    )
    assert error.has_status("DUPLICATE_VALUE") and not error.has_status("REQUIRED_FIELD_MISSING")
    assert "DUPLICATE_VALUE" in str(error) and "pricebook entry is inactive" in str(error)
    copied = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, as Celery would pickle it
    assert (copied.errors, str(copied)) == (error.errors, str(error))


def test_a_refusal_without_details_is_still_a_refusal():
    with pytest.raises(SalesforceSaveError, match="no reason given") as caught:
        salesforce.transform_salesforce_tree_result({"hasErrors": True, "results": []})
    assert caught.value.errors == ()


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"results": []}, "hasErrors"),
        ({"hasErrors": "false", "results": []}, "hasErrors"),
        ({"hasErrors": False}, "results"),
        ({"hasErrors": False, "results": []}, "results"),  # no result for the order
        ({"hasErrors": False, "results": [{"referenceId": "item1", "id": "8025g0000nar3ZLAAY"}]}, "results"),
        ({"hasErrors": False, "results": [{"referenceId": "order"}]}, "results.0.id"),
        ({"hasErrors": False, "results": [{"referenceId": "order", "id": "8025g0000nar3ZLAAY"}]}, "results"),
        ({"hasErrors": False, "results": [{"id": "8015g0000pTgadDAAR"}]}, "results.0.referenceId"),
        (
            {"hasErrors": True, "results": [{"referenceId": "order", "errors": [{"message": "x"}]}]},
            "results.0.errors.0.statusCode",
        ),
        ([{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}], "(root)"),
        (None, "(root)"),
    ],
)
def test_a_malformed_answer(raw, field):
    with pytest.raises(MappingError) as caught:
        salesforce.transform_salesforce_tree_result(raw)
    assert (caught.value.provider, caught.value.entity, caught.value.field) == ("salesforce", "order tree", field)
