"""Plan changes from the SIM page: only the plans the SIM can move to, WHMCS's price before confirming
(pro rata now, the new monthly price from next month), an upgrade now charged on a WHMCS invoice
before Freebit is asked, a change from next month scheduled and cancellable, and the refusals.

What WHMCS and Freebit hold afterwards is read from the emulators' stores; expected prices follow
WHMCS's own pro rata rule from the store's data, never hard-coded, so the tests hold on any day.
"""
import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from domain.shared import clock
from domain.shared.calendar import next_month_start
from portal.sim import plan_changes
from portal.sim.models import PlanChange
from sandbox.salesforce import PORTAL_PRICEBOOK_ID
from sandbox.whmcs.store import add_months
from tests.pages import english_day, main_of, messages_of, text_of
from tests.portal.sim.conftest import ALICE_DATA, ALICE_SUSPENDED, ALICE_VOICE, ALICE_VOICE_5G, sim_page

pytestmark = pytest.mark.django_db
Status = PlanChange.Status
OPTION = re.compile(r'<option value="([^"]+)"[^>]*>([^<]+)</option>')
PLAN_SELECT = re.compile(r'<select name="plan_code"[^>]*>(.*?)</select>', re.S)
SERVICE = {ALICE_VOICE: 12, ALICE_VOICE_5G: 13, ALICE_DATA: 14}
PRODUCT = {"MOB-VOICE-20G": 3, "MOB-VOICE-5G": 4, "MOB-DATA-10G": 5, "MOB-DATA-3G": 10, "MOB-DATA-20G": 11}
PAYMENT_REFUSED = ("error", "Your payment could not be taken, so nothing was charged and your plan did not change. "
                            "Please check your payment method and try again.")


def catalog_sim_plans(salesforce) -> dict[str, str]:
    """SKU -> name of the SIM plans the portal's catalog offers (active, priced in the portal's book)."""
    store = salesforce.app.store
    priced = {e["Product2Id"] for e in store.rows("PricebookEntry")
              if e["Pricebook2Id"] == PORTAL_PRICEBOOK_ID and e["IsActive"]}
    return {p["StockKeepingUnit"]: p["Name"] for p in store.rows("Product2")
            if p["Is_SIM__c"] and p["IsActive"] and p["Portal_Catalog__c"] and p["Id"] in priced
            and p["StockKeepingUnit"].startswith(("MOB-DATA-", "MOB-VOICE-"))}


def offered(response) -> dict[str, str]:
    select = PLAN_SELECT.search(main_of(response))
    assert select, "the page has no plan form"
    return dict(OPTION.findall(select[1]))


def yen(amount) -> str:
    return f"¥{Decimal(amount):,.0f}"


def whmcs_pro_rata(billing, iccid: str, plan_code: str) -> Decimal:
    """What WHMCS charges for the change today: (new price - recurring amount) x days left / days in the cycle."""
    store = billing.store
    service = store.services[SERVICE[iccid]]
    total = (service.nextduedate - add_months(service.nextduedate, -1)).days
    days = (service.nextduedate - store.today).days
    return ((store.products[PRODUCT[plan_code]].monthly_price - service.recurringamount) * days / total).quantize(
        Decimal(1))


def ask_price(browser, iccid: str, plan_code: str, when: str = "immediate", request_id: str | None = None):
    return browser.post(f"/sims/{iccid}/plan/", {"plan_code": plan_code, "when": when,
                                                  "request_id": request_id or str(uuid.uuid4())})


def confirm(browser, iccid: str, plan_code: str, when: str = "immediate", request_id: str | None = None):
    return browser.post(f"/sims/{iccid}/plan/", {"plan_code": plan_code, "when": when, "confirm": "True",
                                                  "request_id": request_id or str(uuid.uuid4())}, follow=True)


