"""When a provider fails: the SIM page falls back on its last copy with a notice, or shows the
friendly "temporarily unavailable" page when it has none."""
import pytest

from portal.core.cache import invalidate_customer
from tests.pages import main_of, text_of
from tests.portal.sim.conftest import ALICE_VOICE, BOB_VOICE, sim_page

pytestmark = pytest.mark.django_db

STALE_NOTICE = "this is the information we had most recently"
OUTAGES = {
    "http-503": {"error_rate": 1.0, "status": 503},
    "timeout": {"timeout_rate": 1.0, "timeout_seconds": 2},
    "malformed-body": {"malformed_rate": 1.0},
    "rate-limited": {"rate_limit": {"rate": 1.0, "retry_after": 0}},
}


@pytest.fixture(params=sorted(OUTAGES))
def outage(request, providers, settings):
    """Freebit failing in one of its ways; reads give up quickly."""
    settings.PROVIDER_READ_TIMEOUTS = {"freebit": 0.5}  # the others keep the fixtures' 2 s
    settings.PROVIDER_CONNECT_TIMEOUT = 0.5
    return OUTAGES[request.param]


def test_freebit_down_with_nothing_cached_gives_a_friendly_503_page(outage, providers, customer_client):
    providers.faults(**outage)

    response = sim_page(customer_client, ALICE_VOICE)

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = text_of(response)
    assert "Your SIM details are temporarily unavailable" in page
    assert "If you contact support, quote reference <code>" in page
    assert "Traceback" not in page and "Freebit" not in main_of(response)


def test_freebit_down_after_a_visit_shows_the_last_copy_with_a_notice(providers, customer_client, customer_user):
    first = sim_page(customer_client, ALICE_VOICE)
    assert STALE_NOTICE not in text_of(first)
    invalidate_customer(customer_user.pk)  # the fresh copies are gone; the stale ones stay
    providers.faults(error_rate=1.0, status=503)

    response = sim_page(customer_client, ALICE_VOICE)

    assert response.status_code == 200
    assert STALE_NOTICE in text_of(response)
    assert "We could not reach our SIM system just now" in text_of(response)
    meter = 'class="gauge-figure"'
    assert main_of(response).split(meter)[1][:80] == main_of(first).split(meter)[1][:80]


def test_the_sim_list_needs_only_whmcs(providers, customer_client):
    providers.faults(error_rate=1.0, status=503)

    response = customer_client.get("/sims/")

    assert response.status_code == 200
    assert ALICE_VOICE in main_of(response)
    assert providers.calls() == 0


def test_whmcs_down_means_no_sim_is_shown_and_freebit_is_not_asked(providers, billing, customer_client):
    billing.faults(error_rate=1.0, status=503)

    response = sim_page(customer_client, ALICE_VOICE)

    assert response.status_code == 503
    assert "Your billing details are temporarily unavailable" in text_of(response)
    assert providers.calls() == 0, "ownership could not be checked, so Freebit was not asked"


def test_whmcs_down_still_keeps_other_customers_sims_out_of_reach(providers, billing, customer_client):
    billing.faults(error_rate=1.0, status=503)

    assert sim_page(customer_client, BOB_VOICE).status_code in (404, 503)
    assert providers.calls() == 0


def test_salesforce_down_still_shows_the_sim_page_without_the_plan_form(providers, salesforce, customer_client):
    import requests

    requests.post(salesforce.url + "/__sandbox__/faults", json={"error_rate": 1.0, "status": 503},
                  timeout=5).raise_for_status()

    response = sim_page(customer_client, ALICE_VOICE)

    assert response.status_code == 200
    page = main_of(response)
    assert '<p class="sim-plan">Mobile Voice 20 GB' in page and 'class="gauge-figure"' in page
    assert 'name="quota_mb"' in page, "a top-up needs no catalog"
    assert 'name="plan_code"' not in page
    assert "The plan of this SIM cannot be changed right now." in page
