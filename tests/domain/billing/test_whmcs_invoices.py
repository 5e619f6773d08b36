"""GetInvoices / GetInvoice payloads -> Invoice, InvoicePage."""
import copy
from datetime import date, datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError

from domain.billing.providers import whmcs
from domain.billing.types import Invoice, InvoiceItem, InvoicePage, InvoiceStatus, InvoiceTransaction
from domain.shared.errors import MappingError
from domain.shared.money import Money
from domain.shared.providers.whmcs import WHMCS_TIME_ZONE
from tests.domain.helpers import JPY, USD, altered, floats_in, load


def jpy(amount: str) -> Money:
    return Money(amount=Decimal(amount), currency="JPY")


def test_invoice_list_maps_every_entry():
    page = whmcs.transform_whmcs_invoice_list(load("get_invoices.json"), default_currency=JPY)

    assert isinstance(page, InvoicePage)
    assert (page.total_results, page.offset, page.limit, page.has_more) == (3, 0, 25, False)
    first, second, third = page.invoices
    assert first == Invoice(
        id=1001,
        number="INV-2026-0001",
        client_id=42,
        status=InvoiceStatus.PAID,
        currency="JPY",
        subtotal=jpy("5000.00"),
        credit=jpy("0.00"),
        tax=jpy("500.00"),
        tax2=jpy("0.00"),
        total=jpy("5500.00"),
        balance=None,
        tax_rate=Decimal("10.00"),
        tax_rate2=Decimal("0.00"),
        issue_date=date(2026, 1, 1),
        due_date=date(2026, 1, 15),
        paid_at=datetime(2026, 1, 10, 9, 30, 12, tzinfo=WHMCS_TIME_ZONE),
        payment_method="banktransfer",
        notes="",
    )
    assert (second.number, second.paid_at, second.notes) == ("1002", None, "SIM plan February")
    assert second.credit == jpy("200.00")
    # numbers as JSON numbers, and the entry's own currency wins over the default
    assert (third.id, third.client_id, third.status, third.currency) == (1003, 42, InvoiceStatus.DRAFT, "USD")
    assert third.total == Money(amount=Decimal("12.5"), currency="USD")
    assert all(invoice.items == () and invoice.transactions == () for invoice in page.invoices)


def test_paid_invoice_with_items_and_transactions():
    invoice = whmcs.transform_whmcs_invoice(load("get_invoice_paid.json"), default_currency=JPY)

    assert (invoice.id, invoice.number, invoice.client_id, invoice.status) == (
        1001,
        "INV-2026-0001",
        42,
        InvoiceStatus.PAID,
    )
    assert (invoice.currency, invoice.total, invoice.balance) == ("JPY", jpy("5500.00"), jpy("0.00"))
    assert invoice.paid_at == datetime(2026, 1, 10, 9, 30, 12, tzinfo=WHMCS_TIME_ZONE)
    assert invoice.items == (
        InvoiceItem(
            id=2001,
            type="Hosting",
            description="Fiber 1G - 01/01/2026 - 31/01/2026",
            amount=jpy("5000.00"),
            taxed=True,
            related_id=501,
        ),
        InvoiceItem(id=2002, type="", description="Campaign discount", amount=jpy("0.00"), taxed=False),
    )
    assert [item.service_id for item in invoice.items] == [501, None]
    assert invoice.transactions == (
        InvoiceTransaction(
            id=3001,
            date=datetime(2026, 1, 10, 9, 30, 12, tzinfo=WHMCS_TIME_ZONE),
            gateway="banktransfer",
            transaction_id="BT-20260110-0042",
            amount_in=jpy("5500.00"),
            amount_out=jpy("0.00"),
        ),
    )


def test_unpaid_invoice_with_numbers_as_numbers_and_no_transactions():
    invoice = whmcs.transform_whmcs_invoice(load("get_invoice_unpaid.json"), default_currency=JPY)

    assert (invoice.id, invoice.number, invoice.status, invoice.paid_at) == (1002, "1002", InvoiceStatus.UNPAID, None)
    assert (invoice.subtotal, invoice.tax, invoice.credit) == (jpy("3280"), jpy("328"), jpy("200"))
    assert (invoice.total, invoice.balance, invoice.tax_rate) == (jpy("3408"), jpy("3408"), Decimal(10))
    assert invoice.transactions == ()
    assert [(item.id, item.type, item.related_id, item.taxed) for item in invoice.items] == [
        (2003, "Hosting", 502, True),
        (2004, "Addon", 77, True),
    ]
    assert [item.service_id for item in invoice.items] == [502, None]


