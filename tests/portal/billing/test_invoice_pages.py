"""The invoice pages (/billing/invoices/...) against the WHMCS emulator: listing, paging,
filtering, money formatting, the detail page and who may see what."""
import re

import pytest
from django.test import Client

from tests.portal.billing.conftest import ALICE_CLIENT_ID, BOB_CLIENT_ID

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr(?: class="(?P<css>[^"]*)")?>\s*<th scope="row"><a href="/billing/invoices/(?P<id>\d+)/">'
                 r"(?P<number>[^<]+)</a></th>")


def rows(response) -> list[tuple[int, str, str]]:
    """(invoice id, number, row class) of each listed invoice, in page order."""
    assert response.status_code == 200
    return [(int(m["id"]), m["number"], m["css"] or "") for m in ROW.finditer(response.content.decode())]


def yen(amount) -> str:
    return f"¥{amount:,.0f}"


# -- the list ----------------------------------------------------------------------------------------


def test_the_list_shows_the_customers_newest_ten_invoices(emulator, customer_client):
    expected = emulator.invoices_of(ALICE_CLIENT_ID)
    assert len(expected) > 20  # the seed pages: this test needs at least three pages

    listed = rows(customer_client.get("/billing/invoices/"))

    assert [(i, n) for i, n, _ in listed] == [(i.id, i.invoicenum) for i in expected[:10]]
    page = customer_client.get("/billing/invoices/").content.decode()
    assert f"Page 1 · {len(expected)} invoices" in page
    assert 'rel="next"' in page and 'rel="prev"' not in page


