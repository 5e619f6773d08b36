"""A signed-in user with no Customer link (staff, or a customer not linked yet) is a normal state:
every customer page explains it, every API endpoint answers a clear 403 in the API's error shape,
nothing is a 5xx, and no provider is asked about anyone's data. Routes walked from ``portal.urls``.
"""
import pytest

from tests.security.conftest import ALICE
from tests.security.routes import all_routes, sample_url
from tests.security.test_object_access import METHODS, OWNED, alices_own_id, send

pytestmark = pytest.mark.django_db(transaction=True)  # the top-up API runs outside ATOMIC_REQUESTS

NOT_CUSTOMER_PAGES = {
    "login": "sign-in (a signed-in user is sent on to the dashboard)",
    "logout": "sign-out",
    "second_factor": "the sign-in's second step, before any customer",
    "accounts:start": "where a user with no customer chooses to link one or become one",
    "accounts:link": "linking one's customer: for users with none yet",
    "accounts:link_code": "linking one's customer: for users with none yet",
    "accounts:link_code_verify": "linking one's customer: for users with none yet",
    "accounts:new_customer": "becoming a new customer: for users with none yet",
    "accounts:new_customer_status": "becoming a new customer: for users with none yet",
    "accounts:two_factor": "a second factor protects the sign-in, customer or not",
    "accounts:recovery_codes": "a second factor protects the sign-in, customer or not",
    "accounts:two_factor_off": "a second factor protects the sign-in, customer or not",
    "signup": "signing up is for people not signed in (a signed-in user is sent on)",
    "signup_verify": "signing up is for people not signed in",
    "signup_resend": "signing up is for people not signed in",
    "signup_details": "signing up is for people not signed in",
    "password_reset": "password reset needs no customer",
    "password_reset_done": "password reset needs no customer",
    "password_reset_confirm": "password reset needs no customer",
    "password_reset_complete": "password reset needs no customer",
    "accounts:password_change": "changing one's password needs no customer",
    "accounts:email_change": "changing one's sign-in email needs no customer",
    "email_change_confirm": "the link from the new address: its signed token is the authority",
    "set_language": "choosing a language needs no customer",
    "favicon": "the site's icon",
    "healthz": "health check",
    "readyz": "health check",
    "catalog:index": "the catalog is the same for everyone",
    "catalog:product": "the catalog is the same for everyone",
    "webhooks:whmcs": "signed provider webhooks, no session",
    "api-schema": "the API's description",
    "api-docs": "the API's description",
}
UNLINKED_PAGE = "Your account is not linked yet"
UNLINKED_API = "Your sign-in is not linked to a customer account yet. Please contact support."


def test_every_route_is_placed():
    names = {route.name for route in all_routes() if not route.is_admin}
    assert set(NOT_CUSTOMER_PAGES) <= names, set(NOT_CUSTOMER_PAGES) - names


def test_every_customer_page_and_api_endpoint_explains_the_missing_link(providers, wire, unlinked):
    alices = {param: alices_own_id(kind, providers) for param, kind in OWNED.items()}
    checked = 0
    # The routes that need no customer go last: signing out would end the walk early.
    for route in sorted(all_routes(), key=lambda route: route.name in NOT_CUSTOMER_PAGES):
        if route.is_admin:
            continue
        values = {param: alices[param] for param in route.params if param in OWNED}
        for method in METHODS:
            if route.params and set(route.params) <= set(OWNED):
                responses = send(unlinked, route, method, *values.values())
            else:
                path = sample_url(route)
                responses = [unlinked.get(path) if method == "get" else unlinked.post(path, {})]
            for response in responses:
                what = (str(route), method, response.status_code)
                assert response.status_code < 500, what
                if route.name in NOT_CUSTOMER_PAGES:
                    continue
                if route.is_api:
                    assert response.status_code == 403, what
                    assert response.json() == {"message": UNLINKED_API, "extra": {}}, what
                elif response.status_code != 405:  # a POST-only action asked with GET
                    assert response.status_code in (200, 403), what
                    assert UNLINKED_PAGE in response.content.decode(), what
                checked += 1

    assert checked > 30
    assert providers.whmcs.calls() == 0 and providers.freebit.calls() == 0, (
        providers.whmcs.stats()["calls"], providers.freebit.stats()["calls"])
    assert providers.write_calls() == {}
    assert all(ALICE.salesforce_account_id not in soql for soql in wire.soql())  # only the catalog was read
