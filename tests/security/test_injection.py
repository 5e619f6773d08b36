"""Injection: hostile strings in every parameter that reaches SOQL or a provider call are refused or
quoted, never spliced in.

1. Every Salesforce query builder (found by walking ``integrations/salesforce/utils``) has a property
   test: the ones ``tests/integrations/salesforce/test_query_builders.py`` lacks are here.
2. The WHMCS and Freebit connections, at their HTTP boundary (``responses``): whatever a parameter
   holds, it travels as one form field or one JSON string and cannot add or override another.
3. The portal's entry points (URL ids, query parameters, form and JSON fields) with hypothesis, the
   emulators behind them, and every request the portal sent them read back off the wire: each SOQL
   query has a known shape with validated literals, each WHMCS call carries one action and the
   portal's own credentials, each Freebit call only validated values, and no hostile string ever
   reaches a provider.
"""
from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import sys
from datetime import UTC, datetime
from urllib.parse import parse_qs, quote

import pytest
import responses
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from simple_salesforce import format_soql

import integrations.salesforce.utils as query_utils
from domain.catalog.types import ProductCategory
from domain.shared.salesforce_id import KeyPrefix, to_18
from integrations.salesforce.utils import case_query_builder, customer_query_builder
from integrations.salesforce.utils.catalog_query_builder import build_catalog_query, require_category
from integrations.salesforce.utils.order_query_builder import (
    ORDER_FIELDS,
    build_order_by_id_query,
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
    check_limit,
    field_list,
    require_salesforce_id,
    unique_fields,
)
from tests.integrations.salesforce import test_query_builders as existing
from tests.integrations.salesforce.test_query_builders import _REQUEST_IDS, _TRICKS, _ids, split_literals
from tests.security.conftest import ALICE, iccids, numbers

PROPERTY = hypothesis_settings(max_examples=100, deadline=None)
PORTAL_PROPERTY = hypothesis_settings(max_examples=40, deadline=None,
                                      suppress_health_check=[HealthCheck.function_scoped_fixture])
ORDER = "8015g0000eKOmXRAA1"
ACCOUNT = "0015g0000C3J27XAQS"

# -- 1. every query builder has a property test ----------------------------------------------------

COVERED = {
    # name: where its property test is ("existing": tests/integrations/salesforce/test_query_builders.py)
    "build_orders_for_account_query": "existing:test_orders_query_property",
    "build_order_query": "existing:test_order_query_property",
    "build_order_items_query": "existing:test_order_items_query_property",
    "build_order_by_request_id_query": "existing:test_request_id_query_property",
    "build_open_order_in_category_query": "existing:test_open_order_in_category_query_property",
    "build_catalog_query": "existing:test_catalog_query_property",
    "build_pricebook_by_name_query": "existing:test_price_book_query_property",
    "require_pricebook_name": "existing:test_price_book_query_property",
    "build_order_by_id_query": "test_order_by_id_query_property",
    "build_order_select_fields": "test_field_lists_property",
    "unique_fields": "test_field_lists_property",
    "field_list": "test_field_lists_property",
    "require_category": "test_require_category_property",
    "check_limit": "test_check_limit_property",
    "require_salesforce_id": "test_require_salesforce_id_property",
    "build_org_id_query": "test_the_organization_query_takes_no_input",
    "build_available_sims_query": "test_available_sims_query_property",
    "build_cases_for_account_query": "test_case_queries_property",
    "build_case_query": "test_case_queries_property",
    "build_case_by_request_id_query": "test_case_queries_property",
    "build_recent_comments_query": "test_case_queries_property",
    "build_content_version_by_request_id_query": "test_case_queries_property",
    "build_case_record_types_query": "test_the_case_record_types_query_takes_no_input",
    "build_account_by_request_id_query": "test_customer_queries_property",
    "build_contact_by_request_id_query": "test_customer_queries_property",
    "build_contact_of_account_query": "test_customer_queries_property",
    "build_identity_query": "test_customer_queries_property",
    "build_account_by_whmcs_client_query": "test_account_by_billing_client_query_property",
}


