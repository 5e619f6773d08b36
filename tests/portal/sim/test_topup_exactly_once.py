"""Top-ups are charged exactly once even when an answer is lost: the request's marker in the
invoice notes, adopting what an earlier attempt created, cancelling orphans, the sweep taking over
from a process that died, the staff retry. Faults come from the WHMCS emulator's controls; the
drills with real processes killed and a real broker down are in tests/reliability/test_topup_money.py.
"""
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from domain.shared import clock
from integrations.whmcs.charges import WhmcsChargeClient
from portal.core.connections import whmcs_connection
from portal.core.jobs import ABANDONED
from portal.sim import services, tasks, topups
from portal.sim.models import TopUp
from tests.pages import messages_of, request_id_of
from tests.portal.sim.conftest import ALICE, ALICE_VOICE, ask_quote, confirm_topup, sim_page, top_up_through_the_pages

pytestmark = pytest.mark.django_db
Status = TopUp.Status
NOT_CONFIRMED = ("warning", "We could not confirm your payment just now. We are checking and will add the data once "
                            "it is confirmed; you will not be charged twice.")
NOT_TAKEN = ("error", "Your payment could not be taken, so nothing was charged or added. Please check your payment "
                      "method and try again.")


def loaded_quote(browser, iccid: str = ALICE_VOICE) -> str:
    page = sim_page(browser, iccid)
    quote = ask_quote(browser, iccid, "1024", request_id_of(page))
    assert quote.status_code == 200
    return request_id_of(quote)


def left_by_a_dead_process(customer_user, **fields) -> TopUp:
    """A top-up as a process leaves it when it dies after sending CreateInvoice: the call recorded
    as sent, no invoice id saved."""
    defaults = {"request_id": uuid.uuid4(), "customer": customer_user.customer, "iccid": ALICE_VOICE, "quota_mb": 1024,
                "amount": Decimal("500"), "currency": "JPY", "attempts": 1,
                "invoice_requested_at": timezone.now() - timedelta(minutes=5), "invoice_requests": 1}
    return TopUp.objects.create(**{**defaults, **fields})


def invoice_made_by_that_attempt(topup: TopUp) -> int:
    """What the dead process's CreateInvoice did in WHMCS: an unpaid invoice carrying the marker."""
    return WhmcsChargeClient(whmcs_connection()).create_invoice(
        ALICE.whmcs_client_id, description=f"Data top-up 1 GB for SIM {topup.iccid}", amount=topup.amount,
        due_date=clock.today().isoformat(), notes=f"portal-request:{topup.request_id}")


# -- the marker --------------------------------------------------------------------------------------


def test_the_invoice_carries_the_requests_marker_and_each_write_is_recorded_first(providers, billing,
                                                                                  customer_client):
    request_id, _ = top_up_through_the_pages(customer_client, ALICE_VOICE, 1024)

    [invoice] = billing.new_invoices()
    assert invoice.notes == f"portal-request:{request_id}"
    assert billing.invoices_of_request(request_id) == [invoice]
    topup = TopUp.objects.get()
    assert (topup.whmcs_invoice_id, topup.invoice_requests) == (invoice.id, 1)
    assert topup.invoice_requested_at <= topup.capture_requested_at <= topup.charged_at
    assert billing.calls("GetInvoices") == 0, "nothing to look for when every answer arrived"


# -- lost answers --------------------------------------------------------------------------------------


def test_a_lost_answer_to_create_invoice_is_found_by_its_marker_and_adopted(providers, billing, customer_client):
    request_id = loaded_quote(customer_client)
    billing.lose_answer("CreateInvoice")  # WHMCS creates the invoice, the portal gets a 504

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    topup = TopUp.objects.get()
    assert topup.status == Status.APPLIED
    [invoice] = billing.new_invoices()
    assert billing.invoices_of_request(request_id) == [invoice]
    assert (invoice.status, topup.whmcs_invoice_id) == ("Paid", invoice.id)
    assert billing.calls("CreateInvoice") == 1 and billing.calls("GetInvoices") == 1
    assert billing.calls("CapturePayment") == 1 and billing.charges() == 1
    assert len(providers.topups_for(request_id)) == 1
    assert messages_of(response)[-1] == ("success",
                                         "1 GB was added to your SIM. Its invoice, already paid, is in Billing.")