def provider_writes(billing, freebit) -> dict:
    """The writes the providers received (a ``calconly`` quote is counted apart, as ``quotes``)."""
    return {"quotes": billing.calls("UpgradeProduct (calconly)"), "UpgradeProduct": billing.calls("UpgradeProduct"),
            "CapturePayment": billing.calls("CapturePayment"), "plan-change": freebit.calls("PA05-21")}


# -- what is offered ------------------------------------------------------------------------------------


def test_only_the_plans_the_sim_can_move_to_are_offered(providers, salesforce, customer_client):
    plans = catalog_sim_plans(salesforce)
    assert {"MOB-VOICE-20G", "MOB-VOICE-5G", "MOB-DATA-10G", "MOB-DATA-3G"} <= set(plans)

    voice = offered(sim_page(customer_client, ALICE_VOICE))
    data = offered(sim_page(customer_client, ALICE_DATA))

    assert voice == {sku: name for sku, name in plans.items()
                     if sku.startswith("MOB-VOICE-") and sku != "MOB-VOICE-20G"}
    assert data == {sku: name for sku, name in plans.items() if sku.startswith("MOB-DATA-") and sku != "MOB-DATA-10G"}
    assert "MOB-VOICE-3G" not in voice, "the retired plan is not in the catalog"


# -- the price before confirming --------------------------------------------------------------------------


def test_an_upgrade_now_shows_whmcs_pro_rata_price_and_changes_nothing(providers, billing, customer_client):
    store = billing.store
    charge = whmcs_pro_rata(billing, ALICE_VOICE_5G, "MOB-VOICE-20G")
    assert charge > 0

    response = ask_price(customer_client, ALICE_VOICE_5G, "MOB-VOICE-20G")

    page = main_of(response)
    assert response.status_code == 200 and "Change to Mobile Voice 20 GB?" in page
    assert f"<strong>{yen(charge)}</strong>: the difference for the rest of your billing period" in page
    assert (f"<strong>{yen(store.products[3].monthly_price)}</strong> a month instead of "
            f"{yen(store.services[13].recurringamount)}") in page
    assert f"Pay {yen(charge)} and change plan" in page
    assert billing.calls("UpgradeProduct (calconly)") == 1 and billing.calls("UpgradeProduct") == 0
    assert provider_writes(billing, providers)["plan-change"] == 0 and billing.new_invoices() == []
    assert store.services[13].pid == 4 and providers.sim(ALICE_VOICE_5G).plan_code == "MOB-VOICE-5G"


def test_a_change_from_next_month_shows_the_new_monthly_price(providers, billing, customer_client):
    response = ask_price(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="next_month")

    page = main_of(response)
    first = next_month_start(clock.today())
    assert f"<strong>{yen(billing.store.products[4].monthly_price)}</strong> a month instead of" in page
    assert f"Change plan on {english_day(first)}" in page and "Nothing is charged or refunded." in page
    assert billing.new_invoices() == []


def test_a_cheaper_plan_cannot_start_now(providers, billing, customer_client):
    response = confirm(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="immediate")

    assert ("error", 'A cheaper plan starts on the first of next month: choose "From the first of next month" (this '
                     "month is not refunded).") in messages_of(response)
    assert not PlanChange.objects.exists()
    assert billing.calls("UpgradeProduct") == 0 and billing.new_invoices() == []  # the calconly only
    assert providers.calls("PA05-21") == 0


# -- an upgrade now ----------------------------------------------------------------------------------------