def builder_functions() -> dict[str, object]:
    found = {}
    for module_info in pkgutil.iter_modules(query_utils.__path__):
        module = importlib.import_module(f"{query_utils.__name__}.{module_info.name}")
        for name, member in inspect.getmembers(module, inspect.isfunction):
            if member.__module__ == module.__name__ and not name.startswith("_"):
                found[name] = member
    return found


def test_every_query_builder_function_has_a_property_test():
    functions = builder_functions()
    assert sorted(set(functions) - set(COVERED)) == [], "add a property test and list it in COVERED"
    assert sorted(set(COVERED) - set(functions)) == [], "COVERED names a function that no longer exists"
    for where in COVERED.values():
        module, _, test = where.rpartition(":")
        assert callable(getattr(existing if module == "existing" else sys.modules[__name__], test, None)), where


@PROPERTY
@given(_ids("801"))
@example(f"{ORDER}' OR Id != '")
@example(ORDER[:15] + "\n")
def test_order_by_id_query_property(order_id):
    try:
        soql = build_order_by_id_query(order_id)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        return
    skeleton, literals = split_literals(soql)
    assert skeleton == f"SELECT {', '.join(ORDER_FIELDS)}, WHMCS_Order_Id__c FROM Order WHERE Id = ? LIMIT 1"  # noqa: S608
    assert literals == [to_18(order_id[:15])] and literals[0][:15] == order_id[:15]


@PROPERTY
@given(kind=st.one_of(st.sampled_from(["Physical", "eSIM"]), st.text(max_size=12),
                      st.tuples(st.sampled_from(["Physical", "eSIM"]), st.sampled_from(_TRICKS)).map("".join)),
       data_only=st.one_of(st.booleans(), st.integers(), st.text(max_size=5), st.none()),
       limit=st.one_of(st.integers(min_value=-5, max_value=80), st.text(max_size=4)))
@example(kind="Physical' OR Status__c != '", data_only=True, limit=10)
def test_available_sims_query_property(kind, data_only, limit):
    from integrations.salesforce.utils.sim_inventory_query_builder import (
        SIM_INVENTORY_FIELDS,
        build_available_sims_query,
    )

    try:
        soql = build_available_sims_query(kind, data_only=data_only, limit=limit)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        assert kind not in ("Physical", "eSIM") or not isinstance(data_only, bool) or not (
            isinstance(limit, int) and 1 <= limit <= 50)
        return
    skeleton, literals = split_literals(soql)
    assert skeleton == (f"SELECT {', '.join(SIM_INVENTORY_FIELDS)} FROM SIM_Inventory__c WHERE Status__c = ? "  # noqa: S608
                        f"AND SIM_Type__c = ? AND Data_Only__c = {str(data_only).lower()} "
                        f"ORDER BY Phone_Number__c LIMIT {limit}")
    assert literals == ["Available", kind]


_FIELD_NAMES = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,20}(\.[A-Za-z][A-Za-z0-9_]{0,20})?", fullmatch=True),
    st.tuples(st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,10}", fullmatch=True), st.sampled_from(
        [*_TRICKS, ", (SELECT Id FROM User)", " FROM Account --", ",Id", ")", "..", "*"])).map("".join),
    st.text(max_size=20),
)


@PROPERTY
@given(st.lists(_FIELD_NAMES, max_size=5))
@example(["Id, (SELECT Password FROM User)"])
@example(["Name FROM User WHERE Id != null --"])
def test_field_lists_property(additional):
    """A field list is only ever field names: no comma, parenthesis, space or quote gets through."""
    try:
        fields = build_order_select_fields(additional)
    except InvalidQueryArgumentError:
        assert not all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*", f) for f in additional)
        return
    rendered = field_list(fields)
    assert fields == unique_fields(fields)
    assert rendered.split(", ") == fields
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_.]*", f) for f in fields)
    soql = format_soql("SELECT {fields:literal} FROM Order LIMIT 1", fields=rendered)
    assert split_literals(soql) == (f"SELECT {rendered} FROM Order LIMIT 1", [])  # noqa: S608


