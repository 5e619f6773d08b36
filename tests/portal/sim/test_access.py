"""Whose SIM is it: another customer's ICCID, an unknown one and a malformed or hostile one are a 404
on every page and API endpoint, and Freebit is never asked about them. Sign-in, linking and CSRF."""
import uuid

import pytest
from django.test import Client

from tests.pages import text_of
from tests.portal.sim.conftest import ALICE_VOICE, BOB_VOICE, UNKNOWN_ICCID

pytestmark = pytest.mark.django_db

# DRF marks the request's transaction for rollback when it answers an error; a non-atomic API view
# (the top-up) then marks the test's own transaction instead, so those tests commit for real.
committing = pytest.mark.django_db(transaction=True)

NOT_MINE = {
    "bobs": BOB_VOICE,
    "unknown": UNKNOWN_ICCID,
    "bad-check-digit": ALICE_VOICE[:-1] + str((int(ALICE_VOICE[-1]) + 1) % 10),
    "too-short": ALICE_VOICE[:12],
    "letters": "8981abc0000010011234",
    "sql": "8981100000001001124' OR '1'='1",
    "markup": "<img src=x onerror=alert(1)>",
    "traversal": "..%5C..%5C..%5Cwin.ini",
    "nul": "8981100000001001124%00",
    "unicode-digits": "٨٩٨١١٠٠٠٠٠٠٠١٠٠١١٢٤",
}


def page_requests(iccid: str):
    request_id = str(uuid.uuid4())
    return [
        ("get", f"/sims/{iccid}/", None),
        ("post", f"/sims/{iccid}/top-up/", {"quota_mb": "1024", "request_id": request_id}),
        ("post", f"/sims/{iccid}/top-up/", {"quota_mb": "1024", "request_id": request_id, "confirm": "True"}),
        ("post", f"/sims/{iccid}/plan/", {"plan_code": "MOB-VOICE-5G", "when": "immediate", "request_id": request_id}),
        ("post", f"/sims/{iccid}/plan/", {"plan_code": "MOB-VOICE-5G", "when": "immediate", "request_id": request_id,
                                          "confirm": "True"}),
        ("post", f"/sims/{iccid}/plan/cancel/", {"request_id": request_id}),
    ]


def api_reads(iccid: str):
    """The API calls answered in a transaction of their own (every one but the top-up and the plan change)."""
    return [
        ("get", f"/api/v1/sims/{iccid}", None),
        ("get", f"/api/v1/sims/{iccid}/usage", None),
        ("post", f"/api/v1/sims/{iccid}/plan/quote", {"plan_code": "MOB-VOICE-5G", "immediate": True}),
        ("get", f"/api/v1/sims/{iccid}/plan-changes", None),
        ("post", f"/api/v1/sims/{iccid}/plan/cancel", {"request_id": str(uuid.uuid4())}),
    ]


def send(browser: Client, method: str, path: str, data, *, api: bool = False):
    if method == "get":
        return browser.get(path)
    if api:
        return browser.post(path, data, content_type="application/json")
    return browser.post(path, data)


@pytest.mark.parametrize("kind", sorted(NOT_MINE))
def test_pages_answer_404_for_a_sim_that_is_not_the_customers(providers, billing, customer_client, kind):
    iccid = NOT_MINE[kind]

    for method, path, data in page_requests(iccid):
        response = send(customer_client, method, path, data)
        assert response.status_code == 404, (kind, method, path, response.status_code)
        assert "Traceback" not in text_of(response)

    assert providers.calls() == 0, providers.stats()["calls"]
    assert billing.calls("CreateInvoice") == 0 and billing.calls("CapturePayment") == 0
    assert billing.calls("UpgradeProduct") == 0


@pytest.mark.parametrize("kind", sorted(NOT_MINE))
def test_the_api_answers_404_for_a_sim_that_is_not_the_customers(providers, customer_client, kind):
    iccid = NOT_MINE[kind]

    for method, path, data in api_reads(iccid):
        response = send(customer_client, method, path, data, api=True)
        assert response.status_code == 404, (kind, method, path, response.status_code, response.content[:200])
        assert response.json() == {"message": "Not found.", "extra": {}}

    assert providers.calls() == 0, providers.stats()["calls"]


@committing
def test_the_top_up_api_answers_404_for_a_sim_that_is_not_the_customers(providers, billing, customer_client):
    for kind, iccid in sorted(NOT_MINE.items()):
        response = send(customer_client, "post", f"/api/v1/sims/{iccid}/top-up",
                        {"quota_mb": 1024, "request_id": str(uuid.uuid4())}, api=True)
        assert response.status_code == 404, (kind, response.status_code, response.content[:200])
        assert response.json() == {"message": "Not found.", "extra": {}}

    assert providers.calls() == 0, providers.stats()["calls"]
    assert billing.calls("CreateInvoice") == 0


