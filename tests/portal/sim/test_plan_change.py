"""Plan changes from the SIM page: the plans offered (the catalog's SIM plans but the current one),
a change booked for next month, one applied now, and the refusals."""
import re

import pytest

from sandbox.salesforce import PORTAL_PRICEBOOK_ID
from tests.portal.sim.conftest import ALICE_DATA, ALICE_SUSPENDED, ALICE_VOICE, main_of, messages_of, sim_page

pytestmark = pytest.mark.django_db

OPTION = re.compile(r'<option value="([^"]+)"[^>]*>([^<]+)</option>')
PLAN_SELECT = re.compile(r'<select name="plan_code"[^>]*>(.*?)</select>', re.S)


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


def change_plan(browser, iccid: str, plan_code: str, when: str = "next_month"):
    return browser.post(f"/sims/{iccid}/plan/", {"plan_code": plan_code, "when": when}, follow=True)


def test_the_plans_offered_are_the_catalogs_sim_plans_but_the_current_one(providers, salesforce, customer_client):
    plans = catalog_sim_plans(salesforce)
    assert {"MOB-VOICE-20G", "MOB-VOICE-5G", "MOB-DATA-10G"} <= set(plans)
    assert "MOB-VOICE-3G" not in plans, "the retired plan is not in the catalog"

    for iccid, current in ((ALICE_VOICE, "MOB-VOICE-20G"), (ALICE_DATA, "MOB-DATA-10G")):
        assert providers.sim(iccid).plan_code == current
        choices = offered(sim_page(customer_client, iccid))
        assert choices == {sku: name for sku, name in plans.items() if sku != current}


def test_a_change_booked_for_next_month_shows_as_pending(providers, salesforce, customer_client):
    response = change_plan(customer_client, ALICE_VOICE, "MOB-VOICE-5G")

    sim = providers.sim(ALICE_VOICE)
    assert sim.plan_code == "MOB-VOICE-20G"
    assert sim.pending.plan_code == "MOB-VOICE-5G"
    effective = sim.pending.effective_date
    assert effective.day == 1 and effective > providers.store.today
    assert ("success", f"Your plan changes to Mobile Voice 5 GB from 1 {effective:%B %Y}.") in messages_of(response)
    page = main_of(response)
    assert "<h1>Mobile Voice 20 GB" in page
    assert f"<dt>Plan change</dt><dd>To Mobile Voice 5 GB on 1 {effective:%B %Y}</dd>" in page
    assert providers.calls("plan-change") == 1


def test_an_immediate_change_applies_now(providers, salesforce, customer_client):
    store = providers.store
    response = change_plan(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="immediate")

    sim = providers.sim(ALICE_VOICE)
    assert sim.plan_code == "MOB-VOICE-5G" and sim.pending is None
    assert ("success", "Your plan changes to Mobile Voice 5 GB now.") in messages_of(response)
    page = main_of(response)
    assert "<h1>Mobile Voice 5 GB" in page and "<dt>Plan change</dt>" not in page
    assert f'max="{store.month_quota_kb(sim, store.today)}"' in page, "the details were read again"
    choices = offered(response)
    assert "MOB-VOICE-20G" in choices and "MOB-VOICE-5G" not in choices


def test_an_immediate_change_cancels_a_booked_one(providers, salesforce, customer_client):
    change_plan(customer_client, ALICE_VOICE, "MOB-VOICE-5G")
    assert providers.sim(ALICE_VOICE).pending is not None

    change_plan(customer_client, ALICE_VOICE, "MOB-VOICE-5G", when="immediate")

    assert providers.sim(ALICE_VOICE).pending is None


def test_a_voice_sim_cannot_change_to_a_data_plan(providers, salesforce, customer_client):
    response = change_plan(customer_client, ALICE_VOICE, "MOB-DATA-10G", when="immediate")

    assert ("error", "That plan is not available for this SIM (data-only and voice SIMs cannot switch between "
                     "each other).") in messages_of(response)
    assert providers.sim(ALICE_VOICE).plan_code == "MOB-VOICE-20G"
    assert response.status_code == 200 and "<h1>Mobile Voice 20 GB" in main_of(response)


def test_a_data_sim_cannot_change_to_a_voice_plan(providers, salesforce, customer_client):
    response = change_plan(customer_client, ALICE_DATA, "MOB-VOICE-5G")

    assert messages_of(response)[0][0] == "error"
    assert providers.sim(ALICE_DATA).pending is None


@pytest.mark.parametrize("plan_code", ["MOB-VOICE-3G", "MOB-VOICE-20G", "MOB-VOICE-99G", "", "x" * 60,
                                       "MOB-VOICE-5G'; DROP TABLE sim_topup; --"])
def test_a_plan_that_is_not_offered_is_refused_before_freebit_is_asked(providers, salesforce, customer_client,
                                                                       plan_code):
    response = change_plan(customer_client, ALICE_VOICE, plan_code, when="immediate")

    assert ("error", "Please choose one of the plans offered.") in messages_of(response)
    assert providers.calls("plan-change") == 0
    assert providers.sim(ALICE_VOICE).plan_code == "MOB-VOICE-20G"


def test_a_suspended_sims_plan_cannot_be_changed(providers, salesforce, customer_client):
    response = change_plan(customer_client, ALICE_SUSPENDED, "MOB-VOICE-5G")

    assert ("error", "This SIM's plan cannot be changed right now. Please contact support.") in messages_of(response)
    assert providers.calls("plan-change") == 0
    assert providers.sim(ALICE_SUSPENDED).pending is None


def test_freebit_failing_on_the_plan_change_shows_the_friendly_page(providers, salesforce, customer_client):
    sim_page(customer_client, ALICE_VOICE)  # details cached
    providers.faults(error_rate=1.0, status=503)

    response = customer_client.post(f"/sims/{ALICE_VOICE}/plan/", {"plan_code": "MOB-VOICE-5G",
                                                                    "when": "immediate"})

    assert response.status_code == 503
    assert "Your SIM details are temporarily unavailable" in response.content.decode()
    assert providers.calls("plan-change") == 1, "a plan change is sent once, never retried"
    assert providers.sim(ALICE_VOICE).plan_code == "MOB-VOICE-20G"
