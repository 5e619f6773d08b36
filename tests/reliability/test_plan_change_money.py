"""Drills of the plan change's money writes: WHMCS's answer to UpgradeProduct, CapturePayment or
Freebit's plan change lost on the way, the process killed between UpgradeProduct and recording its
answer, and the card refused. Each drill counts what WHMCS holds (upgrade orders, invoices,
payments) and ends with one charge at most, no unpaid invoice left behind, and WHMCS and Freebit
agreeing on the plan the customer paid for (or both on the old one).

The faults come from the emulators' own controls (``lost_answer_rate`` on one action: the call is
carried out and answered 504); a retry is what the Celery task or the sweep runs, called here.
"""
from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from integrations.whmcs.upgrades import WhmcsUpgradeClient
from portal.core.connections import whmcs_connection
from portal.core.jobs import ABANDONED
from portal.sim import plan_changes
from portal.sim.models import PlanChange
from tests.pages import messages_of
from tests.portal.sim.conftest import ALICE, ALICE_VOICE_5G

pytestmark = [pytest.mark.django_db(transaction=True),  # the plan change view records each step as it happens
              pytest.mark.usefixtures("salesforce")]  # the plans offered come from the catalog
Status = PlanChange.Status
SERVICE, OLD_PRODUCT, NEW_PRODUCT = 13, 4, 3  # Alice's Mobile Voice 5 GB service -> Mobile Voice 20 GB
OLD_PLAN, NEW_PLAN = "MOB-VOICE-5G", "MOB-VOICE-20G"
NOT_CONFIRMED = ("warning", "We could not confirm the change with billing just now. We are checking and will change "
                            "your plan once it is confirmed; you will not be charged twice.")


def confirm_upgrade(browser, request_id: str):
    return browser.post(f"/sims/{ALICE_VOICE_5G}/plan/", {"plan_code": NEW_PLAN, "when": "immediate",
                                                          "request_id": request_id, "confirm": "True"}, follow=True)


def upgrade_orders(billing) -> list:
    """The upgrade orders WHMCS holds for the service, oldest first."""
    store = billing.store
    return sorted((store.orders[u.orderid] for u in store.upgrades.values() if u.serviceid == SERVICE),
                  key=lambda order: order.id)


def ledger(billing, freebit) -> dict:
    """What the drill counts: WHMCS's upgrade orders, invoices and payments since the test began,
    and the plan each system bills or runs."""
    invoices = billing.new_invoices()
    return {
        "upgrade orders": len(upgrade_orders(billing)),
        "invoices": len(invoices),
        "unpaid invoices": sum(invoice.status == "Unpaid" for invoice in invoices),
        "payments": billing.charges(),
        "WHMCS product": billing.store.services[SERVICE].pid,
        "Freebit plan": freebit.sim(ALICE_VOICE_5G).plan_code,
    }


PAID_ONCE = {"upgrade orders": 1, "invoices": 1, "unpaid invoices": 0, "payments": 1, "WHMCS product": NEW_PRODUCT,
             "Freebit plan": NEW_PLAN}
NOTHING_CHANGED = {"upgrade orders": 1, "invoices": 1, "unpaid invoices": 0, "payments": 0,
                   "WHMCS product": OLD_PRODUCT, "Freebit plan": OLD_PLAN}


def retry(change: PlanChange) -> PlanChange:
    """What the Celery task (or the sweep) does with the change after a transient failure."""
    plan_changes.plan_change_process(change_id=change.pk)
    change.refresh_from_db()
    return change


def test_a_lost_upgrade_answer_is_adopted_and_charged_once(freebit, billing, customer_client, caplog):
    request_id = str(uuid.uuid4())
    billing.lose_answer("UpgradeProduct")

    response = confirm_upgrade(customer_client, request_id)

    change = PlanChange.objects.get(request_id=request_id)
    assert change.status == Status.DONE, change.last_error
    assert ledger(billing, freebit) == PAID_ONCE
    [order] = upgrade_orders(billing)
    assert (change.whmcs_order_id, change.whmcs_invoice_id) == (order.id, order.invoiceid)
    assert billing.store.invoices[order.invoiceid].notes == f"portal-request:{request_id}"
    assert billing.calls("UpgradeProduct") == 1, "sent once: its order was found, not placed again"
    assert "was placed by an earlier attempt (its answer was lost); adopted" in caplog.text
    assert response.status_code == 200 and messages_of(response)[0][0] == "success"