@committing
def test_the_plan_change_api_answers_404_for_a_sim_that_is_not_the_customers(providers, billing, customer_client):
    for kind, iccid in sorted(NOT_MINE.items()):
        response = send(customer_client, "post", f"/api/v1/sims/{iccid}/plan",
                        {"plan_code": "MOB-VOICE-5G", "immediate": True, "request_id": str(uuid.uuid4())}, api=True)
        assert response.status_code == 404, (kind, response.status_code, response.content[:200])
        assert response.json() == {"message": "Not found.", "extra": {}}

    assert providers.calls() == 0
    assert billing.calls("UpgradeProduct") == billing.calls("UpgradeProduct (calconly)") == 0


def test_bob_cannot_see_alices_sim_but_sees_his_own(providers, bob_client):
    assert bob_client.get(f"/sims/{ALICE_VOICE}/").status_code == 404
    assert bob_client.get(f"/api/v1/sims/{ALICE_VOICE}/usage").status_code == 404
    assert providers.calls() == 0

    assert bob_client.get(f"/sims/{BOB_VOICE}/").status_code == 200
    assert bob_client.get(f"/api/v1/sims/{BOB_VOICE}").json()["data"]["iccid"] == BOB_VOICE


def test_a_top_up_form_of_a_malformed_iccid_is_not_charged(providers, billing, customer_client):
    response = customer_client.post("/sims/not-a-sim/top-up/", {"quota_mb": "1024", "request_id": str(uuid.uuid4()),
                                                               "confirm": "True"})

    assert response.status_code == 404
    assert billing.calls("CreateInvoice") == 0 and providers.calls() == 0


@pytest.mark.parametrize("path", ["/sims/", f"/sims/{ALICE_VOICE}/"])
def test_anonymous_visitors_are_sent_to_sign_in(providers, client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    assert providers.calls() == 0


@pytest.mark.parametrize("path", ["/api/v1/sims", f"/api/v1/sims/{ALICE_VOICE}", f"/api/v1/sims/{ALICE_VOICE}/usage"])
def test_anonymous_api_callers_are_refused_without_a_redirect(providers, client, path):
    response = client.get(path)

    assert response.status_code == 403
    assert providers.calls() == 0


@pytest.mark.parametrize("path", ["/sims/", f"/sims/{ALICE_VOICE}/"])
def test_a_user_not_linked_to_a_customer_gets_a_403_explanation(providers, unlinked_client, path):
    response = unlinked_client.get(path)

    assert response.status_code == 403
    assert "Your account is not linked yet" in text_of(response)
    assert providers.calls() == 0


@committing
def test_an_unlinked_user_gets_403_from_the_api_with_a_message(providers, unlinked_client):
    for path in ("/api/v1/sims", f"/api/v1/sims/{ALICE_VOICE}"):
        response = unlinked_client.get(path)
        assert response.status_code == 403
        assert "not linked to a customer account" in response.json()["message"]
    body = {"quota_mb": 1024, "request_id": str(uuid.uuid4())}
    response = unlinked_client.post(f"/api/v1/sims/{ALICE_VOICE}/top-up", body, content_type="application/json")
    assert response.status_code == 403
    assert providers.calls() == 0


@pytest.fixture
def csrf_browser(customer_user) -> Client:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(customer_user)
    return browser


def test_page_posts_without_a_csrf_token_are_refused(providers, billing, csrf_browser):
    request_id = str(uuid.uuid4())
    for path, data in ((f"/sims/{ALICE_VOICE}/top-up/", {"quota_mb": "1024", "request_id": request_id,
                                                         "confirm": "True"}),
                       (f"/sims/{ALICE_VOICE}/plan/", {"plan_code": "MOB-VOICE-5G", "when": "immediate"})):
        assert csrf_browser.post(path, data).status_code == 403

    assert billing.calls("CreateInvoice") == 0
    assert providers.calls("PA04-04") == 0 and providers.calls("PA05-21") == 0


@committing
def test_api_posts_without_a_csrf_token_are_refused(providers, billing, csrf_browser):
    for path, data in ((f"/api/v1/sims/{ALICE_VOICE}/top-up", {"quota_mb": 1024, "request_id": str(uuid.uuid4())}),
                       (f"/api/v1/sims/{ALICE_VOICE}/plan", {"plan_code": "MOB-VOICE-5G", "immediate": True})):
        response = csrf_browser.post(path, data, content_type="application/json")
        assert response.status_code == 403
        assert "CSRF" in response.json()["message"]

    assert billing.calls("CreateInvoice") == 0
    assert providers.calls("PA04-04") == 0 and providers.calls("PA05-21") == 0


def test_the_sim_pages_answer_post_only_where_they_change_something(providers, customer_client):
    assert customer_client.get(f"/sims/{ALICE_VOICE}/top-up/").status_code == 405
    assert customer_client.get(f"/sims/{ALICE_VOICE}/plan/").status_code == 405
