"""Whose object is it: Alice, signed in, asks for each of Bob's invoices, subscriptions, orders,
SIMs and support cases through every page and API route that takes such an id (walked from ``portal.urls``, so a new
route is covered the day it is added), with GET and POST. Each answer is a plain 404, never a 403
or a 5xx, shows nothing of Bob's, and no provider is asked to change anything. The same routes
answer Alice's own ids (the 404 is the ownership check, not a broken route), and nonexistent and
malformed ids are a 404 too.
"""
from __future__ import annotations

import json
import uuid
from collections import defaultdict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from domain.shared.salesforce_id import to_18
from sandbox.whmcs import DEMO_SIMS
from tests.security.conftest import ALICE, BOB, case_ids, iccids, invoice_ids, order_ids, service_ids
from tests.security.routes import Route, all_routes

# The top-up views run outside ATOMIC_REQUESTS, and DRF marks the surrounding transaction for rollback
# when it answers an error: these tests commit for real (and the database is flushed after each).
pytestmark = pytest.mark.django_db(transaction=True)

OWNED = {"invoice_id": "invoice", "service_id": "subscription", "order_id": "order", "iccid": "sim",
         "case_id": "case"}
"""URL parameters naming an object that belongs to one customer, and the kind of object."""
NOT_A_CUSTOMERS_OBJECT = {
    "product_id": "a catalog product: one catalog for every customer",
    "uidb64": "a password-reset link: a signed token checked by Django",
    "token": "a password-reset or sign-in email change link: a signed token checked by Django",
}
"""URL parameters that take an id, but not of something a customer owns (and why)."""

METHODS = ("get", "post")
NOT_FOUND_API = {"message": "Not found.", "extra": {}}
NOT_FOUND_PAGE = "We can't find that page"
MULTIPART = {"api-case-attachments"}
"""API routes that take a file (multipart), not JSON."""
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("screen.png", PNG, "image/png")


def post_bodies(route: Route) -> list[dict]:
    """What a POST to ``route`` carries: a well-formed request, so only the id can be refused."""
    bodies = {
        "sim:topup": [{"quota_mb": "1024", "request_id": str(uuid.uuid4())},  # the quote
                      {"quota_mb": "1024", "request_id": str(uuid.uuid4()), "confirm": "True"}],
        "sim:plan": [{"plan_code": "MOB-VOICE-5G", "when": "next_month", "request_id": str(uuid.uuid4())}],  # price
        "sim:plan_cancel": [{"request_id": str(uuid.uuid4())}],
        "api-sim-topup": [{"quota_mb": 1024, "request_id": str(uuid.uuid4())}],
        "api-sim-plan": [{"plan_code": "MOB-VOICE-5G", "immediate": False, "request_id": str(uuid.uuid4())}],
        "api-sim-plan-quote": [{"plan_code": "MOB-VOICE-5G", "immediate": False}],
        "api-sim-plan-cancel": [{}],  # the SIM's waiting change: the one api-sim-plan books just before
        "api-sim-voice-options": [{"request_id": str(uuid.uuid4()), "voice_options": {"Voicemail": True}}],
        "api-sim-network": [{"request_id": str(uuid.uuid4()), "network": "5G"}],
        "api-sim-esim-reissue": [{"request_id": str(uuid.uuid4()), "eid": "89049032" + "0" * 24}],
        "api-sim-cancellation": [{"request_id": str(uuid.uuid4()), "end_date": "2099-12-31"}],
        "api-subscription-cancellation": [{"request_id": str(uuid.uuid4()), "end_date": "2099-12-31"}],
        "support:comment": [{"request_id": str(uuid.uuid4()), "body": "Any news?"}],
        "support:attach": [{"request_id": str(uuid.uuid4()), "file": _png()}],
        "api-case-comments": [{"request_id": str(uuid.uuid4()), "body": "Any news?"}],
        "api-case-attachments": [{"request_id": str(uuid.uuid4()), "file": _png()}],
    }
    return bodies.get(route.name, [{}])


def send(browser: Client, route: Route, method: str, value) -> list:
    (param,) = route.params
    path = route.url(**{param: value})
    if method == "get":
        return [browser.get(path)]
    if route.is_api and route.name not in MULTIPART:
        return [browser.post(path, json.dumps(body), content_type="application/json") for body in post_bodies(route)]
    return [browser.post(path, body) for body in post_bodies(route)]


def refused_on_its_merits(route: Route, response) -> bool:
    """A SIM action the SIM cannot take just now (its line locked by the network switch asked a
    moment before, no eSIM to reissue, an end date the rules do not allow): the view was reached
    and answered about the action, not about whose SIM it is."""
    if route.name in ("api-sim-cancellation-withdraw", "api-subscription-cancellation-withdraw"):
        return response.status_code == 409  # nothing waiting to be withdrawn
    if not (route.is_api and route.name in SIM_ACTIONS and response.status_code == 400):
        return False
    return set(response.json()["extra"].get("fields", {})) <= {"action", "voice", "network", "end_date", "eid"}


