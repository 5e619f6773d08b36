"""Data top-ups through the pages: the quote, the charge on WHMCS, the quota on Freebit, bounds,
a double submit, and every way it can stop half-way (and resume). How a quota addition whose answer
is lost is settled (the quota history, needs review) is in test_topup_quota.py."""
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from domain.shared import calendar, clock
from domain.sim.types import DataQuota
from portal.core.formats import phone
from portal.sim import services, tasks
from portal.sim.models import TopUp
from tests.pages import main_of, messages_of, request_id_of
from tests.portal.sim.conftest import (
    ALICE,
    ALICE_SUSPENDED,
    ALICE_VOICE,
    ALICE_VOICE_5G,
    NUMBER_OF,
    ask_quote,
    confirm_topup,
    sim_page,
    top_up_through_the_pages,
)

pytestmark = pytest.mark.django_db

STALE_NOTICE = "this is the information we had most recently"


def month_quota_kb(freebit, iccid: str) -> int:
    store = freebit.store
    return store.month_quota_kb(freebit.sim(iccid), store.today)


@pytest.fixture(autouse=True)
def _settle_at_once(settings):
    """A quota addition whose answer was lost is settled from the quota history by the next attempt
    (the wait before sending it again is test_topup_quota.py's subject)."""
    settings.SIM_TOPUP_QUOTA_SETTLE_SECONDS = 0


# -- the happy path --------------------------------------------------------------------------------


def test_a_top_up_through_the_pages_charges_once_and_adds_the_quota(providers, billing, customer_client, settings):
    settings.SIM_TOPUP_PRICE_PER_GB = Decimal("700")
    quota_before = month_quota_kb(providers, ALICE_VOICE)
    page = sim_page(customer_client, ALICE_VOICE)
    form_request_id = request_id_of(page)

    quote = ask_quote(customer_client, ALICE_VOICE, "2048", form_request_id)

    assert quote.status_code == 200
    text = main_of(quote)
    assert "Add 2 GB?" in text
    assert "<strong>¥1,540 (tax incl.)</strong>" in text  # 1,400 yen before tax, shown with it
    assert "Mobile Voice 20 GB" in text and ALICE_VOICE not in text.split("<form", 1)[0]
    assert request_id_of(quote) == form_request_id
    assert billing.calls("CreateInvoice") == 0 and providers.calls("PA04-04") == 0, "a quote charges nothing"
    assert not TopUp.objects.exists()

    response = confirm_topup(customer_client, ALICE_VOICE, "2048", form_request_id, follow=True)

    assert response.redirect_chain == [(f"/sims/{ALICE_VOICE}/", 302)]
    [invoice] = billing.new_invoices()
    assert invoice.status == "Paid"
    assert [(item.description, item.amount) for item in invoice.items] == [
        (f"Data top-up 2 GB for {phone(NUMBER_OF[ALICE_VOICE])}", Decimal("1400"))]  # the number, not the ICCID
    assert len(billing.payments_of(invoice.id)) == 1
    [record] = providers.topups_for(form_request_id)
    assert (record.account, record.quota_mb, record.quota_code) == (NUMBER_OF[ALICE_VOICE], 2048, form_request_id)
    assert record.expire == calendar.month_end(clock.today()), "the data lasts until the end of Japan's month"
    assert month_quota_kb(providers, ALICE_VOICE) == quota_before + 2048 * 1024
    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.APPLIED
    assert (str(topup.request_id), topup.iccid, topup.quota_mb) == (form_request_id, ALICE_VOICE, 2048)
    assert (topup.amount, topup.currency) == (Decimal("1400"), "JPY")
    assert topup.whmcs_invoice_id == invoice.id and topup.msisdn == NUMBER_OF[ALICE_VOICE]
    assert topup.quota_requests == 1 and topup.applied_at is not None
    assert topup.last_error == "" and topup.lease_until is None
    assert ("success", "2 GB was added to your SIM. Its invoice, already paid, is in Billing.") in messages_of(response)
    assert f'2 GB · Applied · <a href="/billing/invoices/{invoice.id}/">Its invoice</a>' in main_of(response)