def test_a_lost_answer_to_capture_payment_is_read_back_not_captured_again(providers, billing, customer_client):
    request_id = loaded_quote(customer_client)
    billing.lose_answer("CapturePayment")  # the card is charged, the portal gets a 504

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    topup = TopUp.objects.get()
    assert (topup.status, topup.charged_at) == (Status.REQUESTED, None)
    assert topup.capture_requested_at is not None
    assert topup.last_error == "charge: WHMCS CapturePayment: HTTP 504"
    assert NOT_CONFIRMED in messages_of(response)

    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == Status.APPLIED
    [invoice] = billing.new_invoices()
    assert invoice.status == "Paid" and billing.charges() == 1
    assert billing.calls("CapturePayment") == 1, "the paid invoice was adopted, not captured again"


def test_invoices_earlier_attempts_left_are_adopted_once_and_the_extra_one_cancelled(providers, billing,
                                                                                     customer_user):
    topup = left_by_a_dead_process(customer_user, invoice_requests=2)  # it died twice after CreateInvoice
    first, second = invoice_made_by_that_attempt(topup), invoice_made_by_that_attempt(topup)
    billing.reset_stats()

    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert (topup.status, topup.whmcs_invoice_id, topup.attempts) == (Status.APPLIED, first, 2)
    assert billing.calls("CreateInvoice") == 0 and billing.calls("CapturePayment") == 1
    assert (billing.store.invoices[first].status, billing.store.invoices[second].status) == ("Paid", "Cancelled")
    assert billing.charges() == 1
    assert len(providers.topups_for(str(topup.request_id))) == 1


def test_a_paid_invoice_among_them_is_the_one_adopted_and_nothing_is_captured(providers, billing, customer_user):
    topup = left_by_a_dead_process(customer_user, invoice_requests=2)
    unpaid, paid = invoice_made_by_that_attempt(topup), invoice_made_by_that_attempt(topup)
    billing.store.pay_invoice(billing.store.invoices[paid], timezone.now())  # its capture went through, unrecorded
    billing.reset_stats()

    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert (topup.status, topup.whmcs_invoice_id) == (Status.APPLIED, paid)
    assert billing.calls("CapturePayment") == 0
    assert billing.store.invoices[unpaid].status == "Cancelled"


def test_with_no_invoice_found_the_invoice_is_created_after_all(providers, billing, customer_user):
    """The dead process's CreateInvoice never reached WHMCS: nothing carries the marker."""
    topup = left_by_a_dead_process(customer_user)

    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == Status.APPLIED and topup.invoice_requests == 2
    assert billing.calls("GetInvoices") == 2, "looked before creating, and for orphans once charged"
    [invoice] = billing.invoices_of_request(str(topup.request_id))
    assert invoice.id == topup.whmcs_invoice_id and billing.charges() == 1


# -- orphans --------------------------------------------------------------------------------------------


def test_a_top_up_giving_up_before_its_charge_cancels_its_unpaid_invoice(providers, billing, customer_client,
                                                                        settings):
    settings.SIM_TOPUP_MAX_ATTEMPTS = 1
    request_id = loaded_quote(customer_client)
    billing.fail("CapturePayment", times=None)

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    topup = TopUp.objects.get()
    assert (topup.status, topup.charged_at) == (Status.FAILED, None)
    assert topup.last_error.startswith("charge: WHMCS CapturePayment: HTTP 503")
    [invoice] = billing.new_invoices()
    assert invoice.status == "Cancelled", "an invoice left Unpaid would be charged by WHMCS's daily cron"
    assert billing.charges() == 0 and providers.calls("PA04-04") == 0
    assert NOT_TAKEN in messages_of(response)


def test_a_refused_card_after_a_lost_create_answer_leaves_no_unpaid_invoice(providers, billing, customer_client):
    billing.remove_cards()
    request_id = loaded_quote(customer_client)
    billing.lose_answer("CreateInvoice")

    response = confirm_topup(customer_client, ALICE_VOICE, "1024", request_id, follow=True)

    assert TopUp.objects.get().status == Status.FAILED
    [invoice] = billing.invoices_of_request(request_id)
    assert invoice.status == "Cancelled" and billing.charges() == 0
    assert NOT_TAKEN in messages_of(response)


# -- the sweep and a dead process ---------------------------------------------------------------------