def test_older_and_newer_links_page_through_the_invoices(emulator, customer_client):
    expected = emulator.invoices_of(ALICE_CLIENT_ID)
    first = customer_client.get("/billing/invoices/").content.decode()
    older = re.search(r'<a href="([^"]+)" rel="next">Older</a>', first)[1]
    assert older == "?page=2"

    second_response = customer_client.get("/billing/invoices/" + older.replace("&amp;", "&"))
    second = second_response.content.decode()

    assert [n for _, n, _ in rows(second_response)] == [i.invoicenum for i in expected[10:20]]
    assert not {n for _, n, _ in rows(second_response)} & {i.invoicenum for i in expected[:10]}
    assert '<a href="?page=1" rel="prev">Newer</a>' in second
    assert "Page 2 · " in second
    last_page = -(-len(expected) // 10)
    last = customer_client.get("/billing/invoices/", {"page": last_page})
    assert [n for _, n, _ in rows(last)] == [i.invoicenum for i in expected[(last_page - 1) * 10:]]
    assert 'rel="next"' not in last.content.decode()


@pytest.mark.parametrize("status", ["Unpaid", "Paid", "Overdue", "Cancelled", "Refunded"])
def test_the_status_filter_lists_only_invoices_of_that_status(emulator, customer_client, status):
    expected = emulator.invoices_of(ALICE_CLIENT_ID, status)
    assert expected, f"the seed has no {status} invoice for Alice"

    listed = rows(customer_client.get("/billing/invoices/", {"status": status}))

    assert [n for _, n, _ in listed] == [i.invoicenum for i in expected[:10]]


def test_overdue_invoices_are_marked_and_the_due_ones_are_not(emulator, customer_client):
    store = emulator.store
    overdue = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid", overdue=True)
    due = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid", overdue=False)

    listed = {number: css for _, number, css in rows(customer_client.get("/billing/invoices/"))}
    overdue_only = rows(customer_client.get("/billing/invoices/", {"status": "Overdue"}))

    assert listed[overdue.invoicenum] == "row-overdue"
    assert listed[due.invoicenum] == "row-due"
    assert {n for n, css in listed.items() if css == "row-overdue"} == {
        i.invoicenum for i in emulator.invoices_of(ALICE_CLIENT_ID) if store.is_overdue(i, store.today)
    }
    assert [(n, css) for _, n, css in overdue_only] == [(overdue.invoicenum, "row-overdue")]
    page = customer_client.get("/billing/invoices/", {"status": "Overdue"}).content.decode()
    assert '<span class="badge badge-bad">Overdue</span>' in page


def test_the_filter_keeps_its_status_when_paging(emulator, customer_client):
    paid = emulator.invoices_of(ALICE_CLIENT_ID, "Paid")
    assert len(paid) > 10

    first = customer_client.get("/billing/invoices/", {"status": "Paid"}).content.decode()
    second = customer_client.get("/billing/invoices/", {"status": "Paid", "page": 2})

    assert '<a href="?page=2&amp;status=Paid" rel="next">Older</a>' in first
    assert [n for _, n, _ in rows(second)] == [i.invoicenum for i in paid[10:20]]
    assert '<a href="?page=1&amp;status=Paid" rel="prev">Newer</a>' in second.content.decode()
    assert 'selected>Paid</option>' in second.content.decode()


@pytest.mark.parametrize("query", [
    {"status": "Bogus"}, {"status": "<script>"}, {"page": "abc"}, {"page": "0"}, {"page": "-3"},
    {"page": "99999999999"}, {"page": "2.5"}, {"status": "Paid", "page": "x"},
])
def test_invalid_filter_values_fall_back_to_the_first_page_of_everything(emulator, customer_client, query):
    expected = emulator.invoices_of(ALICE_CLIENT_ID)

    response = customer_client.get("/billing/invoices/", query)

    assert response.status_code == 200
    assert [n for _, n, _ in rows(response)] == [i.invoicenum for i in expected[:10]]
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


def test_a_page_past_the_end_says_there_is_nothing_there(emulator, customer_client):
    response = customer_client.get("/billing/invoices/", {"page": 500})

    assert response.status_code == 200
    assert rows(response) == []
    assert "No invoices on this page." in response.content.decode()


def test_amounts_are_shown_in_the_currency_the_client_is_billed_in(emulator, customer_client, usd_customer_client):
    from sandbox.whmcs.seed import USD_CLIENT_ID

    due = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid", overdue=False)
    usd = emulator.invoice_of(USD_CLIENT_ID, "Paid")
    assert emulator.store.client_currency(ALICE_CLIENT_ID).code == "JPY"

    alices = customer_client.get("/billing/invoices/").content.decode()
    danas = usd_customer_client.get("/billing/invoices/").content.decode()

    due_row = re.search(rf'<a href="/billing/invoices/{due.id}/">.*?</tr>', alices, re.S)[0]
    assert f'<td class="num" data-label="Total">{yen(due.total)}</td>' in due_row
    usd_row = re.search(rf'<a href="/billing/invoices/{usd.id}/">.*?</tr>', danas, re.S)[0]
    assert f'<td class="num" data-label="Total">${usd.total:,.2f}</td>' in usd_row
    assert "¥" not in danas.split("<main", 1)[1] and "$" not in alices.split("<main", 1)[1]


def test_a_customer_with_no_invoices_gets_an_empty_list(emulator, empty_customer_client):
    response = empty_customer_client.get("/billing/invoices/")

    assert response.status_code == 200
    assert rows(response) == []
    assert "No invoices yet." in response.content.decode()
    assert not {i.invoicenum for i in emulator.store.invoices.values()} & set(
        re.findall(r"INV-\d{4}-\d{5}", response.content.decode()))


def test_the_list_shows_none_of_another_customers_invoices(emulator, customer_client):
    bobs = {i.invoicenum for i in emulator.invoices_of(BOB_CLIENT_ID)}
    assert bobs

    pages = [customer_client.get("/billing/invoices/", {"page": n}).content.decode() for n in (1, 2, 3, 4)]

    shown = set(re.findall(r"INV-\d{4}-\d{5}", "".join(pages)))
    assert shown == {i.invoicenum for i in emulator.invoices_of(ALICE_CLIENT_ID)}
    assert not shown & bobs


# -- the detail page ---------------------------------------------------------------------------------


def test_the_detail_page_shows_items_totals_and_a_pay_button_for_an_unpaid_invoice(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid", overdue=False)

    response = customer_client.get(f"/billing/invoices/{invoice.id}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>Invoice {invoice.invoicenum}</h1>" in page
    assert invoice.items
    for item in invoice.items:
        assert (f'<tr><th scope="row">{item.description}</th><td class="num" data-label="Amount (excl. tax)">'
                f'{yen(item.amount)}') in page
    assert f'<th scope="row">Subtotal (excl. tax)</th><td class="num">{yen(invoice.subtotal)}' in page
    assert f'<th scope="row">Consumption tax (10%)</th><td class="num">{yen(invoice.tax)}' in page
    assert f'<tr class="total-row"><th scope="row">Total (tax incl.)</th><td class="num">{yen(invoice.total)}' in page
    assert invoice.subtotal + invoice.tax == invoice.total
    assert f'<form method="post" action="/billing/invoices/{invoice.id}/pay/" class="pay-form">' in page
    assert f"Pay {yen(invoice.total)}" in page
    assert "No payments yet." in page


def test_an_overdue_invoice_is_marked_and_can_be_paid(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid", overdue=True)

    page = customer_client.get(f"/billing/invoices/{invoice.id}/").content.decode()

    assert "invoice-summary is-overdue" in page
    assert '<span class="badge badge-bad">Overdue</span>' in page
    assert f'action="/billing/invoices/{invoice.id}/pay/"' in page


def test_a_paid_invoice_shows_its_payments_and_no_pay_button(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Paid", with_transactions=True)
    payment = emulator.store.invoice_transactions(invoice.id)[0]

    page = customer_client.get(f"/billing/invoices/{invoice.id}/").content.decode()

    assert '<span class="badge badge-ok">Paid</span>' in page
    assert "<dt>Paid</dt>" in page
    # How it was paid, in the customer's words: never the gateway's name nor its charge id.
    assert '<td data-label="Paid by">Card</td>' in page
    assert payment.transid not in page and "stripe" not in page.lower()
    assert yen(payment.amountin) in page
    assert "No payments yet." not in page
    assert "pay-form" not in page and "/pay/" not in page


def test_a_refunded_invoice_shows_the_refund_as_money_out(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Refunded")
    refund = next(t for t in emulator.store.invoice_transactions(invoice.id) if t.amountout)

    page = customer_client.get(f"/billing/invoices/{invoice.id}/").content.decode()

    assert refund.transid not in page
    assert f"−{yen(refund.amountout)}" in page
    assert "pay-form" not in page


@pytest.mark.parametrize("status", ["Cancelled", "Payment Pending"])
def test_only_unpaid_invoices_offer_the_pay_button(emulator, customer_client, bob_client, status):
    owner, browser = (BOB_CLIENT_ID, bob_client) if status == "Payment Pending" else (ALICE_CLIENT_ID, customer_client)
    invoice = emulator.invoice_of(owner, status)

    response = browser.get(f"/billing/invoices/{invoice.id}/")

    assert response.status_code == 200
    assert invoice.invoicenum in response.content.decode()
    assert "pay-form" not in response.content.decode()


def test_an_invoice_of_a_client_billed_in_dollars_is_shown_in_dollars(emulator, usd_customer_client):
    from sandbox.whmcs.seed import USD_CLIENT_ID

    invoice = emulator.invoice_of(USD_CLIENT_ID, "Paid")

    page = usd_customer_client.get(f"/billing/invoices/{invoice.id}/").content.decode()

    assert f"<strong>${invoice.total:,.2f}</strong>" in page
    main = page.split("<main", 1)[1]
    assert "¥" not in main


def test_the_detail_page_allows_its_pay_form_to_post_on_to_whmcs(emulator, customer_client):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")

    response = customer_client.get(f"/billing/invoices/{invoice.id}/")

    directives = dict(
        (d.strip().split(" ", 1) + [""])[:2] for d in response["Content-Security-Policy"].split(";") if d.strip()
    )
    form_action = directives["form-action"].split()
    assert "'self'" in form_action
    assert emulator.url in form_action  # scheme://host:port of the WHMCS client area
    assert directives["default-src"] == "'self'"
    # Only this page widens form-action: the list keeps the strict policy.
    listing = customer_client.get("/billing/invoices/")
    assert emulator.url not in listing["Content-Security-Policy"]


# -- who may see what --------------------------------------------------------------------------------


def test_another_customers_invoice_is_not_found(emulator, customer_client):
    bobs = emulator.invoice_of(BOB_CLIENT_ID, "Unpaid")

    response = customer_client.get(f"/billing/invoices/{bobs.id}/")

    assert response.status_code == 404
    page = response.content.decode()
    assert bobs.invoicenum not in page
    assert "Bob" not in page and "Brennan" not in page
    assert "We can't find that page" in page
    assert emulator.calls("GetInvoice") == 1  # it was looked up, and the ownership check refused it


def test_bob_sees_his_own_invoice_that_alice_cannot(emulator, customer_client, bob_client):
    bobs = emulator.invoice_of(BOB_CLIENT_ID, "Unpaid")

    assert customer_client.get(f"/billing/invoices/{bobs.id}/").status_code == 404
    response = bob_client.get(f"/billing/invoices/{bobs.id}/")

    assert response.status_code == 200
    assert bobs.invoicenum in response.content.decode()
    # Alice's refusal was not cached for Bob, nor Bob's invoice for Alice.
    assert customer_client.get(f"/billing/invoices/{bobs.id}/").status_code == 404


def test_a_non_existent_invoice_is_not_found(emulator, customer_client):
    missing = max(emulator.store.invoices) + 1000

    assert customer_client.get(f"/billing/invoices/{missing}/").status_code == 404
    assert customer_client.get(f"/billing/invoices/{missing}/pay/").status_code == 405


@pytest.mark.parametrize("path", ["/billing/invoices/", "/billing/invoices/{id}/"])
def test_a_user_not_linked_to_a_customer_gets_an_explanation(emulator, unlinked_client, path):
    invoice = emulator.invoice_of(ALICE_CLIENT_ID, "Unpaid")

    response = unlinked_client.get(path.format(id=invoice.id))

    assert response.status_code == 403
    page = response.content.decode()
    assert "Your account is not linked yet" in page
    assert invoice.invoicenum not in page
    assert emulator.calls() == 0


@pytest.mark.parametrize("path", ["/billing/invoices/", "/billing/invoices/1/", "/billing/payment-methods/"])
def test_anonymous_visitors_are_sent_to_sign_in(emulator, path):
    response = Client().get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={path}"
    assert emulator.calls() == 0
