"""The Salesforce query builders: exact SOQL for normal input, and no way for any input to change a
query's shape (docs/decisions.md §4). The property tests read every produced query with a small SOQL
literal scanner: with each quoted literal replaced by `?`, what is left must be exactly the
query's skeleton, and each literal must decode to the validated value.
"""
import re
import string
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from simple_salesforce import format_soql

from domain.catalog.types import ProductCategory
from domain.shared.salesforce_id import InvalidSalesforceId, KeyPrefix, to_18
from integrations.salesforce.utils.catalog_query_builder import build_catalog_query
from integrations.salesforce.utils.order_query_builder import (
    build_open_order_in_category_query,
    build_order_by_request_id_query,
    build_order_items_query,
    build_order_query,
    build_order_select_fields,
    build_orders_for_account_query,
)
from integrations.salesforce.utils.organization_query_builder import build_org_id_query
from integrations.salesforce.utils.pricebook_query_builder import build_pricebook_by_name_query
from integrations.salesforce.utils.soql import (
    InvalidQueryArgumentError,
    InvalidSalesforceIdError,
    require_salesforce_id,
)

ACCOUNT = "0015g0000C3J27XAQS"
ORDER = "8015g0000eKOmXRAA1"
PRICEBOOK = "01s5g0000lZGEONAA5"

ORDER_FIELDS = (
    "Id, AccountId, Status, Type, EffectiveDate, OrderNumber, TotalAmount, CreatedDate, "
    "Provisioning_Status__c, Provisioning_Error__c, Account.Name, Account.Email__c"
)
ORDER_ITEM_FIELDS = (
    "Id, OrderId, Product2Id, PricebookEntryId, Quantity, UnitPrice, TotalPrice, SIM_Type__c, EIDs__c, "
    "Product2.Name, Product2.StockKeepingUnit, Product2.Item_Class__c, Product2.Billing_Cycle__c, "
    "Product2.WHMCS_Product_Id__c, Product2.Is_SIM__c"
)
CATALOG_HEAD = (
    "SELECT Id, Name, ProductCode, StockKeepingUnit, Description, Family, Item_Class__c, Billing_Cycle__c, "
    "WHMCS_Product_Id__c, Is_SIM__c, Portal_Sort_Order__c, "
    "(SELECT Id, UnitPrice, CurrencyIsoCode FROM PricebookEntries "
    "WHERE Pricebook2Id = {pricebook} AND IsActive = true) "
    "FROM Product2 WHERE Portal_Catalog__c = true AND IsActive = true"
)
CATALOG_TAIL = " ORDER BY Family, Portal_Sort_Order__c, Name"

# --- exact SOQL ----------------------------------------------------------------------------------


def test_orders_for_an_account():
    assert build_orders_for_account_query(ACCOUNT) == (
        f"SELECT {ORDER_FIELDS} FROM Order WHERE AccountId = '{ACCOUNT}' ORDER BY CreatedDate DESC LIMIT 50"  # noqa: S608 - expected SOQL
    )
    assert build_orders_for_account_query(ACCOUNT[:15], limit=5) == (
        f"SELECT {ORDER_FIELDS} FROM Order WHERE AccountId = '{ACCOUNT}' ORDER BY CreatedDate DESC LIMIT 5"  # noqa: S608 - expected SOQL
    )


def test_one_order_of_an_account():
    assert build_order_query(ORDER, ACCOUNT) == (
        f"SELECT {ORDER_FIELDS}, WHMCS_Order_Id__c FROM Order WHERE Id = '{ORDER}' AND AccountId = '{ACCOUNT}' LIMIT 1"  # noqa: S608 - expected SOQL
    )
    assert build_order_query(ORDER[:15], ACCOUNT[:15]) == build_order_query(ORDER, ACCOUNT)


def test_the_items_of_an_order():
    assert build_order_items_query(ORDER) == (
        f"SELECT {ORDER_ITEM_FIELDS} FROM OrderItem WHERE OrderId = '{ORDER}' ORDER BY Id"  # noqa: S608 - expected SOQL
    )