@PROPERTY
@given(st.one_of(st.sampled_from(list(ProductCategory)), st.sampled_from([c.value for c in ProductCategory]),
                 st.text(max_size=12), st.integers(), st.none(),
                 st.tuples(st.sampled_from([c.value for c in ProductCategory]), st.sampled_from(_TRICKS)).map("".join)))
def test_require_category_property(value):
    try:
        category = require_category(value)
    except InvalidQueryArgumentError as error:
        assert value not in set(ProductCategory)
        assert not isinstance(value, str) or len(value) < 3 or value not in str(error)  # never echoed
        return
    assert category in set(ProductCategory) and category == value


@PROPERTY
@given(st.one_of(st.integers(min_value=-10, max_value=500), st.booleans(), st.floats(), st.text(max_size=6)),
       st.integers(min_value=1, max_value=300))
def test_check_limit_property(limit, maximum):
    try:
        checked = check_limit(limit, maximum=maximum)
    except InvalidQueryArgumentError:
        assert not (type(limit) is int and 1 <= limit <= maximum)
        return
    assert type(checked) is int and 1 <= checked <= maximum and str(checked).isdigit()


@PROPERTY
@given(_ids("801"), st.sampled_from([KeyPrefix.ORDER, KeyPrefix.ACCOUNT, None]))
def test_require_salesforce_id_property(value, prefix):
    """Whatever goes in, what comes out is 18 letters and digits with a matching checksum, or an error."""
    try:
        checked = require_salesforce_id(value, prefix=prefix)
    except InvalidQueryArgumentError:
        return
    assert re.fullmatch(r"[A-Za-z0-9]{18}", checked) and checked == to_18(checked[:15])
    assert checked[:15] == value[:15] and (prefix is None or checked.startswith(prefix))


def test_the_organization_query_takes_no_input():
    assert inspect.signature(build_org_id_query).parameters == {}
    assert split_literals(build_org_id_query()) == ("SELECT Id FROM Organization", [])


CASE = "5005g00000AbCdEAAV"
_SINCE = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
_ACCOUNTS = _ids("001")
_CASES = _ids("500")


class SfId(str):
    """A value meant as a Salesforce id: a query carries it in its 18-letter form."""


def _hostile_or_quoted(build, *args, expected_skeleton: str, expected_literals: list) -> None:
    """The query has the expected shape with exactly the given values as literals, or the builder refused."""
    try:
        soql = build(*args)
    except ValueError as error:
        assert isinstance(error, InvalidQueryArgumentError)
        return
    skeleton, literals = split_literals(soql)
    assert skeleton == expected_skeleton, skeleton
    assert literals == [to_18(value[:15]) if isinstance(value, SfId) else value for value in expected_literals]


def _skeleton(build, *valid_args) -> str:
    return split_literals(build(*valid_args))[0]


@PROPERTY
@given(account_id=_ACCOUNTS, case_id=_CASES, request_id=_REQUEST_IDS)
@example(account_id=f"{ACCOUNT}' OR Id != '", case_id=CASE, request_id="' OR Id != '")
def test_case_queries_property(account_id, case_id, request_id):
    """Each case query keeps its shape whatever the ids and request id hold: hostile ones are refused."""
    builders = case_query_builder
    valid_request = "3f2b8c1e-0d4a-4c1b-9e55-5a7d2c9e8f10"
    for build, args, valid, literals in [
        (builders.build_cases_for_account_query, (account_id,), (ACCOUNT,), [SfId(account_id)]),
        (builders.build_case_query, (case_id, account_id), (CASE, ACCOUNT), [SfId(case_id), SfId(account_id)]),
        (builders.build_case_by_request_id_query, (request_id, account_id), (valid_request, ACCOUNT),
         [request_id, SfId(account_id)]),
        (builders.build_recent_comments_query, (case_id, _SINCE), (CASE, _SINCE), [SfId(case_id)]),
        (builders.build_content_version_by_request_id_query, (request_id, case_id), (valid_request, CASE),
         [request_id, SfId(case_id)]),
    ]:
        expected = _skeleton(build, *valid)
        _hostile_or_quoted(build, *args, expected_skeleton=expected,
                           expected_literals=literals)