def test_an_upgrade_now_is_charged_then_made_and_both_systems_agree(providers, billing, customer_client):
    store = billing.store
    charge = whmcs_pro_rata(billing, ALICE_VOICE_5G, "MOB-VOICE-20G")
    request_id = str(uuid.uuid4())

    response = confirm(customer_client, ALICE_VOICE_5G, "MOB-VOICE-20G", request_id=request_id)

    change = PlanChange.objects.get(request_id=request_id)
    assert change.status == Status.DONE and change.failure == ""
    [invoice] = billing.new_invoices()
    assert invoice.id == change.whmcs_invoice_id and invoice.status == "Paid" and invoice.total == charge
    assert invoice.notes == f"portal-request:{request_id}"
    assert len(billing.payments_of(invoice.id)) == 1
    service = store.services[13]
    assert (service.pid, service.recurringamount) == (3, store.products[3].monthly_price)
    assert providers.sim(ALICE_VOICE_5G).plan_code == "MOB-VOICE-20G"
    assert ("success", "Your plan is now Mobile Voice 20 GB. The difference is on an invoice of its own, already "
                       "paid, in Billing.") in messages_of(response)
    assert '<p class="sim-plan">Mobile Voice 20 GB' in main_of(response), "the SIM's details were read again"
    assert provider_writes(billing, providers) == {"quotes": 1, "UpgradeProduct": 1, "CapturePayment": 1,
                                                     "plan-change": 1}


def test_the_same_confirmation_sent_again_changes_and_charges_once(providers, billing, customer_client):
    request_id = str(uuid.uuid4())
    confirm(customer_client, ALICE_VOICE_5G, "MOB-VOICE-20G", request_id=request_id)

    again = confirm(customer_client, ALICE_VOICE_5G, "MOB-VOICE-20G", request_id=request_id)

    assert again.status_code == 200
    assert PlanChange.objects.count() == 1 and len(billing.new_invoices()) == 1 and billing.charges() == 1
    assert providers.calls("PA05-21") == 1


def test_a_refused_card_cancels_the_upgrade_invoice_and_changes_nothing(providers, billing, customer_client):
    billing.remove_cards()
    request_id = str(uuid.uuid4())

    response = confirm(customer_client, ALICE_VOICE_5G, "MOB-VOICE-20G", request_id=request_id)

    change = PlanChange.objects.get(request_id=request_id)
    assert (change.status, change.failure) == (Status.FAILED, PlanChange.Failure.PAYMENT_REFUSED)
    [invoice] = billing.new_invoices()
    assert invoice.status == "Cancelled" and billing.charges() == 0
    order = billing.store.orders[change.whmcs_order_id]
    assert order.status == "Cancelled"
    assert billing.store.services[13].pid == 4, "WHMCS keeps the old plan"
    assert providers.sim(ALICE_VOICE_5G).plan_code == "MOB-VOICE-5G" and providers.calls("PA05-21") == 0
    assert PAYMENT_REFUSED in messages_of(response)


# -- a change from next month -------------------------------------------------------------------------------


def test_a_change_from_next_month_is_scheduled_shown_and_asks_nothing_of_the_providers(providers, billing,
                                                                                       customer_client):
    request_id = str(uuid.uuid4())

    response = confirm(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="next_month", request_id=request_id)

    first = next_month_start(clock.today())
    change = PlanChange.objects.get(request_id=request_id)
    assert (change.status, change.effective_date, change.immediate) == (Status.SCHEDULED, first, False)
    assert ("success", f"Your plan changes to Mobile Voice 5 GB on {english_day(first)}. You can cancel this until "
                       "then.") in messages_of(response)
    page = main_of(response)
    assert f"<dt>Plan change</dt><dd>To Mobile Voice 5 GB on {first:%-d %b %Y}</dd>" in page
    assert f'<input type="hidden" name="request_id" value="{request_id}">' in page and "Cancel this change" in page
    assert provider_writes(billing, providers) == {"quotes": 1, "UpgradeProduct": 0, "CapturePayment": 0,
                                                     "plan-change": 0}
    assert billing.store.services[12].pid == 3 and providers.sim(ALICE_VOICE).plan_code == "MOB-VOICE-20G"


