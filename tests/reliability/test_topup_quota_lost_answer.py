"""Drills: a top-up's quota addition against Freebit's PA04-04, which has no idempotency key, when
its answer is lost.

Each drill tops up Alice's voice SIM through the API, as a client would, with the Freebit emulator
carrying the quota addition out but answering 504 (``lost_answer``: the data IS added, the portal
cannot know). A real worker makes the later attempts. Each ends with the data added exactly once
(one addition carrying the request id as its quotaCode) and one charge, or, when nobody can tell
whether the data was added, the top-up waiting for staff (needs review) with nothing added twice.
Nothing of the portal is patched: faults come from the emulators' controls, the worker is a real
process on a private broker (``tests/reliability/conftest.py``).
"""
from __future__ import annotations

import uuid

import pytest

from portal.sim.models import TopUp
from tests.emulator import FreebitEmulator as SimFreebit
from tests.emulator import WhmcsEmulator as SimWhmcs
from tests.portal.sim.conftest import ALICE_VOICE

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = TopUp.Status
WORKER_ENV = {"SIM_TOPUP_LEASE_SECONDS": 12, "PROVIDER_READ_TIMEOUT": 8, "SIM_TOPUP_SWEEP_AFTER_SECONDS": 1,
              "SIM_TOPUP_RETRY_BACKOFF_SECONDS": 1, "SIM_TOPUP_RETRY_BACKOFF_MAX_SECONDS": 1,
              "SIM_TOPUP_QUOTA_SETTLE_SECONDS": 2}


@pytest.fixture
def money(whmcs) -> SimWhmcs:
    whmcs.reset_stats()
    return whmcs


@pytest.fixture
def quota(freebit) -> SimFreebit:
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


def test_a_lost_quota_answer_is_settled_from_the_history_and_the_data_added_once(
    drill, money, quota, customer_client, fast_retries
):
    quota.lose_answer("PA04-04")  # Freebit adds the data; the portal gets a gateway's 504
    request_id = str(uuid.uuid4())

    response = top_up(customer_client, request_id)

    assert response.status_code == 201, response.content
    assert (response.json()["data"]["status"], response.json()["data"]["done"]) == ("charged", False)
    assert len(quota.topups_for(request_id)) == 1, "the data is on the SIM; the portal does not know it yet"
    topup = topup_of(request_id)
    assert topup.quota_requested_at is not None and topup.quota_requests == 1

    worker = drill.worker(**WORKER_ENV)
    drill.wait_for(lambda: topup_of(request_id).status == Status.APPLIED, what="the worker to settle the top-up")

    assert quota.calls("PA04-04") == 1, "never sent again"
    assert quota.calls("PA05-02") >= 1, "the quota history showed the request id as quotaCode"
    assert len(quota.topups_for(request_id)) == 1
    assert "Freebit added the quota (its answer was lost); adopted, not sent again" in worker.log(), drill.logs()
    [invoice] = money.invoices_of_request(request_id)
    assert invoice.status == "Paid" and len(money.payments_of(invoice.id)) == 1 and money.charges() == 1
    again = top_up(customer_client, request_id)
    assert again.status_code == 200 and again.json()["data"]["status"] == "applied"


def test_a_lost_quota_answer_nobody_can_settle_stops_in_review_and_adds_nothing_twice(
    drill, money, quota, customer_client, fast_retries
):
    quota.lose_answer("PA04-04")
    request_id = str(uuid.uuid4())
    top_up(customer_client, request_id)
    quota.faults(malformed_rate=1.0, malformed_kind="html", actions=["PA05-02"])  # a history nobody can read

    worker = drill.worker(**WORKER_ENV)
    drill.wait_for(lambda: topup_of(request_id).status == Status.NEEDS_REVIEW, what="the top-up to stop in review")

    topup = topup_of(request_id)
    assert "the quota history cannot tell whether the data was added" in topup.last_error
    assert quota.calls("PA04-04") == 1 and len(quota.topups_for(request_id)) == 1, "added once, never twice"
    assert "needs review" in worker.log(), drill.logs()
    data = top_up(customer_client, request_id).json()["data"]
    assert (data["status"], data["done"]) == ("needs_review", True)
    assert "you will not be charged twice" in data["message"]
    assert money.charges() == 1