def test_the_order_of_a_request_id():
    assert build_order_by_request_id_query("3f6d2a9e-2c4b-4a43-9a0e-7f1b8f6c2d11", ACCOUNT) == (
        "SELECT Id FROM Order WHERE Portal_Request_Id__c = '3f6d2a9e-2c4b-4a43-9a0e-7f1b8f6c2d11'"
        f" AND AccountId = '{ACCOUNT}' LIMIT 1"
    )


def test_the_catalog():
    assert build_catalog_query(PRICEBOOK) == CATALOG_HEAD.format(pricebook=f"'{PRICEBOOK}'") + CATALOG_TAIL
    mobile = CATALOG_HEAD.format(pricebook=f"'{PRICEBOOK}'") + " AND Family = 'Mobile'" + CATALOG_TAIL
    assert build_catalog_query(PRICEBOOK, "Mobile") == mobile
    assert build_catalog_query(PRICEBOOK[:15], ProductCategory.MOBILE) == mobile
    assert build_catalog_query(PRICEBOOK, ProductCategory.VPN).endswith("AND Family = 'VPN'" + CATALOG_TAIL)


def test_the_price_book_by_name():
    assert build_pricebook_by_name_query("Portal") == (
        "SELECT Id FROM Pricebook2 WHERE Name = 'Portal' AND IsActive = true LIMIT 2"
    )
    assert build_pricebook_by_name_query("O'Brien \\ Portal") == (
        "SELECT Id FROM Pricebook2 WHERE Name = 'O\\'Brien \\\\ Portal' AND IsActive = true LIMIT 2"
    )


@pytest.mark.parametrize("name", ["", "   ", "Portal\n", "Portal\r", "\x00", "Portal\u2028", "x" * 256, None, 7])
def test_a_price_book_name_is_printable_text(name):
    with pytest.raises(InvalidQueryArgumentError, match="price book name"):
        build_pricebook_by_name_query(name)


def test_the_organization():
    assert build_org_id_query() == "SELECT Id FROM Organization"


def test_order_select_fields():
    fields = ORDER_FIELDS.split(", ")
    assert build_order_select_fields() == fields
    additional = ["WHMCS_Order_Id__c", "Pricebook2Id", "whmcs_order_id__c", "ID", "account.name"]
    assert build_order_select_fields(additional) == [*fields, "WHMCS_Order_Id__c", "Pricebook2Id"]
    assert build_order_select_fields(("Id", "Status")) == fields


@pytest.mark.parametrize(
    "bad", ["Id, (SELECT Id FROM Account)", "Name FROM User --", "Id\n", "", "Account..Name", "1Id", 7]
)
def test_an_additional_field_must_be_a_field_name(bad):
    with pytest.raises(InvalidQueryArgumentError):
        build_order_select_fields([bad])


def test_additional_fields_are_a_list_not_one_string():
    with pytest.raises(TypeError):
        build_order_select_fields("Pricebook2Id")


# --- ids -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "prefix", "expected"),
    [
        (ORDER, None, ORDER),
        (ORDER[:15], None, ORDER),
        (ORDER, KeyPrefix.ORDER, ORDER),
        (ORDER, "801", ORDER),
        (ACCOUNT[:15], KeyPrefix.ACCOUNT, ACCOUNT),
    ],
)
def test_require_salesforce_id(value, prefix, expected):
    assert require_salesforce_id(value, prefix=prefix) == expected


@pytest.mark.parametrize(
    ("value", "prefix", "reason"),
    [
        (ORDER[:14], None, "15 or 18"),
        (ORDER[:16], None, "15 or 18"),
        (ORDER + "A", None, "15 or 18"),
        (ORDER[:17] + "Z", None, "checksum"),
        (ORDER.upper(), None, "checksum"),  # the letter case was lost somewhere
        (ORDER[:15] + "\n", None, "15 or 18"),
        (ORDER + "\n", None, "15 or 18"),
        (" " + ORDER[:15], None, "15 or 18"),
        ("8015g0000eKOmX-", None, "15 or 18"),
        ("8015g0000eKOmXé", None, "15 or 18"),
        ("' OR Id != '", None, "15 or 18"),
        (None, None, "15 or 18"),
        (8015, None, "15 or 18"),
        (ACCOUNT, KeyPrefix.ORDER, "Order (key prefix 801)"),
        (ORDER, KeyPrefix.ACCOUNT, "Account (key prefix 001)"),
        ("01T5g0000lZGEON", KeyPrefix.PRODUCT, "key prefix 01t"),  # key prefixes are case-sensitive
    ],
)
def test_require_salesforce_id_refuses(value, prefix, reason):
    with pytest.raises(InvalidSalesforceIdError, match=re.escape(reason)) as caught:
        require_salesforce_id(value, prefix=prefix)
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, InvalidQueryArgumentError)
    assert isinstance(caught.value, InvalidSalesforceId)
    assert caught.value.__cause__ is None
    if isinstance(value, str) and len(value) > 3:
        assert value not in str(caught.value)  # never echoed