def test_the_invoice_line_is_written_in_the_customers_language(providers, billing, customer_client, customer_user):
    customer_user.language = "ja"
    customer_user.save(update_fields=["language"])

    confirm_topup(customer_client, ALICE_VOICE, "1024", request_id_of(sim_page(customer_client, ALICE_VOICE)))

    [invoice] = billing.new_invoices()
    assert [item.description for item in invoice.items] == [f"データ追加 1 GB（{phone(NUMBER_OF[ALICE_VOICE])}）"]


def test_a_quick_choice_button_picks_the_amount(providers, billing, customer_client):
    page = sim_page(customer_client, ALICE_VOICE)

    quote = ask_quote(customer_client, ALICE_VOICE, "1024", request_id_of(page), preset_mb="3072")

    assert quote.status_code == 200
    assert "Add 3 GB?" in main_of(quote)
    assert "<strong>¥1,650 (tax incl.)</strong>" in main_of(quote)  # 3 GB at 500 yen per GB, plus tax
    assert 'name="quota_mb" value="3072"' in main_of(quote)


def test_the_price_is_prorated_and_rounded_up_to_whole_yen(providers, customer_client):
    page = sim_page(customer_client, ALICE_VOICE)

    quote = ask_quote(customer_client, ALICE_VOICE, "500", request_id_of(page))

    assert "<strong>¥270 (tax incl.)</strong>" in main_of(quote)  # 500 MB at 500 yen/GB = 244.14 -> 245, +10%


# -- bounds ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("quota_mb", "message"), [
    ("99", "The smallest top-up is 100 MB. Please choose 100 MB or more."),
    ("51201", "The largest top-up is 50 GB (51200 MB). Please choose less."),
    ("lots", "Enter a whole number of megabytes, for example 500."),
    ("1.5", "Enter a whole number of megabytes, for example 500."),
    ("", "Choose how much data to add."),
])
def test_amounts_out_of_bounds_are_refused_with_a_message(providers, billing, customer_client, quota_mb, message):
    page = sim_page(customer_client, ALICE_VOICE)
    request_id = request_id_of(page)

    for confirm in ({}, {"confirm": "True"}):
        response = ask_quote(customer_client, ALICE_VOICE, quota_mb, request_id, follow=True, **confirm)
        # The SIM page again, the error beside the amount field and the entry kept in it.
        assert response.status_code == 400 and response.redirect_chain == []
        page = main_of(response)
        assert f'<p class="field-error" id="id_quota_mb_error" role="alert">{message}</p>' in page
        assert re.search(rf'<input type="number" name="quota_mb" value="{re.escape(quota_mb)}"', page) or not quota_mb

    assert not TopUp.objects.exists()
    assert billing.calls("CreateInvoice") == 0 and providers.calls("PA04-04") == 0


@pytest.mark.parametrize(("quota_mb", "shown", "price"), [("100", "100 MB", "¥54"), ("51200", "50 GB", "¥27,500")])
def test_the_smallest_and_largest_amounts_are_accepted(providers, customer_client, quota_mb, shown, price):
    page = sim_page(customer_client, ALICE_VOICE)

    quote = ask_quote(customer_client, ALICE_VOICE, quota_mb, request_id_of(page))

    assert quote.status_code == 200
    assert f"Add {shown}?" in main_of(quote) and f"<strong>{price} (tax incl.)</strong>" in main_of(quote)


def test_the_largest_amount_is_charged_and_added(providers, billing, customer_client):
    quota_before = month_quota_kb(providers, ALICE_VOICE_5G)

    request_id, response = top_up_through_the_pages(customer_client, ALICE_VOICE_5G, 51200)

    assert TopUp.objects.get().status == TopUp.Status.APPLIED
    assert month_quota_kb(providers, ALICE_VOICE_5G) == quota_before + 51200 * 1024
    assert billing.new_invoices()[0].items[0].amount == Decimal("25000")
    assert messages_of(response)[0][1].startswith("50 GB was added to your SIM.")


def test_a_form_without_its_request_id_is_refused(providers, billing, customer_client):
    response = customer_client.post(f"/sims/{ALICE_VOICE}/top-up/", {"quota_mb": "1024", "confirm": "True"},
                                    follow=True)

    assert ("error", "This form is no longer valid; please reload the page.") in messages_of(response)
    assert billing.calls("CreateInvoice") == 0


# -- idempotency -----------------------------------------------------------------------------------


