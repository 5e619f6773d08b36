"""Two processors of one top-up at the same moment (a Celery retry and the sweep, or two submits of
one form): the lease lets one of them work, so the customer is charged once and the quota added once.

These tests commit for real (``transaction=True``) so that each thread has its own database
connection, as in production.
"""
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from portal.sim import services
from portal.sim.models import TopUp
from tests.portal.sim.conftest import ALICE_VOICE, confirm_topup

pytestmark = pytest.mark.django_db(transaction=True)


def in_threads(targets) -> list:
    """Run each target in its own thread, released together; their results (or exceptions)."""
    barrier = threading.Barrier(len(targets))
    results: list = [None] * len(targets)

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = targets[index]()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(targets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_processors_of_one_top_up_charge_once(providers, billing, customer_user):
    topup = TopUp.objects.create(request_id=uuid.uuid4(), customer=customer_user.customer, iccid=ALICE_VOICE,
                                 quota_mb=1024, amount=Decimal("500"), currency="JPY")
    billing.faults(latency_ms=300)  # each WHMCS call takes a while: the two overlap

    results = in_threads([lambda: services.topup_process(topup_id=topup.pk)] * 2)

    assert results == [None, None]
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.APPLIED and topup.lease_until is None
    assert billing.calls("CreateInvoice") == 1 and billing.calls("CapturePayment") == 1
    [invoice] = billing.new_invoices()
    assert invoice.status == "Paid" and len(billing.payments_of(invoice.id)) == 1
    assert providers.calls("PA04-04") == 1
    assert len(providers.topups_for(str(topup.request_id))) == 1


def test_a_lease_held_by_another_processor_is_respected_until_it_expires(providers, billing, customer_user):
    from datetime import timedelta

    from django.utils import timezone

    topup = TopUp.objects.create(request_id=uuid.uuid4(), customer=customer_user.customer, iccid=ALICE_VOICE,
                                 quota_mb=1024, amount=Decimal("500"), currency="JPY",
                                 lease_until=timezone.now() + timedelta(minutes=1))

    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.REQUESTED and billing.calls("CreateInvoice") == 0

    TopUp.objects.filter(pk=topup.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # its holder died
    services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.APPLIED and billing.calls("CreateInvoice") == 1


def test_parallel_api_requests_with_one_request_id_get_consistent_answers(providers, billing, customer_user):
    """One 201 (the request that recorded it); every other answer is the same top-up: 202 while it
    is still in flight, 200 once it is done. Never a bare "requested": each says whether it is done."""
    browsers = []
    for _ in range(4):
        browser = Client()
        browser.force_login(customer_user)
        browsers.append(browser)
    request_id = str(uuid.uuid4())
    billing.faults(latency_ms=300)  # the first request's WHMCS calls take a while: the others overlap them

    responses = in_threads([
        lambda b=b: b.post(f"/api/v1/sims/{ALICE_VOICE}/top-up", {"quota_mb": 1024, "request_id": request_id},
                           content_type="application/json")
        for b in browsers
    ])

    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes.count(201) == 1 and set(codes) <= {200, 201, 202}, codes
    for response in responses:
        data = response.json()["data"]
        assert data["request_id"] == request_id and data["message"]
        if response.status_code == 202:
            assert data["done"] is False and data["status"] in ("requested", "charged")
        if response.status_code == 200:
            assert data["done"] is True and data["status"] == "applied"
    topup = TopUp.objects.get()
    assert topup.status == TopUp.Status.APPLIED
    assert billing.calls("CreateInvoice") == 1 and billing.calls("CapturePayment") == 1
    assert len(providers.topups_for(request_id)) == 1


def test_two_simultaneous_submits_of_one_form_charge_once(providers, billing, customer_user):
    browsers = []
    for _ in range(2):
        browser = Client()
        browser.force_login(customer_user)
        assert browser.get(f"/sims/{ALICE_VOICE}/").status_code == 200
        browsers.append(browser)
    request_id = str(uuid.uuid4())
    billing.faults(latency_ms=200)

    responses = in_threads([lambda b=b: confirm_topup(b, ALICE_VOICE, "1024", request_id) for b in browsers])

    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    assert TopUp.objects.count() == 1
    assert TopUp.objects.get().status == TopUp.Status.APPLIED
    assert billing.calls("CreateInvoice") == 1 and billing.calls("CapturePayment") == 1
    assert len(providers.topups_for(request_id)) == 1