@pytest.mark.parametrize("prefix", ["80", "8011", "80'", 801])
def test_a_prefix_is_three_letters_or_digits(prefix):
    with pytest.raises(TypeError):
        require_salesforce_id(ORDER, prefix=prefix)


# --- hostile input raises before any SOQL exists -------------------------------------------------

HOSTILE_IDS = [
    "' OR Id != '",
    "\\' OR 1=1 --",
    f"{ACCOUNT}' OR Id != '",
    f"{ACCOUNT}\n",
    f"{ACCOUNT[:15]}\nOR",
    f"{ACCOUNT[:17]}B",  # wrong checksum
    "",
    None,
]


@pytest.mark.parametrize("hostile", HOSTILE_IDS)
@pytest.mark.parametrize(
    "build",
    [
        lambda value: build_orders_for_account_query(value),
        lambda value: build_order_query(ORDER, value),
        lambda value: build_order_query(value, ACCOUNT),
        lambda value: build_order_items_query(value),
        lambda value: build_catalog_query(value),
    ],
    ids=["orders", "order-account", "order-id", "items", "catalog-pricebook"],
)
def test_hostile_ids_raise(build, hostile):
    with pytest.raises(InvalidQueryArgumentError):
        build(hostile)


@pytest.mark.parametrize(
    "category",
    ["Mobile' OR Family != '", "\\' OR 1=1", "Mobile\n", "Mobile ", "mobile", "MOBILE", "", "Broadband", 1, ["Mobile"]],
)
def test_unknown_categories_raise(category):
    with pytest.raises(InvalidQueryArgumentError, match="category must be one of Internet, Mobile, VPN, Fees"):
        build_catalog_query(PRICEBOOK, category)


@pytest.mark.parametrize(
    "request_id", ["' OR Id != '", "\\' OR 1=1", "abc\n", "abc'", "a" * 65, "", "a b", "x%", "x_y", None, 42]
)
def test_hostile_request_ids_raise(request_id):
    with pytest.raises(InvalidQueryArgumentError, match="request id"):
        build_order_by_request_id_query(request_id, ACCOUNT)


@pytest.mark.parametrize("limit", [0, -1, 201, True, "50", 5.0, None, "50 OR 1=1"])
def test_the_limit_is_a_whole_number_in_range(limit):
    with pytest.raises(InvalidQueryArgumentError, match="limit"):
        build_orders_for_account_query(ACCOUNT, limit=limit)


# --- properties ----------------------------------------------------------------------------------

_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


def split_literals(soql: str) -> tuple[str, list[str]]:
    """(the query with each quoted literal replaced by `?`, the decoded literals).

    A literal runs from a `'` to the next `'` not escaped by a backslash; inside it only SOQL's
    escape sequences may follow a backslash. Anything else fails the test.
    """
    skeleton: list[str] = []
    literals: list[str] = []
    index = 0
    while index < len(soql):
        char = soql[index]
        index += 1
        if char != "'":
            assert char != "\\", "a backslash outside a literal"
            skeleton.append(char)
            continue
        value: list[str] = []
        while True:
            assert index < len(soql), "an unterminated literal"
            char = soql[index]
            if char == "\\":
                assert index + 1 < len(soql) and soql[index + 1] in _ESCAPES, "an unknown escape sequence"
                value.append(_ESCAPES[soql[index + 1]])
                index += 2
            elif char == "'":
                index += 1
                break
            else:
                value.append(char)
                index += 1
        literals.append("".join(value))
        skeleton.append("?")
    return "".join(skeleton), literals