def test_the_case_record_types_query_takes_no_input():
    build = case_query_builder.build_case_record_types_query
    assert inspect.signature(build).parameters == {}
    assert split_literals(build())[1] == ["Case"]


@PROPERTY
@given(account_id=_ACCOUNTS, request_id=_REQUEST_IDS)
@example(account_id=f"{ACCOUNT}' OR Id != '", request_id="\\' OR 1=1")
def test_customer_queries_property(account_id, request_id):
    builders = customer_query_builder
    valid_request = "3f2b8c1e-0d4a-4c1b-9e55-5a7d2c9e8f10"
    for build, args, valid, literals in [
        (builders.build_account_by_request_id_query, (request_id,), (valid_request,), [request_id]),
        (builders.build_contact_by_request_id_query, (request_id, account_id), (valid_request, ACCOUNT),
         [request_id, SfId(account_id)]),
        (builders.build_contact_of_account_query, (account_id,), (ACCOUNT,), [SfId(account_id)]),
        (builders.build_identity_query, (account_id,), (ACCOUNT,), [SfId(account_id)]),
    ]:
        expected = _skeleton(build, *valid)
        _hostile_or_quoted(build, *args, expected_skeleton=expected,
                           expected_literals=literals)


@PROPERTY
@given(st.one_of(st.integers(min_value=-5, max_value=10**9), st.booleans(), st.text(max_size=8), st.floats(),
                 st.none()))
@example("1002 OR Id != null")
def test_account_by_billing_client_query_property(client_id):
    """The billing client's id is a positive whole number in the query, never text."""
    try:
        soql = customer_query_builder.build_account_by_whmcs_client_query(client_id)
    except InvalidQueryArgumentError:
        assert not (type(client_id) is int and client_id > 0)
        return
    assert split_literals(soql) == (f"SELECT Id FROM Account WHERE WHMCS_Client_Id__c = {client_id} LIMIT 2", [])  # noqa: S608


# -- 2. the WHMCS and Freebit connections at their HTTP boundary -----------------------------------

WHMCS_URL = "https://billing.example.test/includes/api.php"
HOSTILE = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "1&action=DeleteClient&clientid=1002", "1\r\naction=DeleteClient", "1%26action%3DDeleteClient",
        "1;action=DeleteClient", "' OR 1=1 --", "١٢٣", "\u2028", "\x00", "<xml/>", "=&=&", "identifier=x&secret=y",
    ]),
    st.tuples(st.integers(min_value=1, max_value=10**6).map(str), st.sampled_from(_TRICKS), st.text(max_size=8))
    .map("".join),
)


@PROPERTY
@given(value=HOSTILE, param=st.sampled_from(["invoiceid", "clientid", "serviceid", "notes", "status"]))
@example(value="1&action=DeleteClient", param="invoiceid")
def test_a_whmcs_parameter_is_one_field_whatever_it_holds(value, param):
    from integrations.whmcs.connection import WhmcsConfig, WhmcsConnection

    connection = WhmcsConnection(WhmcsConfig(api_url=WHMCS_URL, identifier="the-identifier", secret="the-secret",
                                             access_key="the-access-key", max_attempts=1))
    with responses.RequestsMock() as mock:
        mock.post(WHMCS_URL, json={"result": "success"})
        connection.call("GetInvoice", {param: value})
        body = mock.calls[0].request.body

    fields = parse_qs(body, keep_blank_values=True, strict_parsing=True)
    assert fields == {param: [value], "action": ["GetInvoice"], "identifier": ["the-identifier"],
                      "secret": ["the-secret"], "responsetype": ["json"], "accesskey": ["the-access-key"]}


@PROPERTY
@given(HOSTILE)
def test_a_whmcs_parameter_cannot_override_the_action_or_the_credentials(value):
    from integrations.whmcs.connection import WhmcsConfig, WhmcsConnection

    connection = WhmcsConnection(WhmcsConfig(api_url=WHMCS_URL, identifier="the-identifier", secret="the-secret",
                                             max_attempts=1))
    params = {"action": value, "identifier": value, "secret": value, "responsetype": value, "invoiceid": "1"}
    with responses.RequestsMock() as mock:
        mock.post(WHMCS_URL, json={"result": "success"})
        connection.call("GetInvoice", params)
        fields = parse_qs(mock.calls[0].request.body, keep_blank_values=True, strict_parsing=True)

    assert fields["action"] == ["GetInvoice"] and fields["identifier"] == ["the-identifier"]
    assert fields["secret"] == ["the-secret"] and fields["responsetype"] == ["json"]