SIM_ACTIONS = {"api-sim-voice-options", "api-sim-network", "api-sim-esim-reissue", "api-sim-cancellation",
               "api-sim-cancellation-withdraw", "api-subscription-cancellation"}


def customer_routes() -> list[Route]:
    return [route for route in all_routes() if not route.is_admin]


def routes_taking(param: str) -> list[Route]:
    return [route for route in customer_routes() if param in route.params]


def test_every_route_that_takes_an_id_is_known():
    """A new route with an id parameter must be placed here: an owned object (then every test below
    covers it) or explicitly not a customer's object."""
    unknown = [f"{route} takes {param!r}" for route in customer_routes() for param in route.params
               if param not in OWNED and param not in NOT_A_CUSTOMERS_OBJECT]
    assert unknown == [], "place these parameters in OWNED or NOT_A_CUSTOMERS_OBJECT"
    several = [str(route) for route in customer_routes() if len([p for p in route.params if p in OWNED]) > 1]
    assert several == [], "a route taking two owned ids needs its own test"
    for param in OWNED:
        assert routes_taking(param), f"no route takes {param} any more: update OWNED"


# -- whose ids ------------------------------------------------------------------------------------


def owned_ids(kind: str, customer, providers) -> list:
    if kind == "invoice":
        return invoice_ids(providers.whmcs, customer)
    if kind == "subscription":
        return service_ids(providers.whmcs, customer)
    if kind == "order":
        found = order_ids(providers.salesforce, customer)
        return found + [order_id[:15] for order_id in found]  # the case-sensitive 15-character form too
    if kind == "case":
        found = case_ids(providers.salesforce, customer)
        return found + [case_id[:15] for case_id in found]
    return iccids(customer)


def alices_own_id(kind: str, providers):
    if kind == "invoice":  # an unpaid one, so Pay has something to pay
        store = providers.whmcs.store
        return next(i.id for i in sorted(store.invoices.values(), key=lambda i: i.id)
                    if i.userid == ALICE.whmcs_client_id and i.status == "Unpaid")
    if kind == "sim":  # an active voice SIM, so a top-up and a plan change go through
        return next(sim.iccid for sim in DEMO_SIMS if sim.service_id == 12)
    if kind == "case":  # an open one, so a reply and a file go through
        return next(case_id for case_id in case_ids(providers.salesforce, ALICE)
                    if not providers.salesforce.store.get("Case", case_id)["IsClosed"])
    return owned_ids(kind, ALICE, providers)[0]


def bobs_markers(providers) -> list[str]:
    """Strings only Bob's data holds: none may appear in what Alice gets."""
    markers = [BOB.last_name, BOB.email]
    for sim in DEMO_SIMS:
        if sim.client_id == BOB.whmcs_client_id:
            markers += [sim.msisdn, f"{sim.msisdn[:3]}-{sim.msisdn[3:7]}-{sim.msisdn[7:]}"]
    markers += [o["OrderNumber"] for o in providers.salesforce.store.rows("Order")
                if o["AccountId"] == BOB.salesforce_account_id]
    markers += [text for c in providers.salesforce.store.rows("Case") if c["AccountId"] == BOB.salesforce_account_id
                for text in (c["CaseNumber"], c["Subject"])]
    return markers


def assert_plain_not_found(route: Route, response, markers: list[str], what) -> None:
    assert response.status_code == 404, (str(route), what, response.status_code, response.content[:300])
    text = response.content.decode()
    if route.is_api:
        assert response.json() == NOT_FOUND_API, (str(route), what)
    else:
        assert NOT_FOUND_PAGE in text, (str(route), what)
    leaked = [marker for marker in markers if marker in text]
    assert leaked == [], (str(route), what, leaked)


@pytest.mark.parametrize("param", sorted(OWNED))
def test_another_customers_ids_are_a_404_on_every_route(providers, wire, alice, bob, param):
    kind = OWNED[param]
    routes = routes_taking(param)
    foreign = owned_ids(kind, BOB, providers)
    assert foreign, f"the seed gives Bob no {kind}"
    markers = bobs_markers(providers)
    # Bob looks at his own first: his data is in the cache when Alice asks.
    for route in routes:
        for value in foreign:
            if route.name in ("billing:invoice", "billing:subscription", "orders:detail", "sim:detail",
                              "support:detail"):
                assert bob.get(route.url(**{param: value})).status_code == 200, (str(route), value)
    providers.reset_stats()
    wire.clear()

    answered: dict[tuple[str, str], set[int]] = defaultdict(set)
    for route in routes:
        for method in METHODS:
            for value in foreign:
                for response in send(alice, route, method, value):
                    answered[(route.name, method)].add(response.status_code)
                    if response.status_code != 405:
                        assert_plain_not_found(route, response, markers, (method, value))

    assert providers.write_calls() == {}
    if kind == "sim":
        assert providers.freebit.calls() == 0  # ownership is settled from WHMCS before Freebit is asked
    if kind in ("order", "case"):  # Bob's ids did reach Salesforce, but only in queries scoped to Alice's Account
        asked = [soql for soql in wire.soql() if any(value[:15] in soql for value in foreign)]
        assert asked
        for soql in asked:
            assert f"AccountId = '{ALICE.salesforce_account_id}'" in soql, soql
            assert "FROM OrderItem" not in soql, soql

    # The same routes and methods serve Alice's own id: the 404 above was about whose it is.
    own = alices_own_id(kind, providers)
    for route in routes:
        checked = False
        for method in METHODS:
            statuses = answered[(route.name, method)]
            own_responses = send(alice, route, method, own)
            own_statuses = {r.status_code for r in own_responses}
            if statuses == {405}:
                assert own_statuses == {405}, (str(route), method, own_statuses)
                continue
            assert statuses == {404}, (str(route), method, statuses)
            assert all(200 <= r.status_code < 400 or refused_on_its_merits(route, r) for r in own_responses), (
                str(route), method, own_statuses)
            checked = True
        assert checked, f"{route} answered 405 to every method tried: give it a request that reaches the view"