def test_submitting_the_confirmed_form_twice_charges_and_adds_once(providers, billing, customer_client):
    quota_before = month_quota_kb(providers, ALICE_VOICE)
    request_id, first = top_up_through_the_pages(customer_client, ALICE_VOICE, 1024)

    second = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    assert len(billing.new_invoices()) == 1
    assert billing.calls("CreateInvoice") == 1 and billing.calls("CapturePayment") == 1
    assert providers.calls("PA04-04") == 1 and len(providers.topups_for(request_id)) == 1
    assert month_quota_kb(providers, ALICE_VOICE) == quota_before + 1024 * 1024
    assert TopUp.objects.count() == 1
    assert messages_of(second) == messages_of(first)


def test_two_top_ups_with_two_forms_are_two_charges(providers, billing, customer_client):
    top_up_through_the_pages(customer_client, ALICE_VOICE, 1024)
    top_up_through_the_pages(customer_client, ALICE_VOICE, 500)

    assert [i.items[0].amount for i in billing.new_invoices()] == [Decimal("500"), Decimal("245")]
    assert TopUp.objects.filter(status=TopUp.Status.APPLIED).count() == 2


# -- caching ---------------------------------------------------------------------------------------


def test_a_second_sim_page_view_asks_freebit_nothing(providers, customer_client):
    sim_page(customer_client, ALICE_VOICE)
    assert providers.calls("PA03-02") == 1 and providers.calls("PA05-01") == 1

    assert sim_page(customer_client, ALICE_VOICE).status_code == 200

    assert providers.calls("PA03-02") == 1 and providers.calls("PA05-01") == 1


def test_after_a_top_up_the_page_shows_the_new_quota(providers, customer_client):
    sim_page(customer_client, ALICE_VOICE)
    details_before = providers.calls("PA03-02")

    # One frozen instant: the emulator's usage grows by the second, and the page reads the SIM's
    # details and then its traffic, each call moving the emulator's clock on.
    with time_machine.travel(timezone.now(), tick=False):
        _, response = top_up_through_the_pages(customer_client, ALICE_VOICE, 1024)

    store, sim = providers.store, providers.sim(ALICE_VOICE)
    total, remaining = store.month_quota_kb(sim, store.today), store.remaining_kb(sim)
    assert providers.calls("PA03-02") > details_before
    assert f'max="{total}" value="{remaining}"' in main_of(response)
    shown = (f'<span class="gauge-figure">{DataQuota(kb=remaining).format()}</span>'
             f'\n      <span class="gauge-caption">left of {DataQuota(kb=total).format()} this month</span>')
    assert shown in main_of(response)


# -- failures after the charge ---------------------------------------------------------------------


def loaded_quote(browser, iccid: str, quota_mb: int = 1024) -> str:
    """The SIM page loaded (its details cached) and the price asked for: the form's request id."""
    page = sim_page(browser, iccid)
    quote = ask_quote(browser, iccid, str(quota_mb), request_id_of(page))
    assert quote.status_code == 200
    return request_id_of(quote)


def test_freebit_failing_after_the_charge_keeps_the_top_up_charged_then_it_resumes(providers, billing,
                                                                                   customer_client, settings):
    settings.CIRCUIT_FAILURE_THRESHOLD = 1  # Freebit's first failure opens its circuit
    quota_before = month_quota_kb(providers, ALICE_VOICE)
    request_id = loaded_quote(customer_client, ALICE_VOICE)
    providers.faults(error_rate=1.0, status=503)

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.CHARGED
    assert topup.last_error.startswith("quota: Freebit /master/addSpec/: HTTP 503")
    assert topup.attempts == 1 and topup.lease_until is None
    assert topup.quota_requested_at is not None and topup.quota_requests == 1, "sent; its outcome is not known"
    [invoice] = billing.new_invoices()
    assert invoice.status == "Paid" and len(billing.payments_of(invoice.id)) == 1
    assert topup.whmcs_invoice_id == invoice.id
    assert providers.topups_for(request_id) == []
    assert providers.calls("PA04-04") == 1, "a quota addition is never sent again blindly"
    assert response.status_code == 200
    assert ("warning", "Your payment went through; 1 GB will be added to your SIM within a few minutes. "
                       "You don't need to do anything.") in messages_of(response)
    assert STALE_NOTICE in response.content.decode(), "the SIM page falls back on its last copy"

    providers.clear_faults()
    services.topup_process(topup_id=topup.pk)  # the 503s opened Freebit's circuit
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.CHARGED and "circuit breaker is open" in topup.last_error
    assert len(providers.topups_for(request_id)) == 0

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):  # the circuit lets a probe through
        services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.APPLIED
    assert providers.calls("PA05-02") == 1, "the quota history said it had not been added"
    assert providers.calls("PA04-04") == 2 and topup.quota_requests == 2
    assert len(providers.topups_for(request_id)) == 1
    assert month_quota_kb(providers, ALICE_VOICE) == quota_before + 1024 * 1024
    assert len(billing.new_invoices()) == 1
    assert billing.calls("CreateInvoice") == 1 and billing.calls("CapturePayment") == 1
    assert len(billing.payments_of(invoice.id)) == 1

    services.topup_process(topup_id=topup.pk)  # nothing left to do
    assert providers.calls("PA04-04") == 2 and billing.calls("CapturePayment") == 1