FREEBIT_URL = "https://freebit.example.test/emptool/api"


@PROPERTY
@given(HOSTILE)
@example("09012340012\n")
@example("09012340012&account=09056780021")
@example('09012340012","kind":"MASTER')
def test_freebit_gets_only_a_checked_phone_number(value):
    from domain.sim.commands import InvalidSimCommand, require_msisdn
    from integrations.freebit.connection import FreebitConfig, FreebitConnection
    from integrations.freebit.sims import FreebitSimClient

    service = FreebitSimClient(FreebitConnection(FreebitConfig(api_url=FREEBIT_URL, oem_id="oem", oem_key="k" * 16,
                                                                max_attempts=1)))
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(FREEBIT_URL + "/authOem/", json={"resultCode": "100", "authKey": "key"})
        mock.post(FREEBIT_URL + "/mvno/getDetail/", json={"resultCode": "210"})
        try:
            service.get_details(value)
        except InvalidSimCommand:
            with pytest.raises(InvalidSimCommand):
                require_msisdn(value)
            assert len(mock.calls) == 0  # refused before any call
            return
        except Exception:  # noqa: S110 - the canned answer is not a SIM: only the request matters here
            pass
        [form] = [parse_qs(call.request.body) for call in mock.calls if call.request.url.endswith("/getDetail/")]

    sent = json.loads(form["json"][0])
    assert sent == {"authKey": "key", "version": "2", "requestDatas": [{"kind": "MVNO", "account": value}]}
    assert re.fullmatch(r"[0-9]{11,14}", value)


# -- 3. the portal's entry points, read back off the wire ------------------------------------------

# Values carrying an injection marker (a quote, a backslash, a line break, an '&', a NUL, non-ASCII):
# none of them may show up inside anything a provider received.
SUSPICIOUS = re.compile(r"['\\&\n\r\x00]|[^\x00-\x7f]")
PORTAL_HOSTILE = st.one_of(
    HOSTILE,
    st.sampled_from(["' OR Id != '", "\\' OR 1=1 --", "Mobile' OR Family != '", "x' UNION SELECT Id FROM User --",
                     "801Dn00000ZZZZZ' OR AccountId != '", "2026-01-01' OR '1'='1", "1024 OR 1=1"]),
)
ALLOWED_SOQL_SKELETONS = {
    split_literals(soql)[0] for soql in (
        build_pricebook_by_name_query("Portal"),
        build_catalog_query("01s5g0000lZGEONAA5"),
        *(build_catalog_query("01s5g0000lZGEONAA5", c) for c in ProductCategory),
        build_orders_for_account_query(ACCOUNT),
        build_order_query(ORDER, ACCOUNT),
        build_order_items_query(ORDER),
        build_order_by_request_id_query("abc", ACCOUNT),
        build_order_by_id_query(ORDER),
        case_query_builder.build_cases_for_account_query(ACCOUNT),  # a SIM page: its lost report, MNP number
    )
}
WHMCS_ACTIONS = {"GetInvoices", "GetInvoice", "GetClientsProducts", "GetCurrencies", "GetClientsDetails",
                 "GetPayMethods", "CreateSsoToken", "CreateInvoice", "CapturePayment", "UpdateInvoice"}
FREEBIT_FIELDS = {"oemId", "oemKey", "authKey", "version", "requestDatas", "kind", "account", "quota", "quotaCode",
                  "expire", "fromDate", "toDate", "planCode", "runTime"}


