"""A compromised (or broken) provider answer: what a provider says is validated and scoped before a
customer sees it. Answers are tampered with at the HTTP boundary: the emulators' own settings and
data, or ``responses`` relaying each call to the real emulator and editing what comes back.
"""
from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import parse_qs, urlencode

import pytest
import responses

from tests.security.conftest import ALICE, BOB, iccids, service_ids

pytestmark = pytest.mark.django_db

MARKUP = '<script>alert("owned")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def whmcs_linking_elsewhere():
    """A WHMCS whose single sign-on links point at another site (a tampered System URL)."""
    from sandbox.whmcs import start_whmcs_sandbox

    handle = start_whmcs_sandbox(env={}, seed=7, public_url="https://evil.example")
    yield handle
    handle.stop()


def test_a_payment_link_to_another_site_is_not_followed(settings, whmcs_linking_elsewhere, alice, caplog):
    settings.WHMCS_API_URL = whmcs_linking_elsewhere.url + "/includes/api.php"
    settings.WHMCS_API_IDENTIFIER = whmcs_linking_elsewhere.app.config.identifier
    settings.WHMCS_API_SECRET = whmcs_linking_elsewhere.app.config.secret
    invoice = next(i.id for i in whmcs_linking_elsewhere.app.store.invoices.values()
                   if i.userid == ALICE.whmcs_client_id and i.status == "Unpaid")

    response = alice.post(f"/billing/invoices/{invoice}/pay/")

    assert response.status_code == 503  # the friendly "temporarily unavailable" page
    assert "evil.example" not in response.get("Location", "") + response.content.decode()
    assert "payment link for invoice" in caplog.text and "to another site (https://evil.example)" in caplog.text


def test_the_payment_link_of_the_real_whmcs_is_followed(providers, alice):
    """The control: the same request against a WHMCS linking to itself lands there."""
    invoice = next(i.id for i in providers.whmcs.store.invoices.values()
                   if i.userid == ALICE.whmcs_client_id and i.status == "Unpaid")

    response = alice.post(f"/billing/invoices/{invoice}/pay/")

    assert response.status_code == 302
    assert response["Location"].startswith(providers.whmcs.url + "/oauth/singlesignon.php?access_token=")


def test_markup_in_provider_data_is_shown_as_text(providers, alice):
    store = providers.whmcs.store
    invoice = next(i for i in store.invoices.values() if i.userid == ALICE.whmcs_client_id and i.items)
    invoice.items[0].description = MARKUP
    product = next(p for p in providers.salesforce.store.rows("Product2") if p["Portal_Catalog__c"] and p["IsActive"])
    product["Name"] = product["Description"] = MARKUP

    pages = [alice.get(f"/billing/invoices/{invoice.id}/"), alice.get("/catalog/"),
             alice.get(f"/catalog/{product['Id']}/")]

    escaped = "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;"
    for page in pages:
        assert page.status_code == 200
        text = page.content.decode()
        assert "<script>alert(" not in text and "<img src=x" not in text
        assert escaped in text
    api = alice.get(f"/api/v1/invoices/{invoice.id}")
    assert api["Content-Type"] == "application/json" and api["X-Content-Type-Options"] == "nosniff"
    assert api.json()["data"]["items"][0]["description"] == MARKUP  # data, for the client to escape


@pytest.fixture
def whmcs_answering_for_everyone(providers):
    """WHMCS answers Alice's list calls with Bob's records mixed in, as a WHMCS ignoring the client
    filter would (GetClientsProducts without ``clientid`` answers every client's products)."""
    api_url = providers.whmcs.url + "/includes/api.php"

    def relay(fields: dict) -> dict:
        # urllib, not requests: ``responses`` intercepts requests, and this is the relay to the emulator
        request = urllib.request.Request(api_url, data=urlencode(fields, doseq=True).encode(),  # noqa: S310
                                         method="POST")
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - the local emulator
            return json.loads(answer.read())

    def tampered(request):
        fields = parse_qs(request.body, keep_blank_values=True)
        answer = relay(fields)
        action = fields["action"][0]
        alices = str(ALICE.whmcs_client_id)
        if action == "GetClientsProducts" and fields.get("clientid") == [alices]:
            bobs = relay({**fields, "clientid": [str(BOB.whmcs_client_id)]})
            if "serviceid" not in fields:
                answer["products"]["product"] += bobs["products"]["product"]
            else:  # asked for one service: answer Bob's service of that id too
                answer["products"] = answer.get("products") or {"product": []}
                answer["products"]["product"] += (bobs.get("products") or {"product": []})["product"]
            answer["totalresults"] = answer["numreturned"] = len(answer["products"]["product"])
        if action == "GetInvoices" and fields.get("userid") == [alices]:
            bobs = relay({**fields, "userid": [str(BOB.whmcs_client_id)]})
            answer["invoices"]["invoice"] += (bobs.get("invoices") or {"invoice": []})["invoice"]
        return 200, {"Content-Type": "application/json"}, json.dumps(answer)

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add_callback(responses.POST, api_url, callback=tampered)
        mock.add_passthru(re.compile(r"http://127\.0\.0\.1:\d+/(?!includes/api\.php).*"))
        for emulator in (providers.salesforce, providers.freebit):
            mock.add_passthru(emulator.url)
        yield


def test_another_clients_records_in_an_answer_are_left_out(whmcs_answering_for_everyone, providers, alice, caplog):
    bobs_services = service_ids(providers.whmcs, BOB)
    [bobs_sim] = iccids(BOB)

    subscriptions = alice.get("/api/v1/subscriptions").json()["data"]
    sims = alice.get("/api/v1/sims").json()["data"]
    invoices = alice.get("/api/v1/invoices").json()["data"]

    assert {s["id"] for s in subscriptions} == set(service_ids(providers.whmcs, ALICE))
    assert bobs_sim not in {s["iccid"] for s in sims} and set(iccids(ALICE)) >= {s["iccid"] for s in sims}
    bobs_invoices = {i.id for i in providers.whmcs.store.invoices.values() if i.userid == BOB.whmcs_client_id}
    assert invoices and not bobs_invoices & {i["id"] for i in invoices}
    # what only Bob's services would grant: his SIM and his subscriptions stay a 404
    assert alice.get(f"/sims/{bobs_sim}/").status_code == 404
    assert alice.get(f"/api/v1/sims/{bobs_sim}/usage").status_code == 404
    for service in bobs_services:
        assert alice.get(f"/subscriptions/{service}/").status_code == 404
    assert "of other clients when asked for client 1001's: left out" in caplog.text


def test_a_broken_answer_shows_a_friendly_page_and_nothing_of_it(providers, alice):
    providers.faults(malformed_rate=1.0, malformed_kind="html")

    for path in ("/billing/invoices/", "/subscriptions/", "/orders/", "/sims/", "/api/v1/invoices"):
        response = alice.get(path)
        assert response.status_code == 503, (path, response.status_code)
        text = response.content.decode()
        assert "Undefined index" not in text and "/var/www/html" not in text and "Traceback" not in text
        assert response["Retry-After"] == "60"