def test_a_scheduled_change_can_be_cancelled_and_then_never_happens(providers, billing, customer_client):
    request_id = str(uuid.uuid4())
    confirm(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="next_month", request_id=request_id)

    response = customer_client.post(f"/sims/{ALICE_VOICE}/plan/cancel/", {"request_id": request_id}, follow=True)

    change = PlanChange.objects.get(request_id=request_id)
    assert change.status == Status.CANCELLED and change.cancelled_at is not None
    assert ("info", "The change to Mobile Voice 5 GB was cancelled.") in messages_of(response)
    assert "Cancel this change" not in main_of(response) and "<dt>Plan change</dt>" not in main_of(response)
    with time_machine.travel(change.effective_date.isoformat() + "T00:05:00+09:00"):
        assert plan_changes.start_due_plan_changes() == 0
    assert provider_writes(billing, providers) == {"quotes": 1, "UpgradeProduct": 0, "CapturePayment": 0,
                                                     "plan-change": 0}


def test_a_scheduled_downgrade_is_made_on_its_day_in_both_systems_with_nothing_charged(providers, billing,
                                                                                      customer_client):
    request_id = str(uuid.uuid4())
    confirm(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="next_month", request_id=request_id)
    change = PlanChange.objects.get(request_id=request_id)

    with time_machine.travel(f"{change.effective_date - timedelta(days=1)}T23:59:00+09:00"):
        assert plan_changes.start_due_plan_changes() == 0, "not before its day (Japan time)"
    with time_machine.travel(change.effective_date.isoformat() + "T00:01:00+09:00"):
        assert plan_changes.start_due_plan_changes() == 1
        plan_changes.plan_change_process(change_id=change.pk)  # what the queued task does

    change.refresh_from_db()
    assert change.status == Status.DONE and change.whmcs_invoice_id is None
    assert billing.new_invoices() == [] and billing.charges() == 0
    service = billing.store.services[12]
    assert (service.pid, service.recurringamount) == (4, billing.store.products[4].monthly_price)
    assert providers.sim(ALICE_VOICE).plan_code == "MOB-VOICE-5G"


def test_a_scheduled_upgrade_is_billed_by_whmcs_on_its_day_before_the_sim_changes(providers, billing,
                                                                                  customer_client):
    """On its day WHMCS bills the change as it bills any: the difference for the rest of the service's
    own billing period, charged and captured before Freebit is asked."""
    store = billing.store
    request_id = str(uuid.uuid4())
    confirm(customer_client, ALICE_DATA, "MOB-DATA-20G", when="next_month", request_id=request_id)
    change = PlanChange.objects.get(request_id=request_id)
    service = store.services[14]
    service.nextduedate = change.effective_date + timedelta(days=20)  # 20 days of its period left on the day
    cycle_days = (service.nextduedate - add_months(service.nextduedate, -1)).days
    days_left = max(0, (service.nextduedate - change.effective_date).days)
    expected = ((store.products[11].monthly_price - service.recurringamount) * days_left / cycle_days).quantize(
        Decimal(1))

    with time_machine.travel(change.effective_date.isoformat() + "T00:01:00+09:00"):
        plan_changes.start_due_plan_changes()

    change.refresh_from_db()
    assert change.status == Status.DONE, change.last_error
    assert expected > 0
    [invoice] = billing.new_invoices()
    assert (invoice.total, invoice.status, change.whmcs_invoice_id) == (expected, "Paid", invoice.id)
    assert billing.charges() == 1 and invoice.notes == f"portal-request:{request_id}"
    assert (service.pid, service.recurringamount) == (11, store.products[11].monthly_price)
    assert providers.sim(ALICE_DATA).plan_code == "MOB-DATA-20G"


def test_a_scheduled_change_of_a_sim_suspended_since_fails_on_its_day_with_nothing_billed(providers, billing,
                                                                                         customer_client):
    request_id = str(uuid.uuid4())
    confirm(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="next_month", request_id=request_id)
    change = PlanChange.objects.get(request_id=request_id)
    providers.set_status(ALICE_VOICE, "suspended")

    with time_machine.travel(change.effective_date.isoformat() + "T00:01:00+09:00"):
        plan_changes.start_due_plan_changes()

    change.refresh_from_db()
    assert (change.status, change.failure) == (Status.FAILED, PlanChange.Failure.SIM_REFUSED)
    assert billing.calls("UpgradeProduct") == 0 and billing.new_invoices() == []
    assert billing.store.services[12].pid == 3 and providers.calls("PA05-21") == 0
    assert plan_changes.plan_change_message(change) == (
        "error", "Your plan could not be changed and nothing was charged. Please try again later or contact support.")