def assert_only_checked_values_reached_the_providers(wire, whmcs, hostile: list[str]) -> None:
    for soql in wire.soql():
        skeleton, literals = split_literals(soql)
        assert skeleton in ALLOWED_SOQL_SKELETONS, soql
        for literal in literals:
            assert (re.fullmatch(r"[A-Za-z0-9]{18}", literal) or literal == "Portal"
                    or literal in {c.value for c in ProductCategory}
                    or re.fullmatch(r"[A-Za-z0-9-]{1,64}", literal)), soql
            if re.fullmatch(r"001[A-Za-z0-9]{15}", literal):
                assert literal == ALICE.salesforce_account_id, soql
    for call in wire.whmcs_calls():
        assert all(len(values) == 1 for values in call.values()), call
        assert call["action"][0] in WHMCS_ACTIONS, call
        assert call["identifier"] == [whmcs.app.config.identifier] and call["secret"] == [whmcs.app.config.secret]
        for field in ("userid", "clientid", "client_id"):
            assert call.get(field, [str(ALICE.whmcs_client_id)]) == [str(ALICE.whmcs_client_id)], call
    for path, body in wire.freebit_calls():
        assert set(body) <= FREEBIT_FIELDS, (path, body)
        if path.endswith("/authOem/"):
            continue
        account = body["requestDatas"][0]["account"] if "requestDatas" in body else body.get("account")
        assert account in numbers(ALICE), (path, body)
        for field in ("expire", "fromDate", "toDate", "runTime"):
            assert field not in body or re.fullmatch(r"\d{8}", body[field]), body
        assert "quotaCode" not in body or re.fullmatch(r"[0-9a-f-]{36}", body["quotaCode"]), body
        assert "quota" not in body or re.fullmatch(r"\d{1,6}", body["quota"]), body
        assert "planCode" not in body or re.fullmatch(r"MOB-(DATA|VOICE)-\d+G", body["planCode"]), body
    received = [literal for soql in wire.soql() for literal in split_literals(soql)[1]]
    received += [value for call in wire.whmcs_calls() for values in call.values() for value in values]
    received += [json.dumps(body) for _, body in wire.freebit_calls()]
    for value in hostile:
        if len(value) >= 6 and SUSPICIOUS.search(value):
            assert not any(value in field for field in received), value


def no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])


@pytest.fixture
def entry(providers, wire, alice):
    """(Alice's browser, a check of everything the providers received) for the portal tests."""
    wire.clear()

    def check(*hostile):
        assert_only_checked_values_reached_the_providers(wire, providers.whmcs, [h for h in hostile if
                                                                                  isinstance(h, str)])
    return alice, check


@pytest.mark.django_db
@PORTAL_PROPERTY
@given(order_id=st.one_of(PORTAL_HOSTILE, _ids("801")))
@example(order_id="801Dn00000ZZZZZ' OR AccountId != '")
def test_order_ids_in_urls(entry, order_id):
    alice, check = entry
    for path in (f"/orders/{quote(order_id, safe='')}/", f"/api/v1/orders/{quote(order_id, safe='')}"):
        response = alice.get(path)
        no_server_error(response)
        assert response.status_code == 404, path  # nobody's order (Alice's own ids are never generated)
    check(order_id)


@pytest.mark.django_db
@PORTAL_PROPERTY
@given(category=st.one_of(PORTAL_HOSTILE, st.sampled_from([c.value for c in ProductCategory])))
@example(category="Mobile' OR Family != '")
def test_the_catalog_category(entry, category):
    alice, check = entry
    no_server_error(alice.get("/catalog/", {"category": category}))
    api = alice.get("/api/v1/catalog", {"category": category})
    no_server_error(api)
    assert api.status_code == (200 if category in {c.value for c in ProductCategory} or not category else 400)
    check(category)


@pytest.mark.django_db
@PORTAL_PROPERTY
@given(page=st.one_of(PORTAL_HOSTILE, st.integers(min_value=-5, max_value=10**12).map(str)),
       status=st.one_of(PORTAL_HOSTILE, st.sampled_from(["Unpaid", "Paid", "Overdue", "Cancelled", ""])))
@example(page="1&action=DeleteClient", status="Unpaid&userid=1002")
def test_the_invoice_list_filters(entry, page, status):
    alice, check = entry
    for path in ("/billing/invoices/", "/api/v1/invoices"):
        response = alice.get(path, {"page": page, "status": status})
        no_server_error(response)
        assert response.status_code == 200
    check(page, status)