def bad_ids(kind: str, providers) -> dict[str, object]:
    hostile = {
        "sql": "1' OR '1'='1",
        "soql": "' OR Id != '",
        "whmcs-params": "1&action=DeleteClient&clientid=1002",
        "newline": "1\nGetInvoices",
        "markup": "<script>alert(1)</script>",
        "traversal": "../../etc/passwd",
        "dots": "..",
        "nul": "1\x00",
        "unicode": "１２",
        "long": "9" * 300,
        "empty-ish": " ",
    }
    if kind in ("invoice", "subscription"):
        return {**hostile, "zero": 0, "unknown": 987654, "huge": 10**20, "negative": -1, "float": "1.5"}
    if kind == "order":
        bobs = order_ids(providers.salesforce, BOB)[0]
        return {**hostile, "unknown": to_18("801Dn00000ZZZZZ"), "account-id": ALICE.salesforce_account_id,
                "case-changed": bobs.swapcase(), "truncated": bobs[:14], "too-long": bobs + "A",
                "with-quote": bobs[:15] + "'", "percent": "801%"}
    if kind == "case":
        bobs = case_ids(providers.salesforce, BOB)[0]
        return {**hostile, "unknown": to_18("500Dn00000ZZZZZ"), "account-id": ALICE.salesforce_account_id,
                "an-order": order_ids(providers.salesforce, ALICE)[0], "case-changed": bobs.swapcase(),
                "truncated": bobs[:14], "too-long": bobs + "A", "with-quote": bobs[:15] + "'", "percent": "500%"}
    alices = alices_own_id("sim", providers)
    return {**hostile, "unknown": alices[:-4] + "9990",
            "bad-check-digit": alices[:-1] + str((int(alices[-1]) + 1) % 10),
            "too-short": alices[:12], "letters": "8981abc0000010011234", "unicode-digits": "٨٩٨١١٠٠٠٠٠٠٠١٠٠١١٢٤"}


@pytest.mark.parametrize("param", sorted(OWNED))
def test_nonexistent_and_malformed_ids_are_a_404_on_every_route(providers, wire, alice, param):
    kind = OWNED[param]
    for route in routes_taking(param):
        for method in METHODS:
            for name, value in bad_ids(kind, providers).items():
                for response in send(alice, route, method, value):
                    assert response.status_code in (404, 405), (str(route), method, name, response.status_code,
                                                                response.content[:300])
                    if response.status_code == 404:
                        assert_plain_not_found(route, response, [], (method, name))

    assert providers.write_calls() == {}
    assert [body for _, body in wire.freebit_calls()] == []
    for soql in wire.soql():  # only well-formed ids reach Salesforce, and only scoped to Alice's Account
        assert "FROM OrderItem" not in soql, soql
        if " FROM Order " in soql or " FROM Case " in soql:
            assert f"AccountId = '{ALICE.salesforce_account_id}'" in soql, soql
        for fragment in ("OR '", "OR Id", "<script", "\n", "..", "%"):
            assert fragment not in soql, soql


def test_staff_only_routes_send_a_customer_to_the_admin_sign_in(providers, alice):
    """The admin (and the demo's staff page) is walked too: a signed-in customer reaches none of it."""
    from tests.security.routes import sample_url

    for route in all_routes():
        if not (route.is_admin or route.name == "sandbox-orders"):
            continue
        response = alice.get(sample_url(route))
        if route.name == "admin-login":  # the sign-in form itself, saying this user may not go further
            assert response.status_code == 200
            assert "but are not authorized to access this page" in response.content.decode()
            continue
        assert response.status_code in (302, 404), (str(route), response.status_code)
        if response.status_code == 302:
            location = response["Location"]
            assert location.startswith("/admin/login/") or location == "/admin/", (str(route), location)
    assert providers.write_calls() == {}