def test_the_sweep_takes_over_a_top_up_whose_process_died_and_adopts_its_invoice(providers, billing,
                                                                               customer_user):
    topup = left_by_a_dead_process(customer_user, lease_until=timezone.now() - timedelta(seconds=1))
    invoice = invoice_made_by_that_attempt(topup)
    billing.reset_stats()

    assert tasks.resume_topups() == 1

    topup.refresh_from_db()
    assert (topup.status, topup.whmcs_invoice_id, topup.attempts) == (Status.APPLIED, invoice, 2)
    assert billing.calls("CreateInvoice") == 0 and billing.charges() == 1
    assert tasks.resume_topups() == 0


def test_a_top_up_held_by_a_live_process_is_left_to_it(providers, billing, customer_user):
    topup = left_by_a_dead_process(customer_user, lease_until=timezone.now() + timedelta(minutes=1))
    TopUp.objects.filter(pk=topup.pk).update(updated_at=timezone.now() - timedelta(hours=1))

    assert tasks.resume_topups() == 0
    assert billing.calls() == 0


def test_a_process_dying_on_the_last_attempt_fails_the_top_up_and_cancels_its_invoice(providers, billing,
                                                                                     customer_user, settings):
    topup = left_by_a_dead_process(customer_user, attempts=settings.SIM_TOPUP_MAX_ATTEMPTS,
                                   lease_until=timezone.now() - timedelta(seconds=1))
    invoice = invoice_made_by_that_attempt(topup)

    assert tasks.resume_topups() == 0

    topup.refresh_from_db()
    assert (topup.status, topup.last_error, topup.lease_until) == (Status.FAILED, ABANDONED, None)
    assert billing.store.invoices[invoice].status == "Cancelled"
    assert billing.calls("CapturePayment") == 0


# -- staff retry ---------------------------------------------------------------------------------------


def test_staff_retry_adds_the_data_of_a_top_up_that_failed_after_payment_only(
    providers, billing, customer_client, client, staff_user, django_capture_on_commit_callbacks
):
    request_id = loaded_quote(customer_client)
    providers.set_status(ALICE_VOICE, "suspended")  # after the page: the charge goes through, the quota fails
    confirm_topup(customer_client, ALICE_VOICE, "1024", request_id)
    paid = TopUp.objects.get()
    assert paid.status == Status.FAILED and paid.charged_at is not None
    refused = TopUp.objects.create(request_id=uuid.uuid4(), customer=paid.customer, iccid=ALICE_VOICE, quota_mb=500,
                                   amount=Decimal("245"), currency="JPY", status=Status.FAILED,
                                   last_error="payment failed: Payment Attempt Failed")
    providers.set_status(ALICE_VOICE, "active")  # support sorted the SIM out
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/sim/topup/", {"action": "retry", "_selected_action": [paid.pk, refused.pk]},
                               follow=True)

    page = response.content.decode()
    assert "Queued 1 paid top-up(s) to add their data again." in page
    assert "1 top-up(s) that had not failed after payment were left alone." in page
    paid.refresh_from_db()
    refused.refresh_from_db()
    assert (paid.status, paid.attempts, paid.last_error) == (Status.APPLIED, 1, "")
    assert refused.status == Status.FAILED
    assert billing.calls("CreateInvoice") == 1 and billing.calls("CapturePayment") == 1
    assert len(providers.topups_for(request_id)) == 1


# -- the task ------------------------------------------------------------------------------------------


def test_the_task_retries_with_backoff_from_the_settings(settings):
    task = tasks.process_topup
    assert task.name == "portal.sim.process_topup" and task.acks_late is True
    assert task.autoretry_for == (topups.TopUpRetry,)
    assert (task.retry_backoff, task.retry_backoff_max) == (settings.SIM_TOPUP_RETRY_BACKOFF_SECONDS,
                                                            settings.SIM_TOPUP_RETRY_BACKOFF_MAX_SECONDS)
    assert task.retry_jitter is True and task.max_retries == settings.SIM_TOPUP_MAX_ATTEMPTS - 1
    assert settings.CELERY_BEAT_SCHEDULE["sim-resume-topups"]["task"] == tasks.resume_topups.name


@pytest.mark.parametrize("attempts", [1, 2, 5, 30])
def test_the_wait_before_the_next_attempt_stays_within_the_settings(settings, attempts):
    settings.SIM_TOPUP_RETRY_BACKOFF_SECONDS, settings.SIM_TOPUP_RETRY_BACKOFF_MAX_SECONDS = 10, 45

    waits = {topups.TopUpFlow.backoff(attempts) for _ in range(200)}

    assert min(waits) >= 0 and max(waits) <= min(45, 10 * 2 ** (attempts - 1))
    assert len(waits) > 1, "jittered"