def test_a_list_entry_maps_on_its_own():
    entry = load("get_invoices.json")["invoices"]["invoice"][1]
    invoice = whmcs.transform_whmcs_invoice(entry, default_currency=JPY)
    assert (invoice.id, invoice.number, invoice.balance, invoice.items) == (1002, "1002", None, ())


@pytest.mark.parametrize(
    ("default", "client", "expected"),
    [(JPY, None, "JPY"), (USD, None, "USD"), (JPY, USD, "USD")],
    ids=["default", "other-default", "client-currency-wins"],
)
def test_invoice_without_currency_takes_the_context_currency(default, client, expected):
    invoice = whmcs.transform_whmcs_invoice(load("get_invoice_unpaid.json"), default_currency=default, currency=client)
    assert invoice.currency == expected
    assert {item.amount.currency for item in invoice.items} == {expected}


def test_the_payload_currency_wins_over_the_context():
    page = whmcs.transform_whmcs_invoice_list(load("get_invoices.json"), default_currency=USD, currency=USD)
    assert [invoice.currency for invoice in page.invoices] == ["JPY", "JPY", "USD"]


def _set(path: str, value: object):
    """A change setting a dotted path (list indexes as numbers) of a payload."""

    def change(payload):
        *parents, last = path.split(".")
        node = payload
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[int(last) if isinstance(node, list) else last] = value

    return change


_DELETE = object()
_ONE_ITEM = {"id": "9", "type": "Hosting", "relid": "501", "description": "Fiber", "amount": "5000.00", "taxed": "1"}


@pytest.mark.parametrize(
    ("fixture", "change", "check"),
    [
        ("get_invoice_paid.json", _set("transactions", ""), lambda i: i.transactions == ()),
        ("get_invoice_paid.json", _set("transactions", []), lambda i: i.transactions == ()),
        ("get_invoice_paid.json", _set("transactions", {"transaction": []}), lambda i: i.transactions == ()),
        ("get_invoice_paid.json", _set("transactions", _DELETE), lambda i: i.transactions == ()),
        ("get_invoice_paid.json", _set("items", ""), lambda i: i.items == ()),
        ("get_invoice_paid.json", _set("items", {"item": _ONE_ITEM}), lambda i: [x.id for x in i.items] == [9]),
        ("get_invoice_paid.json", _set("invoicenum", "  "), lambda i: i.number == "1001"),
        ("get_invoice_paid.json", _set("invoicenum", 2026001), lambda i: i.number == "2026001"),
        ("get_invoice_paid.json", _set("datepaid", "0000-00-00 00:00:00"), lambda i: i.paid_at is None),
        ("get_invoice_paid.json", _set("datepaid", ""), lambda i: i.paid_at is None),
        ("get_invoice_paid.json", _set("items.item.0.taxed", 0), lambda i: i.items[0].taxed is False),
        ("get_invoice_paid.json", _set("items.item.0.relid", 0), lambda i: i.items[0].related_id is None),
        ("get_invoice_paid.json", _set("notes", None), lambda i: i.notes == ""),
        (
            "get_invoice_paid.json",
            _set("status", "Payment Pending"),
            lambda i: i.status is InvoiceStatus.PAYMENT_PENDING,
        ),
        ("get_invoice_paid.json", _set("status", "Collections"), lambda i: i.status is InvoiceStatus.COLLECTIONS),
        ("get_invoice_paid.json", _set("items.item.1.amount", "-500.00"), lambda i: i.items[1].amount == jpy("-500")),
        ("get_invoices.json", _set("invoices.invoice.0.currencycode", ""), lambda i: i.currency == "JPY"),
    ],
)
def test_quirks(fixture, change, check):
    payload = altered(load(fixture), change)
    if fixture == "get_invoices.json":
        invoice = whmcs.transform_whmcs_invoice_list(payload, default_currency=JPY).invoices[0]
    else:
        invoice = whmcs.transform_whmcs_invoice(payload, default_currency=JPY)
    assert check(invoice)


