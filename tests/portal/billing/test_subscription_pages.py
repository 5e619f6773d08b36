"""The subscription pages (/subscriptions/...): WHMCS client products of the signed-in customer."""
import re

import pytest

from tests.portal.billing.conftest import ALICE_CLIENT_ID, BOB_CLIENT_ID

pytestmark = pytest.mark.django_db

LINK = re.compile(r'<th scope="row"><a href="/subscriptions/(\d+)/">([^<]+)</a>')


def test_the_list_shows_every_service_of_the_customer(emulator, customer_client):
    store = emulator.store
    services = emulator.services_of(ALICE_CLIENT_ID)

    response = customer_client.get("/subscriptions/")

    assert response.status_code == 200
    page = response.content.decode()
    assert [(int(i), name) for i, name in LINK.findall(page)] == [
        (s.id, store.products[s.pid].name) for s in services
    ]
    for service in services:
        row = re.search(rf'<a href="/subscriptions/{service.id}/">.*?</tr>', page, re.S)[0]
        tone, words = {"Active": ("ok", "Active"), "Suspended": ("bad", "Suspended"),
                       "Pending": ("wait", "Being set up"), "Cancelled": ("off", "Cancelled"),
                       "Terminated": ("off", "Ended")}[service.status]
        assert f'<span class="badge badge-{tone}">{words}</span>' in row
        assert f"¥{service.recurringamount:,.0f}" in row


def test_the_list_shows_none_of_another_customers_services(emulator, customer_client):
    store = emulator.store
    alices = {store.products[s.pid].name for s in emulator.services_of(ALICE_CLIENT_ID)}
    bobs_only = {store.products[s.pid].name for s in emulator.services_of(BOB_CLIENT_ID)} - alices
    assert bobs_only  # Bob has a plan Alice does not

    page = customer_client.get("/subscriptions/").content.decode()

    shown_ids = {int(i) for i, _ in LINK.findall(page)}
    assert shown_ids == {s.id for s in emulator.services_of(ALICE_CLIENT_ID)}
    for name in bobs_only:
        assert name not in page


def test_the_detail_page_shows_options_and_custom_fields(emulator, customer_client):
    store = emulator.store
    sim = next(s for s in emulator.services_of(ALICE_CLIENT_ID)
               if s.customfields and len(s.configoptions) > 1 and s.status == "Active")
    product = store.products[sim.pid]
    iccid = sim.customfields[next(f.id for f in product.customfields if f.name == "ICCID")]

    response = customer_client.get(f"/subscriptions/{sim.id}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"<h1>{product.name}</h1>" in page
    assert f'<dt>ICCID</dt><dd class="break-anywhere">{iccid}</dd>' in page
    for option in product.configoptions:
        assert f"<dt>{option.name}</dt><dd>{sim.configoptions[option.id]}</dd>" in page
    assert f"<dt>Price</dt><dd>¥{sim.recurringamount:,.0f} (tax incl.)</dd>" in page
    assert f"<dt>Started</dt><dd>{sim.regdate.day} {sim.regdate:%b %Y}</dd>" in page  # "3 Dec 2026"


def test_a_service_without_options_has_no_options_section(emulator, customer_client):
    plain = next(s for s in emulator.services_of(ALICE_CLIENT_ID) if not s.customfields and not s.configoptions)

    page = customer_client.get(f"/subscriptions/{plain.id}/").content.decode()

    assert f"<h1>{emulator.store.products[plain.pid].name}</h1>" in page
    assert "Options</h2>" not in page


def test_another_customers_service_is_not_found(emulator, customer_client):
    store = emulator.store
    bobs = next(s for s in emulator.services_of(BOB_CLIENT_ID) if s.customfields)
    bob_iccid = next(iter(bobs.customfields.values()))

    response = customer_client.get(f"/subscriptions/{bobs.id}/")

    assert response.status_code == 404
    page = response.content.decode()
    assert bob_iccid not in page
    assert store.products[bobs.pid].name not in page


def test_bob_sees_his_own_service(emulator, bob_client):
    bobs = next(s for s in emulator.services_of(BOB_CLIENT_ID) if s.customfields)

    response = bob_client.get(f"/subscriptions/{bobs.id}/")

    assert response.status_code == 200
    assert next(iter(bobs.customfields.values())) in response.content.decode()


def test_a_non_existent_service_is_not_found(emulator, customer_client):
    assert customer_client.get(f"/subscriptions/{max(emulator.store.services) + 500}/").status_code == 404


def test_a_customer_with_no_services_is_pointed_to_the_catalog(emulator, empty_customer_client):
    response = empty_customer_client.get("/subscriptions/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "You have no subscriptions yet." in page
    assert LINK.findall(page) == []


@pytest.mark.parametrize("path", ["/subscriptions/", "/subscriptions/11/"])
def test_a_user_not_linked_to_a_customer_gets_an_explanation(emulator, unlinked_client, path):
    response = unlinked_client.get(path)

    assert response.status_code == 403
    assert "Your account is not linked yet" in response.content.decode()
    assert emulator.calls() == 0
