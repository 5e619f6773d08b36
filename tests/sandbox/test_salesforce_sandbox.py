"""The Salesforce emulator, driven over real HTTP the way the portal will drive Salesforce."""
import functools
import random
import re
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from simple_salesforce.format import format_soql

from domain.shared import salesforce_id
from sandbox.common.clock import JST
from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.salesforce import (
    CATALOG,
    PORTAL_PRICEBOOK_ID,
    STANDARD_PRICEBOOK_ID,
    SalesforceConfig,
    checksum,
    generate_demo_keypair,
    make_id,
    self_signed_certificate,
    soql,
    start_salesforce_sandbox,
    to_18,
)

ALICE, BOB = (c.salesforce_account_id for c in DEMO_CUSTOMERS[:2])
GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ISS, SUB = "sandbox-consumer-key", "integration@portal.example"
TODAY = date(2026, 11, 26)
PRIVATE_PEM, PUBLIC_PEM = generate_demo_keypair()
OTHER_PRIVATE_PEM, _ = generate_demo_keypair()


@pytest.fixture(scope="module")
def salesforce_sandbox():
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, today=TODAY)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(salesforce_sandbox):
    """Every test starts from the seed data, with no faults and zeroed stats."""
    requests.post(f"{salesforce_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    requests.delete(f"{salesforce_sandbox.url}/__sandbox__/faults", timeout=5).raise_for_status()
    salesforce_sandbox.app.on_order_approved = None
    yield


@functools.cache
def _signing_key(pem):
    """Loading a PEM key validates it (tens of milliseconds): do it once per key."""
    return serialization.load_pem_private_key(pem.encode(), password=None)


def assertion(url, *, key=PRIVATE_PEM, algorithm="RS256", exp_in=170, **claims):
    payload = {"iss": ISS, "sub": SUB, "aud": url, "exp": int(time.time() + exp_in)}
    payload.update(claims)
    signing_key = _signing_key(key) if algorithm == "RS256" else key
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, signing_key, algorithm=algorithm)