@pytest.mark.django_db
@PORTAL_PROPERTY
@given(start=st.one_of(PORTAL_HOSTILE, st.dates().map(str)), end=st.one_of(PORTAL_HOSTILE, st.dates().map(str)))
@example(start="2026-01-01' OR '1'='1", end="2026-01-02")
@example(start="0001-01-01", end="0001-01-01")  # found here: Freebit's answer for year 1 was a 503; now a 400
def test_the_usage_range(entry, start, end):
    alice, check = entry
    response = alice.get(f"/api/v1/sims/{iccids(ALICE)[0]}/usage", {"start": start, "end": end})
    no_server_error(response)
    assert response.status_code in (200, 400)
    check(start, end)


@pytest.mark.django_db(transaction=True)  # the top-up API runs outside ATOMIC_REQUESTS
@PORTAL_PROPERTY
@given(quota=st.one_of(PORTAL_HOSTILE, st.integers(min_value=-10, max_value=10**9)),
       request_id=st.one_of(PORTAL_HOSTILE, st.uuids().map(str)),
       plan_code=st.one_of(PORTAL_HOSTILE, st.sampled_from(["MOB-VOICE-5G", "MOB-DATA-10G", "mob-voice-5g"])))
@example(quota="1024&quota_mb=51200", request_id="' OR 1=1 --", plan_code="MOB-VOICE-5G\n")
def test_sim_action_fields(entry, quota, request_id, plan_code):
    alice, check = entry
    iccid = iccids(ALICE)[0]
    responses_ = [
        alice.post(f"/sims/{iccid}/top-up/", {"quota_mb": quota, "request_id": request_id}),  # the quote
        alice.post(f"/sims/{iccid}/plan/", {"plan_code": plan_code, "when": "next_month"}),
        alice.post(f"/api/v1/sims/{iccid}/plan", {"plan_code": plan_code, "immediate": False},
                   content_type="application/json"),
    ]
    if not isinstance(quota, int):  # a well-formed top-up would really be charged: only hostile ones here
        responses_.append(alice.post(f"/api/v1/sims/{iccid}/top-up", {"quota_mb": quota, "request_id": request_id},
                                     content_type="application/json"))
    for response in responses_:
        no_server_error(response)
    check(str(quota), request_id, plan_code)


@pytest.mark.django_db
@PORTAL_PROPERTY
@given(product_id=st.one_of(PORTAL_HOSTILE, _ids("01t")), request_id=st.one_of(PORTAL_HOSTILE, st.uuids().map(str)),
       quantity=st.one_of(PORTAL_HOSTILE, st.integers(min_value=-3, max_value=20).map(str)))
@example(product_id="01t' OR Id != '", request_id="x' OR Portal_Request_Id__c != '", quantity="1")
def test_cart_and_checkout_fields(entry, product_id, request_id, quantity):
    alice, check = entry
    for response in (
        alice.post("/orders/cart/update/", {"product_id": product_id, "quantity": quantity}),
        alice.post("/orders/checkout/", {"request_id": request_id, "confirm": "on"}),
        alice.post("/api/v1/orders", {"request_id": request_id, "lines": [{"product_id": product_id, "quantity": 1}]},
                   content_type="application/json"),
        alice.get(f"/catalog/{quote(product_id, safe='')}/"),
    ):
        no_server_error(response)
    check(product_id, request_id, quantity)


@pytest.mark.django_db
def test_a_valid_id_reaches_salesforce_only_quoted(providers, wire, alice):
    """The control of the checks above: the wire does see what reaches Salesforce, and a well-formed
    id reaches it as one quoted literal, scoped to the customer's Account."""
    order_id = to_18("801Dn00000ZZZZZ")
    assert alice.get(f"/orders/{order_id}/").status_code == 404

    assert any(f"Id = '{order_id}' AND AccountId = '{ALICE.salesforce_account_id}'" in soql
               for soql in wire.soql()), wire.soql()
    assert_only_checked_values_reached_the_providers(wire, providers.whmcs, [order_id])