EMPTY_LIST_BODY = {"result": "success", "totalresults": "0", "startnumber": 0, "numreturned": 0}


@pytest.mark.parametrize(
    "invoices",
    ["", [], {}, {"invoice": []}, {"invoice": ""}, None, _DELETE],
    ids=["empty-string", "php-empty-array", "empty-object", "empty-list", "empty-inner", "null", "missing"],
)
def test_empty_invoice_list(invoices):
    body = dict(EMPTY_LIST_BODY) if invoices is _DELETE else {**EMPTY_LIST_BODY, "invoices": invoices}
    page = whmcs.transform_whmcs_invoice_list(body, default_currency=JPY)
    assert page == InvoicePage(invoices=(), total_results=0, offset=0, limit=25)
    assert not page.has_more


def test_page_position_comes_from_the_response_and_the_request():
    body = altered(load("get_invoices.json"), _set("totalresults", "53"))
    body["startnumber"] = "20"
    page = whmcs.transform_whmcs_invoice_list(body, default_currency=JPY, limit=3)
    assert (page.total_results, page.offset, page.limit, page.has_more) == (53, 20, 3, True)


MALFORMED = [
    ("get_invoices.json", _set("invoices.invoice.0.total", "abc"), "invoices.invoice.0.total"),
    ("get_invoices.json", _set("invoices.invoice.1.date", "2026-13-45"), "invoices.invoice.1.date"),
    ("get_invoices.json", _set("invoices.invoice.2.duedate", "15/03/2026"), "invoices.invoice.2.duedate"),
    ("get_invoices.json", _set("invoices.invoice.0.status", "Bogus"), "invoices.invoice.0.status"),
    ("get_invoices.json", _set("invoices.invoice.0.status", "paid"), "invoices.invoice.0.status"),
    ("get_invoices.json", _set("invoices.invoice.0.currencycode", "yen"), "invoices.invoice.0.currencycode"),
    ("get_invoices.json", _set("invoices.invoice.0.subtotal", 12.5j), "invoices.invoice.0.subtotal"),
    ("get_invoices.json", _set("invoices.invoice.1.id", _DELETE), "invoices.invoice.1.id"),
    ("get_invoices.json", _set("invoices.invoice.1.userid", "0"), "invoices.invoice.1.userid"),
    ("get_invoices.json", _set("invoices.invoice", [42]), "invoices.invoice.0"),
    ("get_invoices.json", _set("invoices", "oops"), "invoices"),
    ("get_invoices.json", _set("totalresults", "many"), "totalresults"),
    ("get_invoices.json", _set("totalresults", _DELETE), "totalresults"),
    ("get_invoice_paid.json", _set("invoiceid", "abc"), "invoiceid"),
    ("get_invoice_paid.json", _set("userid", _DELETE), "userid"),
    ("get_invoice_paid.json", _set("balance", _DELETE), "balance"),
    ("get_invoice_paid.json", _set("balance", ""), "balance"),
    ("get_invoice_paid.json", _set("duedate", "0000-00-00"), "duedate"),
    ("get_invoice_paid.json", _set("datepaid", "2026-02-30 10:00:00"), "datepaid"),
    ("get_invoice_paid.json", _set("datepaid", "2026-01-10"), "datepaid"),
    ("get_invoice_paid.json", _set("taxrate", "10%"), "taxrate"),
    ("get_invoice_paid.json", _set("items.item.0.amount", "5,000.00"), "items.item.0.amount"),
    ("get_invoice_paid.json", _set("items.item.1.taxed", "yes"), "items.item.1.taxed"),
    ("get_invoice_paid.json", _set("items.item.1.description", _DELETE), "items.item.1.description"),
    ("get_invoice_paid.json", _set("transactions.transaction.0.date", "2026-01-10"), "transactions.transaction.0.date"),
    ("get_invoice_paid.json", _set("transactions.transaction.0.amountin", None), "transactions.transaction.0.amountin"),
    ("get_invoice_paid.json", _set("transactions", "none"), "transactions"),
]