def get_token(url, **claims):
    response = requests.post(f"{url}/services/oauth2/token",
                             data={"grant_type": GRANT, "assertion": assertion(url, **claims)}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


class Api:
    """A signed-in REST client: ``api.query(soql)``, ``api.get/post/patch/delete(path)``."""

    def __init__(self, handle):
        self.handle = handle
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer " + get_token(handle.url)["access_token"]
        self.base = f"{handle.url}/services/data/v62.0/"

    def request(self, method, path, **kwargs):
        return self.session.request(method, self.base + path, timeout=5, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, json):
        return self.request("POST", path, json=json)

    def patch(self, path, json):
        return self.request("PATCH", path, json=json)

    def delete(self, path):
        return self.request("DELETE", path)

    def raw_query(self, soql, resource="query"):
        return self.get(resource, params={"q": soql})

    def query(self, soql, resource="query"):
        response = self.raw_query(soql, resource)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["done"] is True and body["totalSize"] == len(body["records"]) or soql.startswith("SELECT COUNT()")
        return body

    def records(self, soql, resource="query"):
        return self.query(soql, resource)["records"]

    def error(self, response, status=400):
        assert response.status_code == status, response.text
        body = response.json()
        assert isinstance(body, list) and len(body) == 1, body
        return body[0]


@pytest.fixture
def api(salesforce_sandbox):
    client = Api(salesforce_sandbox)
    yield client
    client.session.close()


def faults(handle, **config):
    response = requests.post(f"{handle.url}/__sandbox__/faults", json=config, timeout=5)
    assert response.status_code == 200, response.text


def names(records):
    return [r["Name"] for r in records]


def portal_entry(api, product_name, pricebook=PORTAL_PRICEBOOK_ID):
    soql = format_soql("SELECT Id, Product2Id, UnitPrice FROM PricebookEntry WHERE Pricebook2Id = {} "
                       "AND Product2.Name = {}", pricebook, product_name)
    [entry] = api.records(soql)
    return entry


# -- ids ------------------------------------------------------------------------------------------
def test_ids_carry_salesforce_checksums():
    assert checksum("001Dn00000Alice") == "IAB"
    assert to_18("001Dn00000Alice") == ALICE
    assert to_18(ALICE.lower()) == ALICE  # the 18-character form is case-insensitive
    assert to_18("001Dn00000AliceIAC") != ALICE
    assert to_18("001Dn00000Alice'") is None and to_18("") is None and to_18(None) is None
    made = make_id("801", 9_000_000_000)
    assert len(made) == 18 and made.startswith("801") and salesforce_id.is_valid(made)
    assert make_id("801", 5) < make_id("801", 62) < make_id("801", 9_000_000_000)


def test_every_seeded_id_is_valid_and_prefixed(salesforce_sandbox):
    prefixes = {"Organization": "00D", "User": "005", "Account": "001", "Product2": "01t", "Pricebook2": "01s",
                "PricebookEntry": "01u", "Order": "801", "OrderItem": "802"}
    for type_name, prefix in prefixes.items():
        for record_id in salesforce_sandbox.app.store.tables[type_name]:
            assert record_id.startswith(prefix) and salesforce_id.is_valid(record_id), record_id


# -- OAuth 2.0 JWT bearer flow --------------------------------------------------------------------
def test_token_for_a_valid_assertion(salesforce_sandbox):
    before = int(time.time() * 1000)
    token = get_token(salesforce_sandbox.url)

    assert token["token_type"] == "Bearer" and token["scope"] == "api"
    assert token["instance_url"] == salesforce_sandbox.url
    assert re.fullmatch(rf"{re.escape(salesforce_sandbox.url)}/id/00D\w{{15}}/005\w{{15}}", token["id"])
    assert before <= int(token["issued_at"]) <= int(time.time() * 1000)
    assert token["access_token"].startswith("00D") and "!" in token["access_token"]


def test_token_accepts_exp_as_a_string_like_simple_salesforce(salesforce_sandbox):
    token = get_token(salesforce_sandbox.url, exp=f"{time.time() + 180:.0f}")
    assert token["access_token"]


@pytest.mark.parametrize(("claims", "error", "description"), [
    ({"key": OTHER_PRIVATE_PEM}, "invalid_grant", "invalid assertion"),
    ({"iss": "someone-else"}, "invalid_client_id", "client identifier invalid"),
    ({"sub": "mallory@example.com"}, "invalid_grant", "user hasn't approved this consumer"),
    ({"aud": "https://login.salesforce.com"}, "invalid_grant", "audience is invalid"),
    ({"exp_in": -60}, "invalid_grant", "expired authorization code"),
    ({"exp_in": 3600}, "invalid_grant", "expired authorization code"),  # beyond Salesforce's 3 minutes
    ({"exp": None}, "invalid_grant", "invalid assertion"),
    ({"key": "a-shared-secret-instead-of-an-rsa-key", "algorithm": "HS256"}, "invalid_grant", "invalid assertion"),
])
def test_token_rejections(salesforce_sandbox, claims, error, description):
    response = requests.post(f"{salesforce_sandbox.url}/services/oauth2/token",
                             data={"grant_type": GRANT, "assertion": assertion(salesforce_sandbox.url,
                                                                               **claims)}, timeout=5)

    assert response.status_code == 400
    assert response.json() == {"error": error, "error_description": description}


@pytest.mark.parametrize("data", [
    {"grant_type": GRANT},
    {"grant_type": GRANT, "assertion": "not.a.jwt"},
    {"grant_type": GRANT, "assertion": ""},
])
def test_token_without_a_usable_assertion(salesforce_sandbox, data):
    response = requests.post(f"{salesforce_sandbox.url}/services/oauth2/token", data=data, timeout=5)

    assert response.status_code == 400
    assert response.json() == {"error": "invalid_grant", "error_description": "invalid assertion"}


def test_token_with_another_grant_type(salesforce_sandbox):
    response = requests.post(f"{salesforce_sandbox.url}/services/oauth2/token",
                             data={"grant_type": "password", "username": "u", "password": "p"}, timeout=5)

    assert response.status_code == 400
    assert response.json() == {"error": "unsupported_grant_type", "error_description": "grant type not supported"}


def test_certificate_configured_audiences_and_session_ttl():
    certificate = self_signed_certificate(PRIVATE_PEM)
    handle = start_salesforce_sandbox(
        env={}, public_key_pem=certificate, consumer_key="3MVG9-portal", username="portal@example.com",
        audiences=("https://login.salesforce.com", "https://test.salesforce.com"), session_ttl=0.4,
    )
    try:
        url = f"{handle.url}/services/oauth2/token"

        def token(aud):
            data = {"grant_type": GRANT,
                    "assertion": assertion(handle.url, iss="3MVG9-portal", sub="portal@example.com", aud=aud)}
            return requests.post(url, data=data, timeout=5)

        assert token(handle.url).json()["error_description"] == "audience is invalid"
        issued = token("https://test.salesforce.com/")
        assert issued.status_code == 200, issued.text
        headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
        query = f"{handle.url}/services/data/v62.0/query?q=SELECT+Id+FROM+Organization"
        assert requests.get(query, headers=headers, timeout=5).status_code == 200
        time.sleep(0.5)
        expired = requests.get(query, headers=headers, timeout=5)
        assert expired.status_code == 401
        assert expired.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    finally:
        handle.stop()


def test_without_a_configured_key_the_emulator_makes_one():
    handle = start_salesforce_sandbox(env={})
    try:
        assert handle.app.private_key_pem.startswith("-----BEGIN PRIVATE KEY-----")
        data = {"grant_type": GRANT, "assertion": assertion(handle.url, key=handle.app.private_key_pem)}
        assert requests.post(f"{handle.url}/services/oauth2/token", data=data, timeout=5).status_code == 200
        # The portal can hand over its own key at run time.
        installed = requests.put(f"{handle.url}/__sandbox__/public-key", data=PUBLIC_PEM, timeout=5)
        assert installed.status_code == 200
        data["assertion"] = assertion(handle.url)
        assert requests.post(f"{handle.url}/services/oauth2/token", data=data, timeout=5).status_code == 200
        rejected = requests.put(f"{handle.url}/__sandbox__/public-key", data="junk", timeout=5)
        assert rejected.status_code == 400
    finally:
        handle.stop()


@pytest.mark.parametrize("authorization", [None, "Bearer", "Bearer 00Dxx!not-a-token", "Basic dXNlcjpwYXNz"])
def test_rest_needs_a_live_session(salesforce_sandbox, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = requests.get(f"{salesforce_sandbox.url}/services/data/v62.0/query",
                            params={"q": "SELECT Id FROM Account"},
                            headers=headers, timeout=5)

    assert response.status_code == 401
    assert response.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_expire_sessions_then_renew_once(salesforce_sandbox, api):
    assert api.raw_query("SELECT Id FROM Organization").status_code == 200

    expired = requests.post(f"{salesforce_sandbox.url}/__sandbox__/expire-sessions", timeout=5)

    assert expired.json()["expired"] >= 1
    assert api.error(api.raw_query("SELECT Id FROM Organization"), 401)["errorCode"] == "INVALID_SESSION_ID"
    api.session.headers["Authorization"] = "Bearer " + get_token(salesforce_sandbox.url)["access_token"]
    assert api.raw_query("SELECT Id FROM Organization").status_code == 200


def test_expire_one_session(salesforce_sandbox, api):
    other = get_token(salesforce_sandbox.url)["access_token"]

    requests.post(f"{salesforce_sandbox.url}/__sandbox__/expire-sessions", json={"access_token": other}, timeout=5)

    assert api.raw_query("SELECT Id FROM Organization").status_code == 200
    response = requests.get(f"{api.base}query", params={"q": "SELECT Id FROM Organization"},
                            headers={"Authorization": f"OAuth {other}"}, timeout=5)
    assert response.status_code == 401


# -- the queries of docs/salesforce-model.md ------------------------------------------------------
CATALOG_QUERY = """SELECT Id, Name, ProductCode, StockKeepingUnit, Description, Family, Item_Class__c, Billing_Cycle__c,
       WHMCS_Product_Id__c, Is_SIM__c, Portal_Sort_Order__c,
       (SELECT Id, UnitPrice, CurrencyIsoCode FROM PricebookEntries
        WHERE Pricebook2Id = {pricebook} AND IsActive = true)
FROM Product2
WHERE Portal_Catalog__c = true AND IsActive = true{family}
ORDER BY Family, Portal_Sort_Order__c, Name"""


def test_catalog_query(api):
    products = api.records(format_soql(CATALOG_QUERY.replace("{family}", ""), pricebook=PORTAL_PRICEBOOK_ID))

    assert names(products) == [
        "SIM activation fee", "Fiber installation",  # Fees
        "Fiber 1 Gbps", "Fiber 10 Gbps", "Home 5G",  # Internet
        "Data SIM 3 GB", "Data SIM 10 GB", "Data SIM 20 GB", "Mobile Voice 5 GB", "Mobile Voice 20 GB",  # Mobile
        "Secure VPN",  # VPN
    ]  # not Fiber 300 Mbps (not in the portal catalog), nor the retired Fiber 100 Mbps and Mobile Voice 3 GB
    fiber = products[2]
    assert fiber["attributes"] == {"type": "Product2", "url": f"/services/data/v62.0/sobjects/Product2/{fiber['Id']}"}
    assert fiber["StockKeepingUnit"] == "NET-FIBER-1G" and fiber["Family"] == "Internet"
    assert fiber["WHMCS_Product_Id__c"] == 1.0 and fiber["Is_SIM__c"] is False
    assert fiber["Billing_Cycle__c"] == "Monthly" and fiber["Item_Class__c"] == "Service"
    [price] = fiber["PricebookEntries"]["records"]
    assert fiber["PricebookEntries"]["totalSize"] == 1 and fiber["PricebookEntries"]["done"] is True
    assert price["UnitPrice"] == 5000.0 and price["CurrencyIsoCode"] == "JPY"
    assert price["attributes"]["type"] == "PricebookEntry"
    fees = products[0]
    assert fees["Item_Class__c"] == "Activation" and fees["Billing_Cycle__c"] == "One-time"
    assert fees["PricebookEntries"]["records"][0]["UnitPrice"] == 3300.0


def test_catalog_query_for_one_family_and_portal_prices(api):
    soql = format_soql(CATALOG_QUERY.replace("{family}", " AND Family = {family}"), pricebook=PORTAL_PRICEBOOK_ID,
                       family="Mobile")
    mobile = api.records(soql)
    standard = api.records(format_soql(CATALOG_QUERY.replace("{family}", " AND Family = {family}"),
                                       pricebook=STANDARD_PRICEBOOK_ID, family="Mobile"))

    prices = {p["Name"]: p["PricebookEntries"]["records"][0]["UnitPrice"] for p in mobile}
    assert prices == {"Data SIM 3 GB": 990, "Data SIM 10 GB": 1650, "Data SIM 20 GB": 2200,
                      "Mobile Voice 5 GB": 1980, "Mobile Voice 20 GB": 2980}
    assert all(p["Is_SIM__c"] for p in mobile)
    standard_prices = {p["Name"]: p["PricebookEntries"]["records"][0]["UnitPrice"] for p in standard}
    assert standard_prices["Data SIM 20 GB"] == 2480  # the portal price may differ from the standard one


def test_the_catalog_matches_the_seed_description():
    by_name = {p.name: p for p in CATALOG}
    assert by_name["Fiber 1 Gbps"].whmcs_product_id == 1 and by_name["Mobile Voice 20 GB"].whmcs_product_id == 3
    assert len({p.whmcs_product_id for p in CATALOG}) == len(CATALOG)
    assert len({p.sku for p in CATALOG}) == len(CATALOG)


ORDERS_QUERY = """SELECT Id, AccountId, Status, Type, EffectiveDate, OrderNumber, TotalAmount, CreatedDate,
       Provisioning_Status__c, Provisioning_Error__c, Account.Name, Account.Email__c
FROM Order WHERE AccountId = {} ORDER BY CreatedDate DESC LIMIT 50"""


def test_customer_orders_query(api):
    orders = api.records(format_soql(ORDERS_QUERY, ALICE))

    assert [o["OrderNumber"] for o in orders] == ["00000102", "00000100"]  # newest first
    draft, active = orders
    assert draft["Status"] == "Draft" and draft["Provisioning_Status__c"] == "Pending Review"
    assert active["Status"] == "Activated" and active["Provisioning_Status__c"] == "Active"
    assert draft["Type"] == "New" and draft["Provisioning_Error__c"] is None
    assert draft["EffectiveDate"] == (TODAY - timedelta(days=2)).isoformat()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", draft["CreatedDate"])
    assert draft["TotalAmount"] == 2 * 990 + 2 * 3300 and active["TotalAmount"] == 1480 + 3300
    assert draft["Account"] == {
        "attributes": {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{ALICE}"},
        "Name": "Alice Andersen", "Email__c": "alice@example.com",
    }
    assert list(draft)[:2] == ["attributes", "Id"]
    [bobs] = api.records(format_soql(ORDERS_QUERY, BOB))
    assert bobs["Account"]["Name"] == "Bob Brennan" and bobs["Status"] == "Activated"


def test_one_order_with_the_account_check_and_its_items(api):
    [active] = api.records(format_soql("SELECT Id FROM Order WHERE AccountId = {} AND Status = 'Activated'", ALICE))
    one = "SELECT Id, OrderNumber, WHMCS_Order_Id__c FROM Order WHERE Id = {} AND AccountId = {} LIMIT 1"

    [order] = api.records(format_soql(one, active["Id"], ALICE))
    assert api.records(format_soql(one, active["Id"], BOB)) == []  # another customer's order: nothing
    items = api.records(format_soql(
        """SELECT Id, OrderId, Product2Id, PricebookEntryId, Quantity, UnitPrice, TotalPrice,
       Product2.Name, Product2.StockKeepingUnit, Product2.Item_Class__c, Product2.Billing_Cycle__c,
       Product2.WHMCS_Product_Id__c, Product2.Is_SIM__c
FROM OrderItem WHERE OrderId = {} ORDER BY Id""", order["Id"]))

    assert order["WHMCS_Order_Id__c"] == 6.0
    assert [i["Product2"]["Name"] for i in items] == ["Data SIM 10 GB", "SIM activation fee"]
    assert [i["Id"] for i in items] == sorted(i["Id"] for i in items)
    sim = items[0]
    assert sim["OrderId"] == order["Id"] and sim["Quantity"] == 1.0 and sim["UnitPrice"] == 1480.0
    assert sim["TotalPrice"] == 1480.0
    assert sim["Product2"]["StockKeepingUnit"] == "MOB-DATA-10G" and sim["Product2"]["Is_SIM__c"] is True
    assert sim["Product2"]["WHMCS_Product_Id__c"] == 5.0
    assert sim["Product2"]["attributes"] == {"type": "Product2",
                                             "url": f"/services/data/v62.0/sobjects/Product2/{sim['Product2Id']}"}


def test_idempotency_and_tenant_queries(api, salesforce_sandbox):
    request_id = "b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57"

    [order] = api.records(format_soql("SELECT Id FROM Order WHERE Portal_Request_Id__c = {} LIMIT 1", request_id))
    [org] = api.records("SELECT Id FROM Organization")

    assert list(order) == ["attributes", "Id"]
    assert api.records(format_soql("SELECT Id FROM Order WHERE Portal_Request_Id__c = {} LIMIT 1", "x")) == []
    assert org["Id"] == salesforce_sandbox.app.org_id and org["Id"].startswith("00D")


def test_child_subquery_is_null_when_empty(api):
    orders = api.records("SELECT Id, (SELECT Id FROM OrderItems WHERE Quantity > 1) FROM Order ORDER BY OrderNumber")

    assert orders[0]["OrderItems"] is None and orders[1]["OrderItems"] is None
    assert orders[2]["OrderItems"]["totalSize"] == 2
    limited = api.records("SELECT Id, (SELECT Quantity FROM OrderItems ORDER BY UnitPrice DESC LIMIT 1) FROM Order "
                          "WHERE Status = 'Draft'")
    assert limited[0]["OrderItems"]["totalSize"] == 1


# -- SOQL features --------------------------------------------------------------------------------
@pytest.mark.parametrize(("where", "expected"), [
    ("Name = 'fiber 1 GBPS'", ["Fiber 1 Gbps"]),  # text compares case-insensitively
    ("Family = 'VPN'", ["Secure VPN"]),
    ("Portal_Sort_Order__c < 20 AND Family = 'Internet'", ["Fiber 1 Gbps"]),
    ("Portal_Sort_Order__c <= 20 AND Family = 'Internet'", ["Fiber 1 Gbps", "Fiber 10 Gbps"]),
    ("Portal_Sort_Order__c > 40 AND Family = 'Internet'", ["Fiber 100 Mbps"]),
    ("Portal_Sort_Order__c >= 40 AND Family = 'Internet'", ["Fiber 300 Mbps", "Fiber 100 Mbps"]),
    ("Family IN ('VPN', 'Fees')", ["SIM activation fee", "Fiber installation", "Secure VPN"]),
    ("Family NOT IN ('Mobile', 'Internet', 'Fees')", ["Secure VPN"]),
    ("Name LIKE 'fiber 1%'", ["Fiber 1 Gbps", "Fiber 10 Gbps", "Fiber 100 Mbps"]),
    ("Name LIKE 'Data SIM _ GB'", ["Data SIM 3 GB"]),
    ("Name LIKE '%voice%' AND IsActive = false", ["Mobile Voice 3 GB"]),
    ("NOT Name LIKE '%i%'", ["Home 5G", "Secure VPN"]),
    ("(Family = 'VPN' OR Family = 'Fees') AND NOT (Name = 'Secure VPN')", ["SIM activation fee", "Fiber installation"]),
    ("Family = 'VPN' OR (Family = 'Fees' AND Portal_Sort_Order__c = 20)", ["Fiber installation", "Secure VPN"]),
    ("Portal_Catalog__c = false", ["Fiber 300 Mbps"]),
    ("Is_SIM__c = TRUE AND WHMCS_Product_Id__c IN (3, 4.0)", ["Mobile Voice 5 GB", "Mobile Voice 20 GB"]),
    ("Description = null", []),
    ("ProductCode != null AND WHMCS_Product_Id__c = 12", ["Secure VPN"]),
    ("WHMCS_Product_Id__c > -1 AND WHMCS_Product_Id__c < 2", ["Fiber 1 Gbps"]),
])
def test_where_operators(api, where, expected):
    soql_text = f"SELECT Name FROM Product2 WHERE {where} ORDER BY Family, Portal_Sort_Order__c"  # noqa: S608
    products = api.records(soql_text)

    assert names(products) == expected


def test_nulls_match_not_equal_and_not_in(api):
    everything = api.records("SELECT Id FROM Order")
    not_x = api.records("SELECT Id, Portal_Request_Id__c FROM Order WHERE Portal_Request_Id__c != 'x'")
    not_in = api.records("SELECT Id FROM Order WHERE Portal_Request_Id__c NOT IN ('x')")
    nulls = api.records("SELECT Id, Description FROM Order WHERE Portal_Request_Id__c = null")

    assert len(everything) == len(not_x) == len(not_in) == 3
    assert len(nulls) == 1 and nulls[0]["Description"].startswith("Sign-up by phone")
    assert api.records("SELECT Id FROM Order WHERE Portal_Request_Id__c < 'z'").__len__() == 2


def test_date_and_datetime_literals(api):
    recent = api.records(format_soql("SELECT OrderNumber FROM Order WHERE EffectiveDate >= {}",
                                     TODAY - timedelta(days=30)))
    since = datetime.combine(TODAY - timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    created = api.records(format_soql("SELECT OrderNumber FROM Order WHERE CreatedDate > {}", since))
    tokyo = api.records(format_soql("SELECT OrderNumber FROM Order WHERE CreatedDate < {:literal}T18:41:15.000+09:00",
                                    (TODAY - timedelta(days=2)).isoformat()))

    assert [o["OrderNumber"] for o in recent] == ["00000102"]
    assert [o["OrderNumber"] for o in created] == ["00000102"]
    assert "00000102" not in [o["OrderNumber"] for o in tokyo] and len(tokyo) == 2  # 09:41:15Z is not < itself


def test_order_by_directions_nulls_limit_and_offset(api):
    def numbers(soql):
        return [o["OrderNumber"] for o in api.records(soql)]

    assert numbers("SELECT OrderNumber FROM Order ORDER BY Portal_Request_Id__c") == ["00000101", "00000100",
                                                                                      "00000102"]
    assert numbers("SELECT OrderNumber FROM Order ORDER BY Portal_Request_Id__c NULLS LAST")[-1] == "00000101"
    assert numbers("SELECT OrderNumber FROM Order ORDER BY Portal_Request_Id__c DESC") == ["00000101", "00000102",
                                                                                           "00000100"]
    assert numbers("SELECT OrderNumber FROM Order ORDER BY Portal_Request_Id__c DESC NULLS LAST")[-1] == "00000101"
    assert numbers("SELECT OrderNumber FROM Order ORDER BY Account.Name DESC, CreatedDate ASC") == [
        "00000101", "00000100", "00000102"]
    assert numbers("SELECT OrderNumber FROM Order ORDER BY OrderNumber LIMIT 2 OFFSET 1") == ["00000101", "00000102"]
    assert numbers("SELECT OrderNumber FROM Order ORDER BY OrderNumber LIMIT 0") == []
    assert numbers("SELECT OrderNumber FROM Order ORDER BY OrderNumber OFFSET 5") == []


def test_count(api):
    body = api.query("SELECT COUNT() FROM Product2 WHERE IsActive = true")

    assert body["totalSize"] == 12 and body["records"] == []


def test_names_and_keywords_are_case_insensitive(api):
    rows = api.records("select id, NAME, family from product2 where stockkeepingunit = 'vpn-secure' "
                       "and isactive = TRUE order by name asc nulls last limit 1")
    nested = api.records(format_soql("select product2.NAME from pricebookentry where pricebook2id = {} "
                                     "and product2.family = 'vpn'", PORTAL_PRICEBOOK_ID))

    assert list(rows[0]) == ["attributes", "Id", "Name", "Family"]  # answers use the canonical names
    assert nested[0]["Product2"]["Name"] == "Secure VPN"


def test_ids_in_literals_may_be_15_or_18_characters(api):
    by_15 = api.records(format_soql("SELECT Name FROM Account WHERE Id = {}", ALICE[:15]))
    by_lower_18 = api.records(format_soql("SELECT Name FROM Account WHERE Id = {}", ALICE.lower()))

    assert names(by_15) == names(by_lower_18) == ["Alice Andersen"]
    assert api.records(format_soql("SELECT Name FROM Account WHERE Id = {}", ALICE[:15].lower())) == []  # 15: case


def test_queryall_sees_deleted_records(api):
    [draft] = api.records("SELECT Id FROM Order WHERE Status = 'Draft'")
    assert api.delete(f"sobjects/Order/{draft['Id']}").status_code == 204

    live = api.records("SELECT Id FROM Order")
    everything = api.records("SELECT Id, IsDeleted, (SELECT Id FROM OrderItems) FROM Order ORDER BY OrderNumber",
                             resource="queryAll")

    assert draft["Id"] not in [o["Id"] for o in live]
    assert everything[-1]["Id"] == draft["Id"] and everything[-1]["IsDeleted"] is True
    assert everything[-1]["OrderItems"]["totalSize"] == 2
    assert api.records(format_soql("SELECT Id FROM OrderItem WHERE OrderId = {}", draft["Id"])) == []


def test_format_soql_escapes_round_trip(api):
    tricky = "O'Brien \\ \"the\" Second\n\r\t\b\f 100%_ok"
    decoy = "O'Brien \\ \"the\" Second\n\r\t\b\f 100AB ok"
    for name in (tricky, decoy):
        assert api.post("sobjects/Account", {"Name": name}).status_code == 201

    exact = api.records(format_soql("SELECT Id, Name FROM Account WHERE Name = {}", tricky))
    like = api.records(format_soql("SELECT Name FROM Account WHERE Name LIKE '%{:like}%'", "100%_"))
    like_unescaped = api.records("SELECT Name FROM Account WHERE Name LIKE '%100%_%'")
    listed = api.records(format_soql("SELECT Name FROM Account WHERE Name IN {} ORDER BY Name",
                                     [tricky, "Bob Brennan"]))

    assert names(exact) == [tricky]
    assert names(like) == [tricky]
    assert sorted(names(like_unescaped)) == sorted([tricky, decoy])
    assert names(listed) == ["Bob Brennan", tricky]


def test_injection_is_just_soql_and_format_soql_defuses_it(api):
    injected = api.records("SELECT Id FROM Order WHERE Id = '' OR Id != ''")
    quoted = api.records(format_soql("SELECT Id FROM Order WHERE Portal_Request_Id__c = {}", "' OR Id != '"))

    assert len(injected) == 3  # every order: why the builders quote every literal
    assert quoted == []


@pytest.mark.parametrize(("query", "code"), [
    ("SELECT Id, Foo__c FROM Order", "INVALID_FIELD"),
    ("SELECT Id, Account.Nope FROM Order", "INVALID_FIELD"),
    ("SELECT Id, Acount.Name FROM Order", "INVALID_FIELD"),
    ("SELECT Id FROM Order WHERE Nope = 1", "INVALID_FIELD"),
    ("SELECT Id FROM Order ORDER BY Nope", "INVALID_FIELD"),
    ("SELECT Id FROM Product2 WHERE IsActive = 'true'", "INVALID_FIELD"),
    ("SELECT Id FROM Product2 WHERE Name = 5", "INVALID_FIELD"),
    ("SELECT Id FROM Order WHERE EffectiveDate = '2026-11-26'", "INVALID_FIELD"),
    ("SELECT Id FROM Order WHERE CreatedDate > 2026-11-26", "INVALID_FIELD"),
    ("SELECT Id FROM Order WHERE TotalAmount LIKE '1%'", "INVALID_FIELD"),
    ("SELECT Id FROM Orders", "INVALID_TYPE"),
    ("SELECT Id, (SELECT Id FROM Items) FROM Order", "INVALID_TYPE"),
    ("SELECT Id FROM Order WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR"),
])
def test_unknown_names_and_wrong_types(api, query, code):
    error = api.error(api.raw_query(query))

    assert error["errorCode"] == code
    assert "ERROR at Row:1:Column:" in error["message"]


JUNK = [
    "", " ", "SELECT", "SELECT Id", "SELECT Id FROM", "SELECT FROM Order", "SELECT Id,, Name FROM Order",
    "SELECT Id, FROM Order", "SELECT Id Name FROM Order", "FROM Order SELECT Id", "WHERE Id = '1'",
    "SELECT Id FROM Order WHERE", "SELECT Id FROM Order WHERE Id =", "SELECT Id FROM Order WHERE Id = '1' AND",
    "SELECT Id FROM Order WHERE Name = 'unterminated", "SELECT Id FROM Order WHERE Name = 'bad \\q escape'",
    "SELECT Id FROM Order WHERE Name = 'trailing backslash\\", "SELECT Id FROM Order LIMIT -1",
    "SELECT Id FROM Order LIMIT 'x'", "SELECT Id FROM Order LIMIT 1.5", "SELECT Id FROM Order ORDER BY",
    "SELECT Id FROM Order ORDER BY Id NULLS", "SELECT Id FROM Order ORDER BY Id DESC ASC",
    "SELECT Id FROM Order WHERE (Id = 'x'", "SELECT Id FROM Order WHERE Id = 'x')", "SELECT Id FROM Order WHERE ()",
    "SELECT Id FROM Order WHERE Id IN ()", "SELECT Id FROM Order WHERE Id IN ('a',)",
    "SELECT Id FROM Order WHERE Id IN (SELECT Id FROM Order)", "SELECT COUNT(Id) FROM Order",
    "SELECT Id FROM Order GROUP BY Id", "SELECT Id FROM Order WHERE CreatedDate = TODAY",
    "SELECT Id FROM Order WHERE EffectiveDate = 2026-13-45", "SELECT Id FROM Order; DROP TABLE Order",
    "SELECT * FROM Order", 'SELECT Id FROM Order WHERE Status = "Draft"', "SELECT Id FROM Order WHERE Id = :id",
    "DELETE FROM Order", "SELECT Id FROM Order WHERE NOT", "\x00", "SELECT Id FROM Order\x00",
    "SELECT Id FROM Order WHERE Status = 'Draft' AND Type = 'New' OR Status = 'Activated'",
    "SELECT Id, (SELECT Id, (SELECT Id FROM X) FROM OrderItems) FROM Order", "SELECT Id FROM Order WHERE Id LIKE 5",
    "SELECT Id FROM Order OFFSET", "SELECT Id FROM Order LIMIT 1 LIMIT 2", "SELECT Id FROM Order WHERE Id = '' OR",
    "SELECT Account. FROM Order", "SELECT .Name FROM Order", "SELECT Id FROM Order.Account", "SELECT Id FROM 'Order'",
    "SELECT Id FROM Order WHERE Status == 'Draft'", "SELECT Id FROM Order WHERE Status = 'Draft' AND",
    "SELECT Id FROM Order WHERE TotalAmount > 1e5", "SELECT Id FROM Order WHERE Status != null null",
    "SELECT Id FROM Order WHERE Status > null", "SELECT COUNT() , Id FROM Order", "SELECT COUNT( FROM Order",
    "SELECT Id FROM Order WHERE " + "(" * 500 + "Status = 'Draft'" + ")" * 500,
    "SELECT Id FROM Order WHERE " + "NOT " * 500 + "Status = 'Draft'",
    "SELECT Id FROM Order WHERE Status = '" + "x" * 30_000,
    "SÉLECT Id FROM Order", "SELECT Id FROM Order WHERE Status = 'Draft' ]", "SELECT Id FROM Order WHERE Status IN",
    "\ufeffSELECT Id FROM Order", "SELECT Id FROM Order WHERE Status NOT 'Draft'", "select id from order where",
]


def test_junk_is_malformed_query_never_a_crash(api):
    for junk in JUNK:
        response = api.raw_query(junk)
        assert response.status_code == 400, (junk[:80], response.status_code, response.text[:200])
        assert response.json()[0]["errorCode"] == "MALFORMED_QUERY", (junk[:80], response.text[:300])
    assert api.error(api.get("query"))["errorCode"] == "MALFORMED_QUERY"  # no q at all


def test_mutated_queries_never_crash(api):
    """A seeded fuzz loop: random edits of real queries answer 200 or a Salesforce error, never a 500."""
    seeds = [format_soql(CATALOG_QUERY.replace("{family}", ""), pricebook=PORTAL_PRICEBOOK_ID),
             format_soql(ORDERS_QUERY, ALICE),
             "SELECT Id, Name FROM Product2 WHERE (Name LIKE 'F\\%_%' OR Family IN ('VPN', null)) AND NOT IsActive = "
             "false ORDER BY Name DESC NULLS LAST LIMIT 5 OFFSET 1"]
    alphabet = "()',=<>!%_\\ .:-\"SELECTFROMWHEREANDORNOTINLIKE0123456789Tz"
    rng = random.Random(20261126)
    codes = set()
    for _ in range(300):
        text = list(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text))
            edit = rng.random()
            if edit < 0.4:
                del text[at]
            elif edit < 0.8:
                text.insert(at, rng.choice(alphabet))
            else:
                text[at] = rng.choice(alphabet)
        response = api.raw_query("".join(text))
        assert response.status_code in (200, 400), ("".join(text), response.text[:300])
        body = response.json()
        if response.status_code == 400:
            codes.add(body[0]["errorCode"])
    assert codes <= {"MALFORMED_QUERY", "INVALID_FIELD", "INVALID_TYPE", "INVALID_QUERY_FILTER_OPERATOR"}
    assert "MALFORMED_QUERY" in codes


# -- sObject rows ---------------------------------------------------------------------------------
def test_get_a_record(api):
    response = api.get(f"sobjects/Account/{ALICE}")
    by_15 = api.get(f"sobjects/Account/{ALICE[:15]}").json()
    some = api.get(f"sobjects/Account/{ALICE}", params={"fields": "Name,WHMCS_Client_Id__c"}).json()

    assert response.status_code == 200
    account = response.json()
    assert account["attributes"] == {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{ALICE}"}
    assert account["Id"] == ALICE and account["Name"] == "Alice Andersen" and account["WHMCS_Client_Id__c"] == 1001.0
    assert account["IsDeleted"] is False and account["CreatedDate"].endswith("+0000")
    assert by_15 == account
    assert list(some) == ["attributes", "Name", "WHMCS_Client_Id__c"]


@pytest.mark.parametrize("path", ["sobjects/Account/001Dn00000NobodyAAA", "sobjects/Account/nonsense",
                                  "sobjects/Nope/001Dn00000AliceIAB", "sobjects/Account/" + make_id("001", 7)])
def test_missing_records_are_not_found(api, path):
    error = api.error(api.get(path), 404)

    assert error == {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}


def test_patch_an_order(api):
    [draft] = api.records("SELECT Id, LastModifiedDate FROM Order WHERE Status = 'Draft'")

    response = api.patch(f"sobjects/Order/{draft['Id']}", {"Provisioning_Status__c": "Failed",
                                                           "Provisioning_Error__c": "SIM stock exhausted",
                                                           "attributes": {"type": "Order"}})

    assert response.status_code == 204 and response.content == b""
    order = api.get(f"sobjects/Order/{draft['Id']}").json()
    assert order["Provisioning_Status__c"] == "Failed" and order["Provisioning_Error__c"] == "SIM stock exhausted"
    assert order["LastModifiedDate"] >= draft["LastModifiedDate"]


@pytest.mark.parametrize(("body", "code", "fields"), [
    ({"Nope__c": 1}, "INVALID_FIELD", None),
    ({"TotalAmount": 1}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["TotalAmount"]),
    ({"Id": "801Dn00000AliceIAB"}, "INVALID_FIELD", None),
    ({"Provisioning_Status__c": "Shipped"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", ["Provisioning_Status__c"]),
    ({"EffectiveDate": "tomorrow"}, "JSON_PARSER_ERROR", None),
    ({"EffectiveDate": None}, "REQUIRED_FIELD_MISSING", ["EffectiveDate"]),
    ({"AccountId": "01tDn00009p56RhIAI"}, "FIELD_INTEGRITY_EXCEPTION", ["AccountId"]),
    ({"AccountId": "nonsense"}, "MALFORMED_ID", ["AccountId"]),
    ({"Portal_Request_Id__c": "3F6C2A1E-8D4B-4C2E-9A57-1B0E6D2F4C81"}, "DUPLICATE_VALUE", []),
    ({"Provisioning_Error__c": "x" * 256}, "STRING_TOO_LONG", ["Provisioning_Error__c"]),
])
def test_patch_errors(api, body, code, fields):
    [draft] = api.records("SELECT Id FROM Order WHERE Status = 'Draft'")

    error = api.error(api.patch(f"sobjects/Order/{draft['Id']}", body))

    assert error["errorCode"] == code
    assert error.get("fields") == fields
    assert api.get(f"sobjects/Order/{draft['Id']}").json()["Provisioning_Status__c"] == "Pending Review"


def test_create_order_and_items_one_by_one(api):
    created = api.post("sobjects/Order", {"AccountId": BOB, "Pricebook2Id": PORTAL_PRICEBOOK_ID,
                                          "EffectiveDate": TODAY.isoformat(), "Status": "Draft"})
    assert created.status_code == 201
    body = created.json()
    assert body["success"] is True and body["errors"] == [] and body["id"].startswith("801")
    order_id = body["id"]
    vpn = portal_entry(api, "Secure VPN")

    item = api.post("sobjects/OrderItem", {"OrderId": order_id, "PricebookEntryId": vpn["Id"], "Quantity": 3,
                                           "UnitPrice": 600})
    order = api.get(f"sobjects/Order/{order_id}").json()

    assert item.status_code == 201
    assert order["TotalAmount"] == 1800.0 and order["OrderNumber"] == "00000103" and order["Type"] == "New"
    item_row = api.get(f"sobjects/OrderItem/{item.json()['id']}").json()
    assert item_row["Product2Id"] == vpn["Product2Id"] and item_row["TotalPrice"] == 1800.0
    assert api.patch(f"sobjects/OrderItem/{item.json()['id']}", {"Quantity": 2}).status_code == 204
    assert api.get(f"sobjects/Order/{order_id}").json()["TotalAmount"] == 1200.0
    assert api.delete(f"sobjects/OrderItem/{item.json()['id']}").status_code == 204
    assert api.get(f"sobjects/Order/{order_id}").json()["TotalAmount"] == 0.0


@pytest.mark.parametrize(("item", "code", "fields"), [
    ({"entry": "standard"}, "FIELD_INTEGRITY_EXCEPTION", ["PricebookEntryId"]),
    ({"Quantity": 0}, "FIELD_INTEGRITY_EXCEPTION", ["Quantity"]),
    ({"Quantity": -1}, "FIELD_INTEGRITY_EXCEPTION", ["Quantity"]),
    ({"Quantity": None}, "REQUIRED_FIELD_MISSING", ["Quantity"]),
    ({"UnitPrice": None}, "REQUIRED_FIELD_MISSING", ["UnitPrice"]),
    ({"Product2Id": "other"}, "FIELD_INTEGRITY_EXCEPTION", ["Product2Id"]),
    ({"entry": "retired"}, "FIELD_INTEGRITY_EXCEPTION", ["PricebookEntryId"]),
    ({"PricebookEntryId": make_id("01u", 3)}, "INVALID_CROSS_REFERENCE_KEY", ["PricebookEntryId"]),
    ({"Quantity": "two"}, "JSON_PARSER_ERROR", None),
])
def test_create_item_errors(api, item, code, fields):
    [draft] = api.records("SELECT Id, TotalAmount FROM Order WHERE Status = 'Draft'")
    entry = {"standard": portal_entry(api, "Data SIM 3 GB", STANDARD_PRICEBOOK_ID),
             "retired": portal_entry(api, "Mobile Voice 3 GB")}.get(item.pop("entry", None),
                                                                    portal_entry(api, "Data SIM 3 GB"))
    other = portal_entry(api, "Secure VPN")["Product2Id"]
    body = {"OrderId": draft["Id"], "PricebookEntryId": entry["Id"], "Quantity": 1, "UnitPrice": 990}
    body.update({k: (other if v == "other" else v) for k, v in item.items()})

    error = api.error(api.post("sobjects/OrderItem", {k: v for k, v in body.items() if v is not None}))

    assert error["errorCode"] == code
    assert error.get("fields") == fields
    assert api.records(format_soql("SELECT TotalAmount FROM Order WHERE Id = {}", draft["Id"]))[0][
        "TotalAmount"] == 8580.0


def test_create_errors(api):
    missing = api.error(api.post("sobjects/Order", {"Status": "Draft"}))
    duplicate = api.error(api.post("sobjects/Order", {
        "AccountId": BOB, "EffectiveDate": TODAY.isoformat(), "Status": "Draft",
        "Portal_Request_Id__c": "b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57"}))
    organization = api.post("sobjects/Organization", {"Name": "Mine"})

    assert missing == {"message": "Required fields are missing: [AccountId, EffectiveDate]",
                       "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["AccountId", "EffectiveDate"]}
    assert duplicate["errorCode"] == "DUPLICATE_VALUE" and "Portal_Request_Id__c" in duplicate["message"]
    assert organization.status_code == 405 and organization.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED"
    assert api.error(api.post("sobjects/Order", ["not", "an", "object"]))["errorCode"] == "JSON_PARSER_ERROR"


def test_delete_an_order_deletes_its_items(api):
    [draft] = api.records("SELECT Id FROM Order WHERE Status = 'Draft'")

    assert api.delete(f"sobjects/Order/{draft['Id']}").status_code == 204

    assert api.error(api.get(f"sobjects/Order/{draft['Id']}"), 404)["errorCode"] == "NOT_FOUND"
    assert api.error(api.delete(f"sobjects/Order/{draft['Id']}"), 404)["errorCode"] == "NOT_FOUND"
    assert api.records(format_soql("SELECT Id FROM OrderItem WHERE OrderId = {}", draft["Id"])) == []
    assert api.query("SELECT COUNT() FROM OrderItem")["totalSize"] == 4
    in_use = api.error(api.delete(f"sobjects/Account/{ALICE}"))
    assert in_use["errorCode"] == "DELETE_FAILED"


# -- sObject Tree ---------------------------------------------------------------------------------
def tree_body(api, request_id="req-1", items=(("Mobile Voice 5 GB", 1, 1980), ("SIM activation fee", 1, 3300))):
    records = []
    for n, (product, quantity, price) in enumerate(items, 1):
        entry = portal_entry(api, product) if isinstance(product, str) else product
        records.append({"attributes": {"type": "OrderItem", "referenceId": f"item{n}"},
                        "PricebookEntryId": entry["Id"], "Product2Id": entry["Product2Id"],
                        "Quantity": quantity, "UnitPrice": price})
    return {"records": [{
        "attributes": {"type": "Order", "referenceId": "order"}, "AccountId": BOB,
        "Pricebook2Id": PORTAL_PRICEBOOK_ID, "EffectiveDate": TODAY.isoformat(), "Status": "Draft",
        "Provisioning_Status__c": "Pending Review", "Portal_Request_Id__c": request_id,
        "OrderItems": {"records": records},
    }]}


def test_tree_creates_an_order_with_its_items(api):
    response = api.post("composite/tree/Order", tree_body(api))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["hasErrors"] is False
    assert [r["referenceId"] for r in body["results"]] == ["order", "item1", "item2"]
    order_id = body["results"][0]["id"]
    [order] = api.records(format_soql(
        "SELECT Id, OrderNumber, TotalAmount, CreatedDate, Status, Provisioning_Status__c, "
        "(SELECT Id, Quantity, UnitPrice, TotalPrice FROM OrderItems ORDER BY Id) FROM Order "
        "WHERE Portal_Request_Id__c = {}", "req-1"))
    assert order["Id"] == order_id and order["OrderNumber"] == "00000103"
    assert order["TotalAmount"] == 5280.0 and order["Provisioning_Status__c"] == "Pending Review"
    created = datetime.strptime(order["CreatedDate"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert created.astimezone(JST).date() == TODAY, "created on the org's (Japan's) day"
    assert [i["Id"] for i in order["OrderItems"]["records"]] == [r["id"] for r in body["results"][1:]]
    assert [i["TotalPrice"] for i in order["OrderItems"]["records"]] == [1980.0, 3300.0]


def test_tree_is_all_or_nothing(api):
    before = api.query("SELECT COUNT() FROM OrderItem")["totalSize"]
    standard_entry = portal_entry(api, "SIM activation fee", STANDARD_PRICEBOOK_ID)
    body = tree_body(api, items=(("Mobile Voice 5 GB", 1, 1980), (standard_entry, 1, 3300)))

    response = api.post("composite/tree/Order", body)

    assert response.status_code == 400
    assert response.json() == {"hasErrors": True, "results": [{"referenceId": "item2", "errors": [{
        "statusCode": "FIELD_INTEGRITY_EXCEPTION",
        "message": "field integrity exception: PricebookEntryId (pricebook entry is in a different pricebook than "
                   "the one assigned to the order, or Order has no pricebook assigned)",
        "fields": ["PricebookEntryId"]}]}]}
    assert api.records("SELECT Id FROM Order WHERE Portal_Request_Id__c = 'req-1'") == []
    assert api.query("SELECT COUNT() FROM OrderItem")["totalSize"] == before
    assert api.query("SELECT COUNT() FROM Order", resource="queryAll")["totalSize"] == 3
    # nothing was used up: the next order still gets the next number
    ok = api.post("composite/tree/Order", tree_body(api, request_id="req-2")).json()
    assert api.get(f"sobjects/Order/{ok['results'][0]['id']}").json()["OrderNumber"] == "00000103"


@pytest.mark.parametrize(("items", "code"), [
    ((("Mobile Voice 5 GB", 1, 1980), ("SIM activation fee", 0, 3300)), "FIELD_INTEGRITY_EXCEPTION"),
    ((("Mobile Voice 5 GB", 1, 1980), ("SIM activation fee", None, 3300)), "REQUIRED_FIELD_MISSING"),
])
def test_tree_bad_second_item_leaves_no_order(api, items, code):
    body = tree_body(api, items=items)
    if items[1][1] is None:
        del body["records"][0]["OrderItems"]["records"][1]["Quantity"]

    response = api.post("composite/tree/Order", body)

    assert response.status_code == 400
    [result] = response.json()["results"]
    assert result["referenceId"] == "item2" and result["errors"][0]["statusCode"] == code
    assert api.records("SELECT Id FROM Order WHERE Portal_Request_Id__c = 'req-1'") == []


def test_tree_duplicate_request_id(api):
    assert api.post("composite/tree/Order", tree_body(api)).status_code == 201

    response = api.post("composite/tree/Order", tree_body(api))

    assert response.status_code == 400
    [result] = response.json()["results"]
    assert result["referenceId"] == "order" and result["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    assert len(api.records("SELECT Id FROM Order WHERE Portal_Request_Id__c = 'req-1'")) == 1


def test_tree_input_errors(api):
    body = tree_body(api)
    body["records"][0]["OrderItems"]["records"][1]["attributes"]["referenceId"] = "item1"
    duplicate = api.post("composite/tree/Order", body)
    unknown_field = tree_body(api)
    unknown_field["records"][0]["Colour__c"] = "blue"
    wrong_type = tree_body(api)
    wrong_type["records"][0]["attributes"]["type"] = "Account"

    assert duplicate.status_code == 400
    assert [r["referenceId"] for r in duplicate.json()["results"]] == ["item1", "item1"]
    assert api.post("composite/tree/Order", unknown_field).json()["results"][0]["errors"][0]["statusCode"] == (
        "INVALID_FIELD")
    assert api.post("composite/tree/Order", wrong_type).status_code == 400
    assert api.error(api.post("composite/tree/Order", {"records": []}))["errorCode"] == "INVALID_INPUT"
    assert api.error(api.post("composite/tree/Nope", tree_body(api)), 404)["errorCode"] == "NOT_FOUND"
    assert api.records("SELECT Id FROM Order WHERE Portal_Request_Id__c = 'req-1'") == []


# -- operator endpoints ---------------------------------------------------------------------------
def test_approve_an_order(salesforce_sandbox, api):
    seen = []
    salesforce_sandbox.app.on_order_approved = seen.append
    [draft] = api.records("SELECT Id, OrderNumber FROM Order WHERE Status = 'Draft'")

    response = requests.post(f"{salesforce_sandbox.url}/__sandbox__/orders/{draft['Id']}/approve", timeout=5)

    assert response.status_code == 200, response.text
    assert response.json()["order"]["Provisioning_Status__c"] == "Approved"
    [approval] = salesforce_sandbox.app.approved_orders
    assert seen == [approval]
    assert approval.order_id == draft["Id"] and approval.account_id == ALICE
    assert approval.idempotency_key == "b8e1f0d2-5a3c-4e7f-8b19-6c2d0a9e3f57"
    assert approval.order_number == draft["OrderNumber"]
    assert api.get(f"sobjects/Order/{draft['Id']}").json()["Provisioning_Status__c"] == "Approved"
    listed = requests.get(f"{salesforce_sandbox.url}/__sandbox__/approved-orders", timeout=5).json()
    assert [a["order_id"] for a in listed] == [draft["Id"]]
    # approving again publishes again (a duplicate the portal must absorb); an Active order cannot be approved
    assert requests.post(f"{salesforce_sandbox.url}/__sandbox__/orders/{draft['Id']}/approve",
                         timeout=5).status_code == 200
    assert len(salesforce_sandbox.app.approved_orders) == 2
    [active] = api.records(format_soql("SELECT Id FROM Order WHERE AccountId = {} AND Status = 'Activated'", ALICE))
    assert requests.post(f"{salesforce_sandbox.url}/__sandbox__/orders/{active['Id']}/approve",
                         timeout=5).status_code == 409
    missing = requests.post(f"{salesforce_sandbox.url}/__sandbox__/orders/{make_id('801', 1)}/approve", timeout=5)
    assert missing.status_code == 404


def test_set_an_order_status(salesforce_sandbox, api):
    [draft] = api.records("SELECT Id FROM Order WHERE Status = 'Draft'")
    url = f"{salesforce_sandbox.url}/__sandbox__/orders/{draft['Id']}/status"

    response = requests.post(url, json={"Status": "Activated", "Provisioning_Status__c": "Failed",
                                        "Provisioning_Error__c": "Number porting was refused"}, timeout=5)

    assert response.status_code == 200, response.text
    order = api.get(f"sobjects/Order/{draft['Id']}").json()
    assert (order["Status"], order["Provisioning_Status__c"]) == ("Activated", "Failed")
    assert order["Provisioning_Error__c"] == "Number porting was refused"
    assert requests.post(url, json={"Provisioning_Status__c": "Lost"}, timeout=5).status_code == 400
    assert requests.post(url, json={"Name": "x"}, timeout=5).status_code == 400
    assert requests.post(url, data="{", timeout=5, headers={"Content-Type": "application/json"}).status_code == 400


def test_reset_restores_the_seed(salesforce_sandbox, api):
    assert api.post("composite/tree/Order", tree_body(api)).status_code == 201
    [draft] = api.records(format_soql("SELECT Id FROM Order WHERE Status = 'Draft' AND AccountId = {}", ALICE))
    salesforce_sandbox.app.approve_order(draft["Id"])

    requests.post(f"{salesforce_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()

    assert api.records("SELECT Id FROM Order WHERE Portal_Request_Id__c = 'req-1'") == []
    assert api.records(format_soql("SELECT Provisioning_Status__c FROM Order WHERE Id = {}", draft["Id"]))[0][
        "Provisioning_Status__c"] == "Pending Review"
    assert salesforce_sandbox.app.approved_orders == []
    assert api.raw_query("SELECT Id FROM Organization").status_code == 200  # sessions survive a reset


# -- faults, stats, misc --------------------------------------------------------------------------
def test_latency(salesforce_sandbox, api):
    faults(salesforce_sandbox, latency_ms=150)

    started = time.monotonic()
    api.raw_query("SELECT Id FROM Organization")
    elapsed = time.monotonic() - started

    assert elapsed >= 0.15
    started = time.monotonic()
    requests.get(f"{salesforce_sandbox.url}/__sandbox__/stats", timeout=5)
    assert time.monotonic() - started < 0.15


def test_error_status_and_request_limit(salesforce_sandbox, api):
    faults(salesforce_sandbox, error_rate=1.0, status=503)
    unavailable = api.raw_query("SELECT Id FROM Organization")
    faults(salesforce_sandbox, rate_limit={"status": 403, "retry_after": 5})
    limited = api.raw_query("SELECT Id FROM Organization")

    assert unavailable.status_code == 503 and "503" in unavailable.text
    assert limited.status_code == 403
    assert limited.json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    assert requests.post(f"{salesforce_sandbox.url}/__sandbox__/orders/x/status", json={}, timeout=5).status_code == 400


def test_stats_count_calls(salesforce_sandbox, api):
    requests.delete(f"{salesforce_sandbox.url}/__sandbox__/stats", timeout=5)
    api.raw_query("SELECT Id FROM Organization")
    api.get(f"sobjects/Account/{ALICE}")

    stats = requests.get(f"{salesforce_sandbox.url}/__sandbox__/stats", timeout=5).json()

    assert stats["emulator"] == "salesforce"
    assert stats["calls"] == {"query": 1, "GET sobjects/Account": 1}
    assert api.get(f"sobjects/Account/{ALICE}").headers["Sforce-Limit-Info"] == "api-usage=3/15000"


def test_versions_resources_and_unknown_paths(salesforce_sandbox, api):
    versions = requests.get(f"{salesforce_sandbox.url}/services/data/", timeout=5).json()
    resources = api.get("").json()

    assert {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"} in versions
    assert resources["query"] == "/services/data/v62.0/query"
    assert api.session.get(f"{salesforce_sandbox.url}/services/data/v59.0/query",
                           params={"q": "SELECT Id FROM Organization"},
                           timeout=5).json()["records"][0]["attributes"]["url"].startswith("/services/data/v59.0/")
    assert api.error(api.get("nope"), 404)["errorCode"] == "NOT_FOUND"
    assert api.error(api.request("PUT", "query"), 405)["errorCode"] == "METHOD_NOT_ALLOWED"
    assert requests.get(f"{salesforce_sandbox.url}/__sandbox__/health", timeout=5).json()["emulator"] == "salesforce"


def test_config_from_the_environment(tmp_path):
    certificate = tmp_path / "cert.pem"
    certificate.write_text(self_signed_certificate(PRIVATE_PEM))

    config = SalesforceConfig.from_env({
        "SANDBOX_SALESFORCE_CONSUMER_KEY": "ck", "SANDBOX_SALESFORCE_USERNAME": "u@example.com",
        "SANDBOX_SALESFORCE_PUBLIC_KEY_FILE": str(certificate), "SANDBOX_SALESFORCE_SESSION_TTL": "60",
        "SANDBOX_SALESFORCE_AUDIENCES": "https://login.salesforce.com, https://test.salesforce.com",
        "SANDBOX_SALESFORCE_TODAY": "2026-01-02", "SANDBOX_SALESFORCE_FAULT_LATENCY_MS": "5",
    })

    assert (config.consumer_key, config.username, config.session_ttl) == ("ck", "u@example.com", 60.0)
    assert config.public_key_pem.startswith("-----BEGIN CERTIFICATE-----")
    assert config.audiences == ("https://login.salesforce.com", "https://test.salesforce.com")
    assert config.today == date(2026, 1, 2) and config.faults.latency_ms == 5


def test_standalone_entry_point(tmp_path):
    key_file = tmp_path / "public.pem"
    key_file.write_text(PUBLIC_PEM)
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.salesforce", "--port", "0", "--public-key-file", str(key_file)],
        cwd=Path(__file__).resolve().parents[2], stderr=subprocess.PIPE, text=True,
    )
    try:
        line = process.stderr.readline()
        url = re.search(r"on (http://\S+) ", line).group(1)
        token = requests.post(f"{url}/services/oauth2/token",
                              data={"grant_type": GRANT, "assertion": assertion(url)}, timeout=5)
        assert token.status_code == 200, token.text
    finally:
        process.terminate()
        process.wait(timeout=5)
        process.stderr.close()


def test_parser_raises_only_soql_errors_in_process(salesforce_sandbox):
    """The same fuzzing without HTTP, many more times: only SoqlError ever leaves the query engine."""
    store = salesforce_sandbox.app.store
    with pytest.raises(soql.SoqlError) as too_long:
        soql.execute(format_soql("SELECT Id FROM Order WHERE Status = {}", "x" * soql.MAX_QUERY_LENGTH), store)
    assert too_long.value.code == "MALFORMED_QUERY"
    rng = random.Random(7)
    seeds = [format_soql(CATALOG_QUERY.replace("{family}", ""), pricebook=PORTAL_PRICEBOOK_ID),
             format_soql(ORDERS_QUERY, ALICE), *JUNK[:40]]
    alphabet = "()',=<>!%_\\ .:-\"SELECTFROMWHEREANDORNOTINLIKENULLSFIRSTLIMIT0123456789Tz\n"
    for _ in range(3000):
        text = list(rng.choice(seeds) or "SELECT")
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(text) + 1)
            if rng.random() < 0.5 and at < len(text):
                del text[at]
            else:
                text.insert(at, rng.choice(alphabet))
        try:
            soql.execute("".join(text), store)
        except soql.SoqlError:
            pass
