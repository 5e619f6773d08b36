"""GetClientsDetails -> the currency WHMCS bills the client in; one unreadable entry of a WHMCS list
left out (tolerant) or naming its place (strict)."""
import json
from pathlib import Path

import pytest

from domain.billing.providers import whmcs
from domain.shared.errors import MappingError
from domain.shared.money import Currency
from domain.subscriptions.providers import whmcs as subscriptions
from tests.domain.helpers import altered, load

EXAMPLES = Path(__file__).parents[2] / "sandbox" / "examples" / "whmcs"
JPY = Currency(id=1, code="JPY", prefix="¥", suffix=" JPY", is_default=True)
USD = Currency(id=2, code="USD", prefix="$", suffix=" USD")


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def details(**client) -> dict:
    return {"result": "success", "client": {"id": "7", **client}}


def test_the_documented_answer_names_the_clients_currency():
    assert whmcs.transform_whmcs_client_currency(example("getclientsdetails.json"), currencies=(JPY, USD)) == USD


@pytest.mark.parametrize(("client", "expected"), [
    ({"currency": "1", "currency_code": "JPY"}, JPY),
    ({"currency": 2, "currency_code": "USD"}, USD),
    ({"currency": "2"}, USD),  # an older WHMCS without currency_code: the id
    ({"currency_code": "USD"}, USD),
    ({}, JPY),  # none set: the installation's default
    ({"currency": "0", "currency_code": ""}, JPY),
    ({"currency": "3", "currency_code": "EUR"}, Currency(id=3, code="EUR")),  # not in GetCurrencies: its code
])
def test_the_clients_currency_with_its_prefix_and_suffix(client, expected):
    assert whmcs.transform_whmcs_client_currency(details(**client), currencies=(JPY, USD)) == expected


@pytest.mark.parametrize(("raw", "field"), [
    ({"result": "success"}, "client"),
    (details(currency_code="usd"), "client.currency_code"),
    (details(currency="x"), "client.currency"),
    ({"result": "success", "client": {"currency_code": "USD"}}, "client.id"),
])
def test_a_malformed_client(raw, field):
    with pytest.raises(MappingError) as caught:
        whmcs.transform_whmcs_client_currency(raw, currencies=(JPY, USD))
    assert (caught.value.entity, caught.value.field) == ("client", field)


def test_one_unreadable_invoice_is_left_out_of_a_tolerant_page_and_named_in_a_strict_one():
    page = altered(load("get_invoices.json"), lambda b: b["invoices"]["invoice"][1].update(status="Sent"))
    skipped: list[MappingError] = []

    tolerant = whmcs.transform_whmcs_invoice_list(page, default_currency=JPY, on_skip=skipped.append)

    everything = load("get_invoices.json")["invoices"]["invoice"]
    assert [i.id for i in tolerant.invoices] == [int(e["id"]) for n, e in enumerate(everything) if n != 1]
    assert tolerant.total_results == int(page["totalresults"])  # WHMCS still has it
    assert [e.field for e in skipped] == ["invoices.invoice.1.status"]
    with pytest.raises(MappingError) as caught:
        whmcs.transform_whmcs_invoice_list(page, default_currency=JPY)
    assert caught.value.field == "invoices.invoice.1.status"


def test_one_unreadable_service_is_left_out_of_a_tolerant_page():
    page = altered(load("get_clients_products.json"), lambda b: b["products"]["product"][0].update(status="Gone"))
    skipped: list[MappingError] = []

    tolerant = subscriptions.transform_whmcs_subscription_list(page, default_currency=JPY, on_skip=skipped.append)

    assert len(tolerant.subscriptions) == len(page["products"]["product"]) - 1
    assert [e.field for e in skipped] == ["products.product.0.status"]


def test_one_unreadable_pay_method_is_left_out_and_the_first_readable_is_not_promoted():
    body = altered(load("get_pay_methods.json"), lambda b: b["paymethods"][0].update(type="Crypto"))
    skipped: list[MappingError] = []

    methods = whmcs.transform_whmcs_pay_methods(body, on_skip=skipped.append)

    assert [m.id for m in methods] == [p["id"] for p in body["paymethods"][1:]]
    assert not any(m.is_default for m in methods)  # WHMCS charges its first: that one was left out
    assert [e.field for e in skipped] == ["paymethods.0.type"]


def test_the_documented_lists_are_read():
    invoices = whmcs.transform_whmcs_invoice_list(example("getinvoices.json"), default_currency=JPY)
    invoice = whmcs.transform_whmcs_invoice(example("getinvoice.json"), default_currency=USD)
    products = subscriptions.transform_whmcs_subscription_list(example("getclientsproducts.json"),
                                                               default_currency=USD)
    methods = whmcs.transform_whmcs_pay_methods(example("getpaymethods.json"))
    currencies = whmcs.transform_whmcs_currencies(example("getcurrencies.json"))

    assert [(i.id, i.currency, str(i.total.amount)) for i in invoices.invoices] == [(1, "USD", "15.95")]
    assert (invoice.id, invoice.currency, invoice.items[0].service_id) == (1, "USD", 1)
    assert [(s.product_name, s.custom_fields) for s in products.subscriptions] == [("Starter", ()), ("Plus", ())]
    assert [m.type.value for m in methods] == ["RemoteCreditCard", "CreditCard", "BankAccount", "RemoteBankAccount"]
    assert currencies == (Currency(id=1, code="USD", prefix="$", suffix=" USD", is_default=True),)
