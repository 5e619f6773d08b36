"""Query answers in batches: the connection follows ``nextRecordsUrl`` to the end, bounded.

At the HTTP boundary (``responses``), with the answers shaped as Salesforce documents them
(``tests/sandbox/examples/salesforce/``), and against the Salesforce emulator paging at 200.
"""
import json
from pathlib import Path

import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from integrations.salesforce.connection import SalesforceConfig, SalesforceConnection
from integrations.salesforce.errors import (
    SalesforceError,
    SalesforceQueryTooLarge,
    SalesforceRequestLimitExceeded,
    SalesforceTransportError,
)

LOGIN = "https://login.example.test"
INSTANCE = "https://acme.my.example.test"
DATA = f"{INSTANCE}/services/data/v62.0"
TOKEN_URL = f"{LOGIN}/services/oauth2/token"
EXAMPLES = Path(__file__).parents[2] / "sandbox" / "examples" / "salesforce"


@pytest.fixture(scope="module")
def private_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def connect(private_key, **config) -> SalesforceConnection:
    return SalesforceConnection(SalesforceConfig(
        login_url=LOGIN, client_id="consumer-key", username="integration@acme.test", private_key=private_key,
        max_attempts=2, backoff_base=0.001, backoff_max=0.01, **config))


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(TOKEN_URL, json={"access_token": "token-1", "instance_url": INSTANCE, "token_type": "Bearer"})
        yield mock


def contact(n: int) -> dict:
    return {"attributes": {"type": "Contact", "url": f"/services/data/v62.0/sobjects/Contact/003{n:015d}"},
            "Id": f"003{n:015d}", "Name": f"Contact {n}"}


def batch(numbers, total, next_locator=None) -> dict:
    answer = {"totalSize": total, "done": next_locator is None, "records": [contact(n) for n in numbers]}
    if next_locator:
        answer["nextRecordsUrl"] = f"/services/data/v62.0/query/{next_locator}"
    return answer


def gets(mock) -> list[str]:
    return [call.request.url for call in mock.calls if call.request.method == "GET"]


def test_every_batch_is_read_and_one_complete_answer_handed_back(mocked, private_key):
    mocked.get(f"{DATA}/query/", json=batch(range(0, 200), 450, "01gD0000002HU6KIAW-200"))
    mocked.get(f"{DATA}/query/01gD0000002HU6KIAW-200", json=batch(range(200, 400), 450, "01gD0000002HU6KIAW-400"))
    mocked.get(f"{DATA}/query/01gD0000002HU6KIAW-400", json=batch(range(400, 450), 450))

    answer = connect(private_key).query("SELECT Id, Name FROM Contact")

    assert answer["done"] is True and "nextRecordsUrl" not in answer
    assert answer["totalSize"] == 450
    assert [r["Name"] for r in answer["records"]] == [f"Contact {n}" for n in range(450)]
    assert [url.split("?")[0] for url in gets(mocked)] == [
        f"{DATA}/query/", f"{DATA}/query/01gD0000002HU6KIAW-200", f"{DATA}/query/01gD0000002HU6KIAW-400"]


def test_the_documented_example_locator_is_followed(mocked, private_key):
    """The Query More Results example: ``/services/data/vXX.X/query/01gRO0000016PIAYA2-500``."""
    first = json.loads((EXAMPLES / "query_first_batch.json").read_text())
    last = json.loads((EXAMPLES / "query_more_last_batch.json").read_text())
    mocked.get(f"{DATA}/query/", json=first)
    mocked.get(f"{INSTANCE}{first['nextRecordsUrl']}", json=last)

    answer = connect(private_key).query("SELECT Id, Name FROM Contact")

    assert answer["records"] == first["records"] + last["records"] and answer["done"] is True


def test_the_batch_size_is_asked_for_with_the_query_options_header(mocked, private_key):
    mocked.get(f"{DATA}/query/", json=batch(range(3), 3))

    connect(private_key, query_batch_size=200).query("SELECT Id FROM Contact")
    connect(private_key).query("SELECT Id FROM Contact")

    first, second = [c.request for c in mocked.calls if c.request.method == "GET"]
    assert first.headers["Sforce-Query-Options"] == "batchSize=200"
    assert "Sforce-Query-Options" not in second.headers


@pytest.mark.parametrize("size", [199, 2001, 0])
def test_a_batch_size_salesforce_does_not_accept_is_refused_at_configuration(private_key, size):
    with pytest.raises(ValueError, match="200 to 2000"):
        connect(private_key, query_batch_size=size)


def test_child_subqueries_are_read_to_the_end_too(mocked, private_key):
    parent = {"attributes": {"type": "Product2"}, "Id": "01t000000000001AAA", "PricebookEntries": {
        "totalSize": 3, "done": False, "nextRecordsUrl": "/services/data/v62.0/query/01gD0000000child1-2",
        "records": [{"Id": "01u1"}, {"Id": "01u2"}]}}
    mocked.get(f"{DATA}/query/", json={"totalSize": 1, "done": True, "records": [parent]})
    mocked.get(f"{DATA}/query/01gD0000000child1-2", json={"totalSize": 3, "done": True, "records": [{"Id": "01u3"}]})

    answer = connect(private_key).query("SELECT Id, (SELECT Id FROM PricebookEntries) FROM Product2")

    entries = answer["records"][0]["PricebookEntries"]
    assert entries["done"] is True and "nextRecordsUrl" not in entries
    assert [e["Id"] for e in entries["records"]] == ["01u1", "01u2", "01u3"]