def test_the_periodic_sweep_resumes_a_charged_top_up(providers, billing, customer_client):
    request_id = loaded_quote(customer_client, ALICE_VOICE)
    providers.faults(error_rate=1.0, status=503)
    confirm_topup(customer_client, ALICE_VOICE, "1024", request_id)
    providers.clear_faults()
    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.CHARGED

    assert tasks.resume_topups() == 0, "a top-up touched in the last minute is left to its own retry"
    TopUp.objects.filter(pk=topup.pk).update(updated_at=timezone.now() - timedelta(minutes=2))
    assert tasks.resume_topups() == 1

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.APPLIED
    assert len(providers.topups_for(request_id)) == 1
    assert len(billing.new_invoices()) == 1 and billing.calls("CapturePayment") == 1
    assert tasks.resume_topups() == 0


def test_a_repeated_submit_after_the_failure_finishes_the_same_top_up(providers, billing, customer_client):
    request_id = loaded_quote(customer_client, ALICE_VOICE)
    providers.faults(error_rate=1.0, status=503)
    confirm_topup(customer_client, ALICE_VOICE, "1024", request_id)
    providers.clear_faults()

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    assert TopUp.objects.get().status == TopUp.Status.APPLIED
    assert len(billing.new_invoices()) == 1 and billing.calls("CapturePayment") == 1
    assert messages_of(response)[-1] == ("success", "1 GB was added to your SIM. Its invoice, already paid, is in "
                                                    "Billing.")


def test_a_sim_suspended_between_page_and_payment_fails_the_top_up_for_support(providers, billing, customer_client):
    request_id = loaded_quote(customer_client, ALICE_VOICE)
    providers.set_status(ALICE_VOICE, "suspended")  # the cached details still say active

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.FAILED
    assert "resultCode 230" in topup.last_error and topup.last_error.startswith("quota:")
    [invoice] = billing.new_invoices()
    assert invoice.status == "Paid" and topup.whmcs_invoice_id == invoice.id
    assert providers.topups_for(request_id) == []
    assert ("error", "The top-up could not be completed. Your payment is safe: support has been told and will add "
                     "the data or refund you.") in messages_of(response)
    assert tasks.resume_topups() == 0


def test_a_suspended_sim_is_refused_before_any_charge(providers, billing, customer_client):
    response = confirm_topup(customer_client, ALICE_SUSPENDED, "1024", "8b0e8f1e-9f43-4d7c-9d0b-3b1b0a6f2c11",
                             follow=True)

    assert ("error", "This SIM is not active, so data cannot be added to it. Please contact support.") in \
        messages_of(response)
    assert not TopUp.objects.exists() and billing.calls("CreateInvoice") == 0


# -- failures before the charge --------------------------------------------------------------------


def test_a_customer_without_payment_methods_is_refused_up_front(providers, billing, customer_client):
    billing.remove_payment_methods()
    request_id = loaded_quote(customer_client, ALICE_VOICE)

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    assert ("error", "Please add a payment method first: Billing, then Payment methods.") in \
        messages_of(response)
    assert not TopUp.objects.exists()
    assert billing.calls("CreateInvoice") == 0 and providers.calls("PA04-04") == 0


