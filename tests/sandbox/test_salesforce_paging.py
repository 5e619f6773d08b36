"""The Salesforce emulator answers queries in batches, as Salesforce's REST API does.

``Sforce-Query-Options: batchSize=N`` (200 to 2,000; child records count towards it), the default
batch (Salesforce's 2,000, configurable), ``nextRecordsUrl`` query locators read to ``done``,
locators that expire or are released, child subqueries paged inside their record, and the
request limit answered 403 ``REQUEST_LIMIT_EXCEEDED``.
"""
from datetime import date

import pytest
import requests

from sandbox.salesforce import start_salesforce_sandbox
from sandbox.salesforce.cursors import CURSOR_TTL_SECONDS, MAX_OPEN_CURSORS, Cursors, InvalidQueryLocator, batch_size
from tests.sandbox.test_salesforce_sandbox import PUBLIC_PEM, Api, faults

TODAY = date(2026, 11, 26)
PRODUCTS = 450


@pytest.fixture(scope="module")
def paging():
    """An emulator whose default batch is Salesforce's minimum, 200."""
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, today=TODAY, batch_size=200)
    for n in range(PRODUCTS):
        handle.app.store.insert("Product2", {"Name": f"Paged {n:03d}", "StockKeepingUnit": f"PAGED-{n:03d}"},
                                system=True)
    yield handle
    handle.stop()


@pytest.fixture
def api(paging):
    requests.delete(f"{paging.url}/__sandbox__/faults", timeout=5)
    client = Api(paging)
    yield client
    client.session.close()


def product_count(handle) -> int:
    return len(handle.app.store.rows("Product2"))


def test_a_large_answer_comes_in_batches_linked_by_next_records_url(paging, api):
    total = product_count(paging)
    first = api.raw_query("SELECT Id, Name FROM Product2 ORDER BY Name").json()

    assert (first["totalSize"], first["done"], len(first["records"])) == (total, False, 200)
    assert first["nextRecordsUrl"].startswith("/services/data/v62.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-200")
    records, page = list(first["records"]), first
    while not page["done"]:
        page = api.session.get(paging.url + page["nextRecordsUrl"], timeout=5).json()
        assert page["totalSize"] == total
        records += page["records"]
    assert "nextRecordsUrl" not in page
    assert len(records) == total == len({r["Id"] for r in records})
    assert [r["Name"] for r in records] == sorted((r["Name"] for r in records), key=str.casefold)


@pytest.mark.parametrize(("header", "expected"), [
    ("batchSize=300", 300),
    ("batchSize=2000", None),  # everything in one batch
    ("batchSize=50", 200),  # below Salesforce's minimum
    ("batchSize=5000", None),  # above its maximum: 2,000
    ("nonsense", 200),  # no batch size asked for: the configured default
])
def test_the_query_options_header_asks_for_a_batch_size(paging, api, header, expected):
    answer = api.get("query", params={"q": "SELECT Id FROM Product2"},
                     headers={"Sforce-Query-Options": header}).json()

    assert len(answer["records"]) == (expected or product_count(paging))
    assert answer["done"] is (expected is None)


def test_the_default_batch_is_salesforces_2000():
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, today=TODAY)
    try:
        for n in range(2100):
            handle.app.store.insert("Pricebook2", {"Name": f"Book {n}"}, system=True)
        client = Api(handle)
        answer = client.raw_query("SELECT Id FROM Pricebook2").json()
        assert len(answer["records"]) == 2000 and answer["done"] is False
    finally:
        handle.stop()


@pytest.mark.parametrize("size", [199, 2001])
def test_a_batch_size_salesforce_does_not_have_is_refused(size):
    with pytest.raises(ValueError, match="200 to 2000"):
        start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, batch_size=size)


def test_the_batch_size_comes_from_the_environment():
    from sandbox.salesforce import SalesforceConfig

    assert SalesforceConfig.from_env({"SANDBOX_SALESFORCE_BATCH_SIZE": "200"}).batch_size == 200
    assert SalesforceConfig.from_env({}).batch_size == 2000