def test_a_started_change_can_no_longer_be_cancelled(providers, billing, customer_client):
    request_id = str(uuid.uuid4())
    confirm(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="next_month", request_id=request_id)
    PlanChange.objects.filter(request_id=request_id).update(status=Status.REQUESTED)

    response = customer_client.post(f"/sims/{ALICE_VOICE}/plan/cancel/", {"request_id": request_id}, follow=True)

    assert ("error", "This plan change has already taken effect or is being made; it can no longer be cancelled.") \
        in messages_of(response)
    assert PlanChange.objects.get(request_id=request_id).status == Status.REQUESTED


def test_one_change_at_a_time_per_sim(providers, billing, customer_client):
    confirm(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="next_month")
    first = next_month_start(clock.today())

    response = confirm(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="next_month")

    assert ("error", f"This SIM already has a change to Mobile Voice 5 GB booked for {english_day(first)}. Cancel it "
                     "first to choose another plan.") in messages_of(response)
    assert PlanChange.objects.count() == 1


def test_another_customers_change_cannot_be_cancelled(providers, customer_client, bob_client):
    request_id = str(uuid.uuid4())
    confirm(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="next_month", request_id=request_id)

    response = bob_client.post(f"/sims/{ALICE_VOICE}/plan/cancel/", {"request_id": request_id})

    assert response.status_code == 404
    assert PlanChange.objects.get(request_id=request_id).status == Status.SCHEDULED


# -- refusals ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("iccid", "plan_code"), [(ALICE_DATA, "MOB-VOICE-5G"), (ALICE_VOICE, "MOB-DATA-10G"),
                                                  (ALICE_VOICE, "MOB-VOICE-3G"), (ALICE_VOICE, "MOB-VOICE-20G"),
                                                  (ALICE_VOICE, "MOB-VOICE-99G"), (ALICE_VOICE, ""),
                                                  (ALICE_VOICE, "MOB-VOICE-5G'; DROP TABLE sim_topup; --")])
def test_a_plan_that_is_not_offered_is_refused_before_any_provider_is_asked(providers, billing, customer_client,
                                                                           iccid, plan_code):
    response = confirm(customer_client, iccid, plan_code)

    assert ("error", "Please choose one of the plans offered.") in messages_of(response)
    assert provider_writes(billing, providers) == {"quotes": 0, "UpgradeProduct": 0, "CapturePayment": 0,
                                                     "plan-change": 0}
    assert not PlanChange.objects.exists()


def test_a_suspended_sims_plan_cannot_be_changed(providers, billing, customer_client):
    page = sim_page(customer_client, ALICE_SUSPENDED)
    response = confirm(customer_client, ALICE_SUSPENDED, "MOB-VOICE-5G", when="next_month")

    assert "The plan of this SIM cannot be changed right now." in main_of(page)
    assert messages_of(response)[0][0] == "error"
    assert billing.calls("UpgradeProduct (calconly)") == billing.calls("UpgradeProduct") == 0
    assert not PlanChange.objects.exists()


def test_whmcs_failing_on_the_price_shows_the_friendly_page_and_records_nothing(providers, billing, customer_client):
    sim_page(customer_client, ALICE_VOICE_5G)
    billing.fail("UpgradeProduct (calconly)", times=None)

    response = ask_price(customer_client, ALICE_VOICE_5G, "MOB-VOICE-20G")

    assert response.status_code == 503
    assert "Traceback" not in text_of(response) and "UpgradeProduct" not in text_of(response)
    assert not PlanChange.objects.exists()