def test_a_lost_capture_answer_is_read_back_not_captured_again(freebit, billing, customer_client):
    request_id = str(uuid.uuid4())
    billing.lose_answer("CapturePayment")

    response = confirm_upgrade(customer_client, request_id)

    change = PlanChange.objects.get(request_id=request_id)
    assert change.status == Status.REQUESTED and change.capture_requested_at is not None
    assert NOT_CONFIRMED in messages_of(response)
    assert freebit.calls("PA05-21") == 0, "the SIM waits for the payment to be confirmed"

    change = retry(change)

    assert change.status == Status.DONE, change.last_error
    assert ledger(billing, freebit) == PAID_ONCE
    assert billing.calls("CapturePayment") == 1 and billing.calls("UpgradeProduct") == 1


def test_a_lost_answer_from_freebit_is_adopted_from_the_sims_plan(freebit, billing, customer_client):
    request_id = str(uuid.uuid4())
    freebit.lose_answer("PA05-21")

    response = confirm_upgrade(customer_client, request_id)

    change = PlanChange.objects.get(request_id=request_id)
    assert change.status == Status.BILLED
    assert ("warning", "Your payment went through; your SIM changes to Mobile Voice 20 GB within a few minutes. You "
                       "don't need to do anything.") in messages_of(response)

    change = retry(change)

    assert change.status == Status.DONE, change.last_error
    assert ledger(billing, freebit) == PAID_ONCE
    assert freebit.calls("PA05-21") == 2, "sent again, answered 'already on that plan', adopted"


def test_a_refused_card_charges_nothing_and_leaves_no_invoice_to_pay(freebit, billing, customer_client):
    billing.remove_cards()
    request_id = str(uuid.uuid4())

    confirm_upgrade(customer_client, request_id)

    change = PlanChange.objects.get(request_id=request_id)
    assert (change.status, change.failure) == (Status.FAILED, PlanChange.Failure.PAYMENT_REFUSED)
    assert ledger(billing, freebit) == NOTHING_CHANGED
    [order] = upgrade_orders(billing)
    assert order.status == "Cancelled" and billing.store.invoices[order.invoiceid].status == "Cancelled"
    assert freebit.calls("PA05-21") == 0


def test_a_refused_card_after_a_lost_upgrade_answer_leaves_no_invoice_to_pay(freebit, billing, customer_client):
    billing.remove_cards()
    billing.lose_answer("UpgradeProduct")

    confirm_upgrade(customer_client, str(uuid.uuid4()))

    assert ledger(billing, freebit) == NOTHING_CHANGED
    assert PlanChange.objects.get().failure == PlanChange.Failure.PAYMENT_REFUSED


def test_a_process_killed_after_upgrade_product_is_taken_over_and_charges_once(freebit, billing, customer_user):
    """The process sent UpgradeProduct and died before recording its answer: the row is left leased,
    ``upgrade_requested_at`` set, no order id. Its lease runs out; the sweep releases it and queues
    it; the run finds the upgrade order placed after the recorded floor and adopts it."""
    upgrades = WhmcsUpgradeClient(whmcs_connection())
    floor = upgrades.newest_order_id(ALICE.whmcs_client_id)
    now = timezone.now()
    change = PlanChange.objects.create(
        request_id=uuid.uuid4(), customer=customer_user.customer, iccid=ALICE_VOICE_5G, whmcs_service_id=SERVICE,
        from_plan_code=OLD_PLAN, from_plan_name="Mobile Voice 5 GB", to_plan_code=NEW_PLAN,
        to_plan_name="Mobile Voice 20 GB", from_product_id=OLD_PRODUCT, to_product_id=NEW_PRODUCT,
        billing_cycle="monthly", payment_method="stripe", immediate=True, effective_date=now.date(), currency="JPY",
        old_monthly=Decimal(1680), new_monthly=Decimal(2980), status=Status.REQUESTED, attempts=1,
        last_attempt_at=now - timedelta(minutes=10), lease_until=now - timedelta(minutes=1),
        whmcs_order_floor=floor, upgrade_requested_at=now - timedelta(minutes=10), upgrade_requests=1,
    )
    # What the dead process's UpgradeProduct did in WHMCS before it died.
    from portal.billing import selectors as billing_selectors

    upgrades.upgrade(SERVICE, NEW_PRODUCT, billing_cycle="monthly", payment_method="stripe",
                     currencies=tuple(billing_selectors.currencies().values()))
    billing.reset_stats()

    assert plan_changes.PlanChangeFlow.sweep() == 1  # released (its lease ran out) and queued: run at once here

    change.refresh_from_db()
    assert change.status == Status.DONE, change.last_error
    assert change.attempts == 2 and ABANDONED not in change.last_error
    assert ledger(billing, freebit) == PAID_ONCE
    assert billing.calls("UpgradeProduct") == 0, "adopted, not placed again"
    assert billing.calls("CapturePayment") == 1
