"""Each sandbox answer has the shape of the provider's documented example (tests/sandbox/examples/).

The example says which keys an answer has, where, and what kind of value each holds (object, list,
scalar, null); the sandbox answer must have every one of them. A scalar matches any scalar (WHMCS's
documentation writes numbers as strings where WHMCS sends some as numbers) or null (a field left
empty); WHMCS's "" also stands for an empty list or object; each element of a list must match one
of the example's elements (a card and a bank account have different fields). The sandbox may send
more than the example shows.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.salesforce import start_salesforce_sandbox
from sandbox.whmcs.seed import USD_CLIENT_ID
from tests.sandbox.test_salesforce_sandbox import PUBLIC_PEM, Api

EXAMPLES = Path(__file__).parent / "examples"
ALICE = DEMO_CUSTOMERS[0]
SCALARS = (str, int, float, bool)


def example(name: str) -> Any:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def shape_problems(documented: Any, actual: Any, path: str = "$") -> list[str]:
    """Where ``actual`` does not have the shape of ``documented`` (empty: it has)."""
    if isinstance(documented, dict):
        if not isinstance(actual, dict):
            return [f"{path}: an object in the documentation, {type(actual).__name__} here"]
        problems = [f"{path}.{key}: missing" for key in documented if key not in actual]
        for key, value in documented.items():
            if key in actual:
                problems += shape_problems(value, actual[key], f"{path}.{key}")
        return problems
    if isinstance(documented, list):
        if not isinstance(actual, list):
            return [f"{path}: a list in the documentation, {type(actual).__name__} here"]
        problems = []
        for index, element in enumerate(actual):
            tries = [shape_problems(option, element, f"{path}[{index}]") for option in documented]
            if tries and all(tries):
                problems += min(tries, key=len)
        return problems
    if documented == "" and isinstance(actual, dict | list):
        return []  # WHMCS writes an empty list or object as ""
    if documented is None or isinstance(documented, SCALARS):
        if actual is None or isinstance(actual, SCALARS):
            return []
        return [f"{path}: a scalar in the documentation, {type(actual).__name__} here"]
    return [f"{path}: unexpected documented value {documented!r}"]


def test_the_shape_check_itself_finds_what_is_missing_or_of_another_kind():
    documented = {"a": "1", "b": {"c": []}, "d": [{"x": 1}, {"y": 2}], "e": ""}
    assert shape_problems(documented, {"a": 1, "b": {"c": [3]}, "d": [{"x": "1"}, {"y": None}], "e": {}, "f": 0}) == []
    assert shape_problems(documented, {"b": {"c": {}}, "d": [{"z": 1}], "e": []}) == [
        "$.a: missing", "$.b.c: a list in the documentation, dict here", "$.d[0].x: missing"]
    assert shape_problems({"a": "1"}, {"a": {"nested": 1}}) == ["$.a: a scalar in the documentation, dict here"]


def assert_like(name: str, actual: Any) -> None:
    problems = shape_problems(example(name), actual)
    assert problems == [], f"{name}: {problems}"


# -- WHMCS -------------------------------------------------------------------------------------------------


@pytest.fixture
def whmcs_api(whmcs):
    session = requests.Session()

    def call(action: str, **params) -> Any:
        response = session.post(f"{whmcs.url}/includes/api.php", timeout=5, data={
            "identifier": whmcs.app.config.identifier, "secret": whmcs.app.config.secret, "responsetype": "json",
            "action": action, **params})
        assert response.status_code == 200, response.text
        return response.json()

    yield call
    session.close()


@pytest.mark.parametrize(("name", "action", "params"), [
    ("whmcs/getclientsdetails.json", "GetClientsDetails", {"clientid": USD_CLIENT_ID}),
    ("whmcs/getclientsdetails.json", "GetClientsDetails", {"clientid": ALICE.whmcs_client_id}),
    ("whmcs/getclientsproducts.json", "GetClientsProducts", {"clientid": ALICE.whmcs_client_id}),
    ("whmcs/getcurrencies.json", "GetCurrencies", {}),
    ("whmcs/getinvoices.json", "GetInvoices", {"userid": ALICE.whmcs_client_id}),
    ("whmcs/getinvoices.json", "GetInvoices", {"userid": USD_CLIENT_ID}),
    ("whmcs/getpaymethods.json", "GetPayMethods", {"clientid": ALICE.whmcs_client_id}),
])
def test_whmcs_answers_like_its_documentation(whmcs_api, name, action, params):
    assert_like(name, whmcs_api(action, **params))


def test_whmcs_get_invoice_answers_like_its_documentation_with_and_without_payments(whmcs, whmcs_api):
    invoices = [i for i in whmcs.app.store.invoices.values() if i.userid == ALICE.whmcs_client_id]
    unpaid = next(i for i in invoices if i.status == "Unpaid")
    paid = next(i for i in invoices if i.status == "Paid")

    for invoice in (unpaid, paid):
        assert_like("whmcs/getinvoice.json", whmcs_api("GetInvoice", invoiceid=invoice.id))


def test_whmcs_documents_empty_custom_fields_as_an_empty_wrapper_and_so_does_the_sandbox(whmcs_api):
    documented = example("whmcs/getclientsproducts.json")["products"]["product"][0]["customfields"]
    fiber = next(p for p in whmcs_api("GetClientsProducts", clientid=ALICE.whmcs_client_id)["products"]["product"]
                 if p["name"].startswith("Fiber"))

    assert documented == {"customfield": []} == fiber["customfields"]


def test_whmcs_documents_a_token_only_on_remote_pay_methods_and_so_does_the_sandbox(whmcs_api):
    def tokens(methods: list[dict]) -> dict[str, bool]:
        return {m["type"]: bool(m["remote_token"]) for m in methods}

    documented = tokens(example("whmcs/getpaymethods.json")["paymethods"])
    sandbox = tokens(whmcs_api("GetPayMethods", clientid=ALICE.whmcs_client_id)["paymethods"])

    assert documented == {"RemoteCreditCard": True, "CreditCard": False, "BankAccount": False,
                          "RemoteBankAccount": True}
    assert all(documented[kind] == has_token for kind, has_token in sandbox.items())


def test_whmcs_documents_the_clients_currency_code_and_so_does_the_sandbox(whmcs_api):
    documented = example("whmcs/getclientsdetails.json")["client"]
    dana = whmcs_api("GetClientsDetails", clientid=USD_CLIENT_ID)["client"]

    assert (documented["currency"], documented["currency_code"]) == ("1", "USD")
    assert (dana["currency"], dana["currency_code"]) == ("2", "USD")


# -- Salesforce --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def salesforce_sandbox():
    """An emulator of its own (signed in to with the sandbox tests' key), in batches of 200."""
    handle = start_salesforce_sandbox(env={}, public_key_pem=PUBLIC_PEM, batch_size=200)
    yield handle
    handle.stop()


@pytest.fixture
def salesforce_api(salesforce_sandbox):
    requests.post(f"{salesforce_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    requests.delete(f"{salesforce_sandbox.url}/__sandbox__/faults", timeout=5).raise_for_status()
    client = Api(salesforce_sandbox)
    yield client
    client.session.close()


def test_salesforce_answers_a_small_query_like_its_documentation(salesforce_api):
    assert_like("salesforce/query_done.json", salesforce_api.raw_query("SELECT Id, Name FROM Account").json())


def test_salesforce_answers_a_large_query_in_batches_like_its_documentation(salesforce_sandbox, salesforce_api):
    for n in range(250):
        salesforce_sandbox.app.store.insert("Product2", {"Name": f"Documented {n:03d}"}, system=True)

    first = salesforce_api.raw_query("SELECT Id, Name FROM Product2").json()
    last = salesforce_api.session.get(salesforce_sandbox.url + first["nextRecordsUrl"], timeout=5).json()

    assert_like("salesforce/query_first_batch.json", first)
    assert_like("salesforce/query_more_last_batch.json", last)
    assert first["done"] is False and last["done"] is True
    documented = example("salesforce/query_first_batch.json")["nextRecordsUrl"]
    assert documented.rsplit("/", 1)[0].rsplit("/v", 1)[0] == first["nextRecordsUrl"].rsplit("/", 1)[0].rsplit(
        "/v", 1)[0]  # /services/data/vXX.X/query/<locator>-<position>


def test_salesforce_answers_an_exhausted_request_limit_like_its_documentation(salesforce_sandbox, salesforce_api):
    requests.post(f"{salesforce_sandbox.url}/__sandbox__/faults", json={"rate_limit": {"status": 429}}, timeout=5)

    limited = salesforce_api.raw_query("SELECT Id FROM Account")

    assert limited.status_code == 403
    assert limited.json() == example("salesforce/request_limit_exceeded.json")