def test_a_lost_batch_is_asked_for_again(mocked, private_key):
    mocked.get(f"{DATA}/query/", json=batch(range(2), 3, "01gD0000002HU6KIAW-2"))
    mocked.get(f"{DATA}/query/01gD0000002HU6KIAW-2", body=requests.ConnectionError("reset"))
    mocked.get(f"{DATA}/query/01gD0000002HU6KIAW-2", json=batch(range(2, 3), 3))

    assert len(connect(private_key).query("SELECT Id FROM Contact")["records"]) == 3


def test_a_query_over_the_record_bound_is_refused_before_any_batch_is_followed(mocked, private_key):
    mocked.get(f"{DATA}/query/", json=batch(range(200), 10_001, "01gD0000002HU6KIAW-200"))

    with pytest.raises(SalesforceQueryTooLarge, match="10001 records"):
        connect(private_key).query("SELECT Id FROM Contact")
    assert len(gets(mocked)) == 1


def test_a_provider_that_pages_without_end_is_stopped_at_the_page_bound(mocked, private_key):
    mocked.get(f"{DATA}/query/", json=batch(range(1), 5, "01gD0000002HU6KIAW-1"))
    mocked.get(f"{DATA}/query/01gD0000002HU6KIAW-1", json=batch(range(1), 5, "01gD0000002HU6KIAW-1"))

    with pytest.raises(SalesforceQueryTooLarge, match="batches"):
        connect(private_key, max_query_pages=3).query("SELECT Id FROM Contact")
    assert len(gets(mocked)) == 4


@pytest.mark.parametrize("next_url", [
    None,
    "https://evil.example.test/services/data/v62.0/query/01gD0000002HU6KIAW-2",
    "/services/data/v62.0/sobjects/Account/001",
    "/services/data/v62.0/query/../../oauth2/token",
])
def test_done_false_without_a_salesforce_locator_is_a_transport_error_and_nothing_is_sent(mocked, private_key,
                                                                                            next_url):
    first = batch(range(2), 3)
    first["done"] = False
    if next_url:
        first["nextRecordsUrl"] = next_url
    mocked.get(f"{DATA}/query/", json=first)

    with pytest.raises(SalesforceTransportError, match="nextRecordsUrl"):
        connect(private_key).query("SELECT Id FROM Contact")
    assert len(gets(mocked)) == 1


def test_an_expired_locator_is_a_salesforce_error(mocked, private_key):
    mocked.get(f"{DATA}/query/", json=batch(range(2), 3, "01gD0000002HU6KIAW-2"))
    mocked.get(f"{DATA}/query/01gD0000002HU6KIAW-2", status=400,
               json=[{"errorCode": "INVALID_QUERY_LOCATOR", "message": "invalid query locator"}])

    with pytest.raises(SalesforceError) as caught:
        connect(private_key).query("SELECT Id FROM Contact")
    assert caught.value.error_codes == ("INVALID_QUERY_LOCATOR",)


def test_request_limit_exceeded_is_403_unavailable_and_not_retried(mocked, private_key):
    example = json.loads((EXAMPLES / "request_limit_exceeded.json").read_text())
    mocked.get(f"{DATA}/query/", status=403, json=example)

    with pytest.raises(SalesforceRequestLimitExceeded) as caught:
        connect(private_key).query("SELECT Id FROM Contact")

    assert isinstance(caught.value, SalesforceTransportError)  # counted by the breaker as an outage
    assert caught.value.error_codes == ("REQUEST_LIMIT_EXCEEDED",)
    assert len(gets(mocked)) == 1  # retrying at once only spends more of the allocation


# -- against the emulator, paging at 200 -------------------------------------------------------------------


def emulator_calls(salesforce) -> dict:
    return requests.get(f"{salesforce.url}/__sandbox__/stats", timeout=5).json()["calls"]


def test_the_emulator_pages_at_200_and_the_connection_reads_every_batch(salesforce):
    from portal.core.connections import salesforce_connection

    store = salesforce.app.store
    before = len(store.rows("Product2"))
    for n in range(450):
        store.insert("Product2", {"Name": f"Paged product {n:03d}", "StockKeepingUnit": f"PAGED-{n:03d}"},
                     system=True)
    requests.delete(f"{salesforce.url}/__sandbox__/stats", timeout=5)

    answer = salesforce_connection().query("SELECT Id, Name FROM Product2 ORDER BY Name")

    assert answer["done"] is True and answer["totalSize"] == before + 450 == len(answer["records"])
    assert len({r["Id"] for r in answer["records"]}) == before + 450
    calls = emulator_calls(salesforce)
    assert (calls["query"], calls["query more"]) == (1, -(-(before + 450) // 200) - 1)


def test_a_child_subquery_over_one_batch_is_paged_by_the_emulator_and_read_to_the_end(salesforce):
    from portal.core.connections import salesforce_connection

    store = salesforce.app.store
    product = store.insert("Product2", {"Name": "Sold everywhere", "StockKeepingUnit": "EVERYWHERE"}, system=True)
    standard = next(p for p in store.rows("Pricebook2") if p["IsStandard"])
    store.insert("PricebookEntry", {"Pricebook2Id": standard["Id"], "Product2Id": product["Id"], "UnitPrice": 100,
                                    "IsActive": True}, system=True)
    for n in range(230):
        book = store.insert("Pricebook2", {"Name": f"Reseller {n:03d}", "IsActive": True}, system=True)
        store.insert("PricebookEntry", {"Pricebook2Id": book["Id"], "Product2Id": product["Id"], "UnitPrice": n,
                                        "IsActive": True}, system=True)
    soql = f"SELECT Id, (SELECT Id FROM PricebookEntries) FROM Product2 WHERE Id = '{product['Id']}'"

    answer = salesforce_connection().query(soql)

    entries = answer["records"][0]["PricebookEntries"]
    assert entries["done"] is True and entries["totalSize"] == 231 == len(entries["records"])
    assert emulator_calls(salesforce)["query more"] >= 1
