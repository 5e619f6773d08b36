"""Drills: a top-up's money writes when an answer is lost, a worker is killed between the call and
the save, the broker is down, or the card is refused.

Each drill tops up Alice's voice SIM through the API, as a client would, then counts in the WHMCS
emulator the invoices carrying the request's marker, the CreateInvoice and CapturePayment calls and
the payments taken, and in the Freebit emulator the top-ups made. Each ends with exactly one charge
(none when the card is refused), no invoice of the client's left Unpaid for WHMCS's daily cron to
charge, and the quota added once (or not at all). Nothing of the portal is patched: faults come from
the emulators' controls, the worker is SIGKILLed, the broker is a private ``redis-server`` stopped or
frozen (the fixtures are in ``tests/reliability/conftest.py``).
"""
from __future__ import annotations

import time
import uuid

import pytest

from portal.sim.models import TopUp
from tests.emulator import FreebitEmulator as SimFreebit
from tests.emulator import WhmcsEmulator as SimWhmcs
from tests.portal.sim.conftest import ALICE_VOICE

pytestmark = pytest.mark.django_db(transaction=True)  # the top-up API commits each step as it happens
Status = TopUp.Status
SENDER_PATIENCE_SECONDS = 5.0  # an API client waiting for its answer
# The drill's workers: a short lease (still above the longest a provider call may take), so the sweep
# takes over a killed worker's top-up in seconds; sweeps every second.
WORKER_ENV = {"SIM_TOPUP_LEASE_SECONDS": 12, "PROVIDER_READ_TIMEOUT": 8, "SIM_TOPUP_SWEEP_AFTER_SECONDS": 1,
              "SIM_TOPUP_RETRY_BACKOFF_SECONDS": 1, "SIM_TOPUP_RETRY_BACKOFF_MAX_SECONDS": 1}
BEAT_ENV = {"SIM_TOPUP_SWEEP_INTERVAL_SECONDS": 1}


@pytest.fixture
def money(whmcs) -> SimWhmcs:
    """The WHMCS emulator: invoices, captures and payments to count."""
    whmcs.reset_stats()
    return whmcs


@pytest.fixture
def quota(freebit) -> SimFreebit:
    """The Freebit emulator: the top-ups it made."""
    freebit.reset_stats()
    return freebit


@pytest.fixture
def fast_retries(settings):
    """This process (the web request) queues a failed top-up's next attempt within a second."""
    settings.SIM_TOPUP_RETRY_BACKOFF_SECONDS = 1
    settings.SIM_TOPUP_RETRY_BACKOFF_MAX_SECONDS = 1


def top_up(browser, request_id: str):
    return browser.post(f"/api/v1/sims/{ALICE_VOICE}/top-up", {"quota_mb": 1024, "request_id": request_id},
                        content_type="application/json")


def topup_of(request_id: str) -> TopUp:
    return TopUp.objects.get(request_id=request_id)


def unpaid_invoices(money: SimWhmcs) -> list:
    return [invoice for invoice in money.new_invoices() if invoice.status == "Unpaid"]


def assert_charged_once(money: SimWhmcs, quota: SimFreebit, request_id: str) -> None:
    """One invoice carries the request's marker, paid by one capture; nothing left Unpaid; the quota
    added once; the top-up applied and billed on that invoice."""
    [invoice] = money.invoices_of_request(request_id)
    assert invoice.status == "Paid"
    assert len(money.payments_of(invoice.id)) == 1 and money.charges() == 1
    assert money.calls("CapturePayment") == 1
    assert unpaid_invoices(money) == []
    assert len(quota.topups_for(request_id)) == 1
    topup = topup_of(request_id)
    assert (topup.status, topup.whmcs_invoice_id, topup.lease_until) == (Status.APPLIED, invoice.id, None)


# -- lost answers ------------------------------------------------------------------------------------


def test_a_lost_create_invoice_answer_is_adopted_by_its_marker_not_created_again(money, quota, customer_client):
    money.faults(lost_answer_rate=1.0, actions=["CreateInvoice"], times=1)  # done by WHMCS, the portal gets a 504
    request_id = str(uuid.uuid4())

    response = top_up(customer_client, request_id)

    assert response.status_code == 201, response.content
    assert (response.json()["data"]["status"], response.json()["data"]["done"]) == ("applied", True)
    assert money.stats()["faults_injected"] == {"lost_answer": 1}
    assert money.calls("CreateInvoice") == 1 and money.calls("GetInvoices") >= 1
    assert_charged_once(money, quota, request_id)


@pytest.mark.worker
def test_a_lost_capture_answer_is_read_back_by_the_workers_retry_not_captured_again(
    drill, money, quota, customer_client, fast_retries
):
    drill.worker(**WORKER_ENV)
    money.faults(lost_answer_rate=1.0, actions=["CapturePayment"], times=1)  # the card is charged, a 504 comes back
    request_id = str(uuid.uuid4())

    response = top_up(customer_client, request_id)

    assert response.status_code == 201
    assert (response.json()["data"]["status"], response.json()["data"]["done"]) == ("requested", False)
    drill.wait_for(lambda: topup_of(request_id).status == Status.APPLIED, what="the worker's retry to finish it")
    assert_charged_once(money, quota, request_id)
    assert topup_of(request_id).attempts == 2
    assert money.calls("GetInvoice") >= 2, "the retry read the invoice back (paid) before any capture"


