"""Drills (issue 20): an eSIM reissue's fee and its Freebit change (PA05-41, no idempotency key) when
an answer is lost or the worker is killed inside the call. Each ends with one invoice carrying the
request's marker, one payment, nothing left Unpaid, and one reissue at Freebit. Faults come from the
emulators' controls; the worker is SIGKILLed (``tests/reliability/conftest.py``)."""
from __future__ import annotations

import uuid

import pytest

from portal.sim.models import SimAction
from tests.portal.sim.conftest import ALICE_VOICE

pytestmark = pytest.mark.django_db(transaction=True)
Status = SimAction.Status
NEW_EID = "89049032000001000000000000000789"
WORKER_ENV = {"SIM_ACTION_LEASE_SECONDS": 12, "PROVIDER_READ_TIMEOUT": 8, "SIM_ACTION_SWEEP_AFTER_SECONDS": 1,
              "SIM_ACTION_RETRY_BACKOFF_SECONDS": 1, "SIM_ACTION_RETRY_BACKOFF_MAX_SECONDS": 1,
              "SIM_ACTION_RESEND_AFTER_SECONDS": 1}
BEAT_ENV = {"SIM_ACTION_SWEEP_INTERVAL_SECONDS": 1}


@pytest.fixture
def fast_retries(settings):
    settings.SIM_ACTION_RETRY_BACKOFF_SECONDS = 1
    settings.SIM_ACTION_RETRY_BACKOFF_MAX_SECONDS = 1
    settings.SIM_ACTION_RESEND_AFTER_SECONDS = 1


def reissue(browser, request_id: str):
    return browser.post(f"/api/v1/sims/{ALICE_VOICE}/esim-reissue", {"request_id": request_id, "eid": NEW_EID},
                        content_type="application/json")


def action_of(request_id: str) -> SimAction:
    return SimAction.objects.get(request_id=request_id)


def assert_once(whmcs, freebit, request_id: str) -> None:
    [invoice] = whmcs.invoices_of_request(request_id)
    assert invoice.status == "Paid"
    assert len(whmcs.payments_of(invoice.id)) == 1 and whmcs.charges() == 1
    assert [i for i in whmcs.new_invoices() if i.status == "Unpaid"] == []
    assert len(freebit.store.reissues) == 1
    assert freebit.sim(ALICE_VOICE).eid == NEW_EID
    action = action_of(request_id)
    assert (action.status, action.whmcs_invoice_id, action.lease_until) == (Status.DONE, invoice.id, None)


def test_a_lost_create_invoice_answer_is_adopted_by_its_marker(whmcs, freebit, customer_client):
    whmcs.faults(lost_answer_rate=1.0, actions=["CreateInvoice"], times=1)
    request_id = str(uuid.uuid4())

    response = reissue(customer_client, request_id)

    assert response.status_code == 201, response.content
    assert response.json()["data"]["status"] == "done"
    assert whmcs.calls("CreateInvoice") == 1
    assert_once(whmcs, freebit, request_id)


def test_a_lost_capture_answer_is_read_back_not_captured_again(whmcs, freebit, customer_client, fast_retries):
    whmcs.faults(lost_answer_rate=1.0, actions=["CapturePayment"], times=1)
    request_id = str(uuid.uuid4())

    first = reissue(customer_client, request_id)
    assert first.json()["data"]["status"] == "requested"
    again = reissue(customer_client, request_id)  # the client asks again: the retry made now

    assert again.status_code == 200, again.content
    assert whmcs.calls("CapturePayment") == 1
    assert_once(whmcs, freebit, request_id)


def test_a_lost_reissue_answer_is_adopted_from_the_sims_details_not_sent_again(
        whmcs, freebit, customer_client, fast_retries):
    freebit.lose_answer("PA05-41")  # Freebit reissues, the portal gets a 504
    request_id = str(uuid.uuid4())

    first = reissue(customer_client, request_id)
    assert first.json()["data"]["status"] == "requested"
    assert action_of(request_id).provider_requested_at is not None
    again = reissue(customer_client, request_id)

    assert again.status_code == 200, again.content
    assert freebit.calls("PA05-41") == 1
    assert_once(whmcs, freebit, request_id)


@pytest.mark.worker
def test_a_worker_killed_inside_the_reissue_is_taken_over_and_the_reissue_adopted(
        drill, whmcs, freebit, customer_client, fast_retries):
    freebit.fail("PA05-41", times=1)  # the request's own attempt: an error page, nothing done
    request_id = str(uuid.uuid4())
    assert reissue(customer_client, request_id).json()["data"]["status"] == "requested"
    assert freebit.store.reissues == []
    freebit.faults(latency_ms=5000, actions=["PA05-41"], times=1)  # the worker will be inside this call

    first = drill.worker("worker-1", **WORKER_ENV)
    drill.wait_for(lambda: freebit.calls("PA05-41") == 2, what="the worker to send PA05-41")
    first.kill()
    assert action_of(request_id).lease_until is not None, "the dead worker still holds it"

    drill.beat(**BEAT_ENV)
    drill.worker("worker-2", **WORKER_ENV)
    drill.wait_for(lambda: action_of(request_id).status in (Status.DONE, Status.FAILED),
                   what="the sweep and the new worker to finish the reissue", timeout=90)

    assert_once(whmcs, freebit, request_id)
    assert freebit.calls("PA05-41") == 2, "the reissue the killed worker sent was adopted"