@pytest.mark.parametrize(("fixture", "change", "field"), MALFORMED)
def test_malformed_payload_raises_mapping_error_naming_the_field(fixture, change, field):
    payload = altered(load(fixture), change)
    transform = whmcs.transform_whmcs_invoice_list if "invoices" in payload else whmcs.transform_whmcs_invoice
    with pytest.raises(MappingError) as caught:
        transform(payload, default_currency=JPY)
    assert type(caught.value) is MappingError
    assert (caught.value.provider, caught.value.field) == ("whmcs", field)
    assert f"'{field}'" in str(caught.value)
    assert caught.value.__cause__ is None  # the raw input is not dragged into logs


def test_unknown_status_is_named_in_the_reason():
    payload = altered(load("get_invoice_paid.json"), _set("status", "Disputed"))
    with pytest.raises(MappingError, match="unknown value 'Disputed'") as caught:
        whmcs.transform_whmcs_invoice(payload, default_currency=JPY)
    assert caught.value.field == "status"


@pytest.mark.parametrize("raw", [None, "", "not json", 42, [], [{"id": "1"}]])
def test_a_payload_that_is_not_an_object(raw):
    with pytest.raises(MappingError) as caught:
        whmcs.transform_whmcs_invoice(raw, default_currency=JPY)
    assert caught.value.field == "(root)"
    with pytest.raises(MappingError):
        whmcs.transform_whmcs_invoice_list(raw, default_currency=JPY)


@pytest.mark.parametrize(
    ("status", "due", "overdue"),
    [
        (InvoiceStatus.UNPAID, date(2026, 2, 14), True),
        (InvoiceStatus.UNPAID, date(2026, 2, 15), False),  # due today is not overdue yet
        (InvoiceStatus.UNPAID, date(2026, 2, 16), False),
        (InvoiceStatus.OVERDUE, date(2026, 2, 16), True),
        (InvoiceStatus.PAID, date(2026, 1, 1), False),
        (InvoiceStatus.DRAFT, date(2026, 1, 1), False),
        (InvoiceStatus.CANCELLED, date(2026, 1, 1), False),
        (InvoiceStatus.PAYMENT_PENDING, date(2026, 1, 1), False),
    ],
)
def test_is_overdue(status, due, overdue):
    invoice = whmcs.transform_whmcs_invoice(load("get_invoice_unpaid.json"), default_currency=JPY)
    assert invoice.model_copy(update={"status": status, "due_date": due}).is_overdue(date(2026, 2, 15)) is overdue


@pytest.mark.parametrize("fixture", ["get_invoices.json", "get_invoice_paid.json", "get_invoice_unpaid.json"])
def test_mapping_is_pure_float_free_and_immutable(fixture):
    payload = load(fixture)
    before = copy.deepcopy(payload)
    transform = whmcs.transform_whmcs_invoice_list if "invoices" in payload else whmcs.transform_whmcs_invoice

    result = transform(payload, default_currency=JPY)

    assert payload == before
    assert transform(payload, default_currency=JPY) == result
    assert floats_in(result) == []
    hash(result)  # frozen all the way down
    with pytest.raises(ValidationError, match="frozen"):
        setattr(result, next(iter(type(result).model_fields)), None)
    assert type(result).model_validate_json(result.model_dump_json()) == result  # cache round trip


def test_invoice_fields_cannot_be_changed():
    invoice = whmcs.transform_whmcs_invoice(load("get_invoice_paid.json"), default_currency=JPY)
    with pytest.raises(ValidationError):
        invoice.status = InvoiceStatus.UNPAID
    with pytest.raises(ValidationError):
        invoice.items[0].amount = jpy("1")
    with pytest.raises(ValidationError):
        invoice.total.amount = Decimal(0)
    with pytest.raises(AttributeError):
        invoice.items.append(invoice.items[0])


def test_an_invoice_has_one_currency():
    invoice = whmcs.transform_whmcs_invoice(load("get_invoice_paid.json"), default_currency=JPY)
    fields = invoice.model_dump() | {"tax": Money(amount=Decimal(1), currency="USD")}
    with pytest.raises(ValidationError, match="currency"):
        Invoice(**fields)
    with pytest.raises(ValidationError):
        Invoice(**invoice.model_dump(), unexpected="field")