# -- a worker killed between the call and the save ---------------------------------------------------


@pytest.mark.worker
def test_a_worker_killed_inside_create_invoice_is_taken_over_and_the_invoice_adopted(
    drill, money, quota, customer_client, fast_retries
):
    """The request's own attempt fails (WHMCS answers 503 to CreateInvoice, creating nothing), so the
    next attempt goes to a worker. That worker is killed while WHMCS is creating the invoice: WHMCS
    finishes it, nobody records its id. Once the dead worker's lease runs out the sweep queues the
    top-up again; the new worker finds the invoice by the marker in its notes, adopts it, charges it
    once and adds the data once."""
    money.fail("CreateInvoice", times=1)
    request_id = str(uuid.uuid4())
    response = top_up(customer_client, request_id)  # no worker yet: the retry waits in the broker
    assert response.status_code == 201 and response.json()["data"]["status"] == "requested"
    assert money.new_invoices() == []
    money.faults(latency_ms=5000, actions=["CreateInvoice"], times=1)  # the worker will be inside this call

    first = drill.worker("worker-1", **WORKER_ENV)
    drill.wait_for(lambda: money.calls("CreateInvoice") == 2, what="the worker to send CreateInvoice")
    first.kill()
    topup = topup_of(request_id)
    assert (topup.status, topup.whmcs_invoice_id, topup.invoice_requests, topup.attempts) == (
        Status.REQUESTED, None, 2, 2), "killed between the call and the save"
    assert topup.lease_until is not None, "the dead worker still holds it"

    drill.beat(**BEAT_ENV)
    second = drill.worker("worker-2", **WORKER_ENV)
    drill.wait_for(lambda: topup_of(request_id).status in (Status.APPLIED, Status.FAILED),
                   what="the sweep and the new worker to finish the top-up", timeout=90)

    assert_charged_once(money, quota, request_id)
    assert money.calls("CreateInvoice") == 2, "the invoice the killed worker asked for was adopted"
    assert topup_of(request_id).attempts == 3
    assert "top-up sweep queued 1 waiting top-up(s) again" in second.log(), drill.logs()
    assert "adopted, not created again" in second.log()


# -- the broker down -----------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_a_top_up_whose_retry_cannot_be_queued_is_picked_up_by_the_sweep(
    outage, drill, broker, money, quota, customer_client, fast_retries, caplog
):
    """The request's attempt fails (CreateInvoice 503) and the broker is down, so its next attempt
    cannot be queued: the request still answers in time (it used to fail with the broker's error),
    and the beat's sweep queues the top-up once the broker is back."""
    worker = drill.worker(**WORKER_ENV)
    drill.beat(**BEAT_ENV)
    money.fail("CreateInvoice", times=1)
    broker.stop() if outage == "stopped" else broker.freeze()
    request_id = str(uuid.uuid4())

    started = time.monotonic()
    response = top_up(customer_client, request_id)
    elapsed = time.monotonic() - started

    assert response.status_code == 201, response.content
    assert (response.json()["data"]["status"], response.json()["data"]["done"]) == ("requested", False)
    assert elapsed < SENDER_PATIENCE_SECONDS, f"the request took {elapsed:.1f} s with the broker {outage}"
    topup = topup_of(request_id)
    assert f"could not queue (or, with in-process tasks, run) top-up {topup.pk}" in caplog.text

    broker.start() if outage == "stopped" else broker.thaw()
    drill.wait_for(lambda: topup_of(request_id).status == Status.APPLIED,
                   what="the sweep to queue the top-up and the worker to finish it", timeout=90)

    assert_charged_once(money, quota, request_id)
    assert money.calls("CreateInvoice") == 2
    assert "top-up sweep queued 1 waiting top-up(s) again" in worker.log(), drill.logs()


# -- the card refused ----------------------------------------------------------------------------------


def test_a_refused_card_charges_nothing_adds_nothing_and_leaves_no_invoice_to_pay(money, quota, customer_client):
    money.remove_cards()  # a bank account stays on file; CapturePayment needs a card
    request_id = str(uuid.uuid4())

    response = top_up(customer_client, request_id)

    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["status"], data["done"]) == ("failed", True)
    assert data["message"].startswith("Your payment could not be taken, so nothing was charged or added.")
    [invoice] = money.invoices_of_request(request_id)
    assert invoice.status == "Cancelled" and money.payments_of(invoice.id) == []
    assert money.calls("CreateInvoice") == 1 and money.calls("CapturePayment") == 1
    assert money.charges() == 0 and unpaid_invoices(money) == []
    assert quota.calls("PA04-04") == 0 and quota.topups_for(request_id) == []
    assert topup_of(request_id).status == Status.FAILED

    again = top_up(customer_client, request_id)  # the same request again: the same answer, no new attempt

    assert again.status_code == 200 and again.json() == response.json()
    assert money.calls("CreateInvoice") == 1 and money.calls("CapturePayment") == 1