PROPERTY = settings(max_examples=300, deadline=None)

_ALNUM = string.ascii_letters + string.digits
_TRICKS = ["'", "\\", "\\'", "\n", "\r", "\t", '"', "%", "_", " OR Id != ", "--", "\x00", "\u2028", "é", "１"]


def _id15(prefix: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=_ALNUM, min_size=12, max_size=12).map(lambda rest: prefix + rest)


def _ids(prefix: str) -> st.SearchStrategy[str]:
    """Mostly ids of the object `prefix` names, with every way of getting one wrong mixed in."""
    valid = _id15(prefix).flatmap(lambda id15: st.sampled_from([id15, to_18(id15)]))
    other_object = st.sampled_from([p.value for p in KeyPrefix if p != prefix]).flatmap(_id15).map(to_18)
    wrong = st.one_of(
        valid.map(str.swapcase),  # letter case lost: the checksum no longer matches
        st.tuples(_id15(prefix), st.text(alphabet=_ALNUM, min_size=3, max_size=3)).map("".join),  # random checksum
        other_object,
        st.tuples(valid, st.sampled_from(_TRICKS), st.text(max_size=5)).map("".join),
        st.tuples(st.text(max_size=3), st.sampled_from(_TRICKS), valid).map("".join),
        st.text(alphabet=_ALNUM + "'\\\n", min_size=15, max_size=18),
        st.text(),
    )
    # about half valid, so the queries themselves get checked too (a nested one_of would be flattened)
    return st.booleans().flatmap(lambda is_valid: valid if is_valid else wrong)


def _expect_id(value: object, literal: str, prefix: str) -> None:
    assert isinstance(value, str)
    assert literal == to_18(value) and literal.startswith(prefix)
    assert literal[:15] == value[:15] and len(literal) == 18 and literal.isascii() and literal.isalnum()


@PROPERTY
@given(st.text())
@example("\\' OR 1=1 --")
@example("'; DELETE")
def test_the_literal_scanner_reads_format_soql_back(value):
    """The oracle itself: whatever format_soql quotes comes back whole from one literal."""
    assert split_literals(format_soql("SELECT Id FROM Order WHERE Name = {} LIMIT 1", value)) == (
        "SELECT Id FROM Order WHERE Name = ? LIMIT 1",
        [value],
    )


@PROPERTY
@given(_ids("001"), st.one_of(st.integers(min_value=-5, max_value=300), st.booleans(), st.text(max_size=5)))
@example(f"{ACCOUNT}' OR Id != '", 50)
@example(f"{ACCOUNT[:15]}\n", 50)
def test_orders_query_property(account_id, limit):
    try:
        soql = build_orders_for_account_query(account_id, limit)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        return
    skeleton, literals = split_literals(soql)
    assert skeleton == f"SELECT {ORDER_FIELDS} FROM Order WHERE AccountId = ? ORDER BY CreatedDate DESC LIMIT {limit}"  # noqa: S608 - expected SOQL
    assert isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= 200
    assert len(literals) == 1
    _expect_id(account_id, literals[0], "001")


@PROPERTY
@given(_ids("801"), _ids("001"))
@example(ORDER, "' OR Id != '")
@example(f"{ORDER}\\' OR 1=1", ACCOUNT)
def test_order_query_property(order_id, account_id):
    try:
        soql = build_order_query(order_id, account_id)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        return
    skeleton, literals = split_literals(soql)
    assert skeleton == f"SELECT {ORDER_FIELDS}, WHMCS_Order_Id__c FROM Order WHERE Id = ? AND AccountId = ? LIMIT 1"  # noqa: S608 - expected SOQL
    assert len(literals) == 2
    _expect_id(order_id, literals[0], "801")
    _expect_id(account_id, literals[1], "001")


@PROPERTY
@given(_ids("801"))
def test_order_items_query_property(order_id):
    try:
        soql = build_order_items_query(order_id)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        return
    skeleton, literals = split_literals(soql)
    assert skeleton == f"SELECT {ORDER_ITEM_FIELDS} FROM OrderItem WHERE OrderId = ? ORDER BY Id"  # noqa: S608 - expected SOQL
    assert len(literals) == 1
    _expect_id(order_id, literals[0], "801")