def test_a_refused_capture_charges_nothing_adds_nothing_and_leaves_no_invoice_to_pay(providers, billing,
                                                                                     customer_client):
    billing.remove_cards()  # a bank account is on file, but CapturePayment needs a card
    request_id = loaded_quote(customer_client, ALICE_VOICE)

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.FAILED
    assert topup.last_error == "payment failed: Payment Attempt Failed"
    assert billing.calls("CapturePayment") == 1
    [invoice] = billing.new_invoices()
    assert billing.payments_of(invoice.id) == []
    assert invoice.status == "Cancelled", "an invoice for a top-up that was refused must not be left to pay"
    assert providers.calls("PA04-04") == 0
    assert ("error", "Your payment could not be taken, so nothing was charged or added. Please check your payment "
                     "method and try again.") in messages_of(response)


def test_whmcs_failing_on_create_invoice_leaves_the_top_up_requested_then_it_completes(
        providers, billing, customer_client):
    heal = billing.fail_action("CreateInvoice")
    request_id = loaded_quote(customer_client, ALICE_VOICE)

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.REQUESTED
    assert topup.last_error.startswith("charge: WHMCS CreateInvoice: HTTP 503")
    assert topup.whmcs_invoice_id is None and topup.attempts == 1
    assert billing.new_invoices() == [] and billing.calls("CapturePayment") == 0
    assert providers.calls("PA04-04") == 0
    assert ("warning", "We could not confirm your payment just now. We are checking and will add the data once it "
                       "is confirmed; you will not be charged twice.") in messages_of(response)

    heal()
    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.APPLIED
    [invoice] = billing.new_invoices()
    assert invoice.status == "Paid" and topup.whmcs_invoice_id == invoice.id
    assert billing.calls("CreateInvoice") == 2 and billing.calls("CapturePayment") == 1
    assert len(providers.topups_for(request_id)) == 1


def test_whmcs_failing_on_capture_is_checked_before_capturing_again(providers, billing, customer_client):
    heal = billing.fail_action("CapturePayment")
    request_id = loaded_quote(customer_client, ALICE_VOICE)

    confirm_topup(customer_client, ALICE_VOICE, "1024", request_id)

    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.REQUESTED and topup.whmcs_invoice_id is not None
    assert topup.last_error.startswith("charge: WHMCS CapturePayment: HTTP 503")
    heal()
    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.APPLIED
    [invoice] = billing.new_invoices()
    assert invoice.id == topup.whmcs_invoice_id and invoice.status == "Paid"
    assert len(billing.payments_of(invoice.id)) == 1
    assert billing.calls("CreateInvoice") == 1


def test_an_invoice_paid_meanwhile_is_not_captured_again(providers, billing, customer_client):
    heal = billing.fail_action("CapturePayment")
    request_id = loaded_quote(customer_client, ALICE_VOICE)
    confirm_topup(customer_client, ALICE_VOICE, "1024", request_id)
    topup = TopUp.objects.get()
    heal()
    invoice = billing.store.invoices[topup.whmcs_invoice_id]
    billing.store.pay_invoice(invoice, timezone.now())  # e.g. the capture had gone through after all
    billing.reset_stats()

    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.APPLIED
    assert billing.calls("CapturePayment") == 0 and billing.calls("GetInvoice") == 1
    assert len(billing.payments_of(invoice.id)) == 1


def test_the_top_up_gives_up_after_its_attempts_into_review_when_the_quota_may_be_added(
        providers, billing, customer_client, settings):
    settings.SIM_TOPUP_MAX_ATTEMPTS = 2
    request_id = loaded_quote(customer_client, ALICE_VOICE)
    providers.faults(error_rate=1.0, status=503)
    confirm_topup(customer_client, ALICE_VOICE, "1024", request_id)
    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.CHARGED

    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.NEEDS_REVIEW and topup.attempts == 2, "never guessed: staff decide"
    assert providers.calls("PA04-04") == 1
    assert len(billing.new_invoices()) == 1


def test_the_customers_whmcs_client_is_billed(providers, billing, customer_client, customer_user):
    top_up_through_the_pages(customer_client, ALICE_VOICE, 1024)

    assert customer_user.customer.whmcs_client_id == ALICE.whmcs_client_id
    [invoice] = billing.new_invoices(ALICE.whmcs_client_id)
    assert invoice.duedate == clock.today()