def test_child_records_count_towards_the_batch_and_a_large_child_list_is_paged_too(paging, api):
    store = paging.app.store
    product = store.insert("Product2", {"Name": "Everywhere", "StockKeepingUnit": "EVERYWHERE"}, system=True)
    standard = next(p for p in store.rows("Pricebook2") if p["IsStandard"])
    store.insert("PricebookEntry", {"Pricebook2Id": standard["Id"], "Product2Id": product["Id"], "UnitPrice": 1},
                 system=True)
    for n in range(250):
        book = store.insert("Pricebook2", {"Name": f"Reseller {n}"}, system=True)
        store.insert("PricebookEntry", {"Pricebook2Id": book["Id"], "Product2Id": product["Id"], "UnitPrice": n},
                     system=True)

    answer = api.raw_query(f"SELECT Id, (SELECT Id FROM PricebookEntries) FROM Product2 "
                           f"WHERE Id = '{product['Id']}'").json()

    entries = answer["records"][0]["PricebookEntries"]
    assert (entries["totalSize"], entries["done"], len(entries["records"])) == (251, False, 200)
    rest = api.session.get(paging.url + entries["nextRecordsUrl"], timeout=5).json()
    assert (rest["done"], len(rest["records"])) == (True, 51)
    # One product and its 200 entries already fill a batch: the next product starts the next one.
    both = api.raw_query("SELECT Id, (SELECT Id FROM PricebookEntries) FROM Product2 "
                         "WHERE StockKeepingUnit IN ('EVERYWHERE', 'PAGED-000')").json()
    assert len(both["records"]) == 1 and both["done"] is False


def test_an_unknown_or_finished_locator_is_invalid(paging, api):
    first = api.raw_query("SELECT Id FROM Product2").json()
    cursor = first["nextRecordsUrl"].rsplit("/", 1)[1].split("-")[0]
    page = first
    while not page["done"]:
        page = api.session.get(paging.url + page["nextRecordsUrl"], timeout=5).json()

    for locator in (f"{cursor}-200", "01gDn0000000000AAA-200", "nonsense"):
        response = api.get(f"query/{locator}")
        assert api.error(response) == {"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}


def test_query_all_locators_are_read_the_same_way(paging, api):
    first = api.raw_query("SELECT Id FROM Product2", resource="queryAll").json()
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1]

    assert api.get(f"queryAll/{locator}").json()["totalSize"] == first["totalSize"]


def test_the_stats_count_each_batch_as_a_call(paging, api):
    requests.delete(f"{paging.url}/__sandbox__/stats", timeout=5)
    page = api.raw_query("SELECT Id FROM Product2").json()
    while not page["done"]:
        page = api.session.get(paging.url + page["nextRecordsUrl"], timeout=5).json()

    calls = requests.get(f"{paging.url}/__sandbox__/stats", timeout=5).json()["calls"]
    assert calls == {"query": 1, "query more": -(-product_count(paging) // 200) - 1}


def test_a_reset_releases_the_cursors(paging, api):
    first = api.raw_query("SELECT Id FROM Product2").json()
    requests.post(f"{paging.url}/__sandbox__/reset", timeout=5).raise_for_status()
    for n in range(PRODUCTS):  # the reset restored the seed: the module's products again
        paging.app.store.insert("Product2", {"Name": f"Paged {n:03d}", "StockKeepingUnit": f"PAGED-{n:03d}"},
                                system=True)

    assert api.session.get(paging.url + first["nextRecordsUrl"], timeout=5).status_code == 400


def test_an_injected_rate_limit_is_salesforces_request_limit_403_without_retry_after(paging, api):
    faults(paging, rate_limit={"status": 429, "retry_after": 5})

    limited = api.raw_query("SELECT Id FROM Organization")

    assert limited.status_code == 403
    assert "Retry-After" not in limited.headers
    assert limited.json() == [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


# -- the cursor rules, on their own clock ---------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def answer(n: int) -> dict:
    return {"totalSize": n, "done": True, "records": [{"Id": str(i)} for i in range(n)]}


def test_a_locator_expires_after_15_minutes_unused():
    clock = Clock()
    cursors = Cursors(clock)
    first = cursors.first_batch(answer(500), batch=200, version="62.0")
    locator = first["nextRecordsUrl"].rsplit("/", 1)[1]

    clock.now += CURSOR_TTL_SECONDS - 1
    second = cursors.next_batch(locator)  # used: its 15 minutes start again
    clock.now += CURSOR_TTL_SECONDS + 1

    with pytest.raises(InvalidQueryLocator):
        cursors.next_batch(second["nextRecordsUrl"].rsplit("/", 1)[1])


def test_opening_an_eleventh_cursor_releases_the_oldest():
    cursors = Cursors(Clock())
    locators = [cursors.first_batch(answer(300), batch=200, version="62.0")["nextRecordsUrl"].rsplit("/", 1)[1]
                for _ in range(MAX_OPEN_CURSORS + 1)]

    with pytest.raises(InvalidQueryLocator):
        cursors.next_batch(locators[0])
    assert len(cursors.next_batch(locators[1])["records"]) == 100


@pytest.mark.parametrize(("header", "size"), [
    (None, 777), ("batchSize=250", 250), ("BATCHSIZE = 300", 300), ("foo=1, batchSize=400", 400),
    ("batchSize=12", 200), ("batchSize=99999", 2000), ("batchSize=abc", 777),
])
def test_reading_the_query_options_header(header, size):
    assert batch_size(header, 777) == size