_REQUEST_IDS = st.one_of(
    st.from_regex(r"[A-Za-z0-9-]{1,64}", fullmatch=True),
    st.uuids().map(str),
    st.tuples(st.from_regex(r"[A-Za-z0-9-]{1,64}", fullmatch=True), st.sampled_from(_TRICKS)).map("".join),
    st.text(),
    st.text(alphabet=_ALNUM + "-'\\\n", max_size=70),
)


@PROPERTY
@given(_REQUEST_IDS)
@example("' OR Id != '")
@example("\\' OR 1=1")
@example("abc\n")
@example("a" * 64)
def test_request_id_query_property(request_id):
    try:
        soql = build_order_by_request_id_query(request_id, ACCOUNT)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        return
    skeleton, literals = split_literals(soql)
    assert skeleton == "SELECT Id FROM Order WHERE Portal_Request_Id__c = ? AND AccountId = ? LIMIT 1"
    assert literals == [request_id, ACCOUNT]
    assert 1 <= len(request_id) <= 64 and all(char in _ALNUM + "-" for char in request_id)


_CATEGORIES = st.booleans().flatmap(
    lambda is_valid: st.one_of(
        st.none(),
        st.sampled_from(list(ProductCategory)),
        st.sampled_from([category.value for category in ProductCategory]),
    )
    if is_valid
    else st.one_of(
        st.tuples(st.sampled_from([c.value for c in ProductCategory]), st.sampled_from(_TRICKS)).map("".join),
        st.text(),
    )
)


@PROPERTY
@given(_ids("01s"), _CATEGORIES)
@example(PRICEBOOK, "Mobile' OR Family != '")
@example(PRICEBOOK, "\\' OR 1=1")
@example(PRICEBOOK, "Mobile\n")
def test_catalog_query_property(pricebook_id, category):
    try:
        soql = build_catalog_query(pricebook_id, category)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        return
    skeleton, literals = split_literals(soql)
    family = "" if category is None else " AND Family = ?"
    assert skeleton == CATALOG_HEAD.format(pricebook="?") + family + CATALOG_TAIL
    _expect_id(pricebook_id, literals[0], "01s")
    if category is None:
        assert len(literals) == 1
    else:
        assert literals[1:] == [ProductCategory(category).value]
        assert category in set(ProductCategory)


@PROPERTY
@given(st.text(max_size=300))
@example("Portal' OR Name != '")
@example("\\' OR 1=1 --")
@example("Portal\n")
def test_price_book_query_property(name):
    try:
        soql = build_pricebook_by_name_query(name)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        return
    skeleton, literals = split_literals(soql)
    assert skeleton == "SELECT Id FROM Pricebook2 WHERE Name = ? AND IsActive = true LIMIT 2"
    assert literals == [name]
    assert not any(unicodedata.category(char)[0] == "C" or char in "\u2028\u2029" for char in name)


def test_an_open_internet_order_of_the_account():
    assert build_open_order_in_category_query(ACCOUNT, ProductCategory.INTERNET) == (
        f"SELECT Id, OrderId FROM OrderItem WHERE Order.AccountId = '{ACCOUNT}' AND Product2.Family = 'Internet' "
        "AND Order.Status = 'Draft' AND Order.Provisioning_Status__c != 'Failed' LIMIT 1"
    )


@PROPERTY
@given(_ids("001"), _CATEGORIES)
@example(ACCOUNT, "Internet' OR Family != '")
@example("' OR Id != '", "Internet")
@example(f"{ACCOUNT[:15]}\n", "Mobile")
def test_open_order_in_category_query_property(account_id, category):
    try:
        soql = build_open_order_in_category_query(account_id, category)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        return
    skeleton, literals = split_literals(soql)
    assert skeleton == ("SELECT Id, OrderId FROM OrderItem WHERE Order.AccountId = ? AND Product2.Family = ? "
                        "AND Order.Status = ? AND Order.Provisioning_Status__c != ? LIMIT 1")
    _expect_id(account_id, literals[0], "001")
    assert literals[1:] == [ProductCategory(category).value, "Draft", "Failed"]
