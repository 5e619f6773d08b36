"""Every customer page needs a signed-in user; the admin needs staff."""
import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

CUSTOMER_PAGES = [
    "/",
    "/billing/invoices/",
    "/billing/payment-methods/",
    "/subscriptions/",
    "/catalog/",
    "/orders/",
    "/sims/",
    "/account/",
    "/account/password/",
]
PUBLIC_PAGES = ["/login/", "/password-reset/", "/password-reset/sent/", "/password-reset/complete/", "/healthz"]


@pytest.mark.parametrize("path", CUSTOMER_PAGES)
def test_customer_pages_send_anonymous_visitors_to_sign_in(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={path}"


@pytest.mark.parametrize("path", CUSTOMER_PAGES)
def test_customer_pages_open_for_a_signed_in_customer(customer_client, path):
    response = customer_client.get(path)

    assert response.status_code == 200
    assert b'<nav class="main-nav" aria-label="Main">' in response.content


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_need_no_sign_in(client, path):
    assert client.get(path).status_code == 200


def test_navigation_marks_the_current_section(customer_client):
    page = customer_client.get("/billing/invoices/").content.decode()

    assert '<a href="/billing/invoices/" aria-current="page">Billing</a>' in page
    assert '<a href="/" aria-current="page">' not in page
    for label in ("Dashboard", "Billing", "Subscriptions", "Catalog", "Orders", "SIMs", "Account"):
        assert f">{label}</a>" in page


def test_a_user_not_linked_to_a_customer_gets_an_explanation(client, make_user):
    client.force_login(make_user(email="new@example.com"))

    for path in ("/", "/account/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Your account is not linked yet" in response.content.decode()


def test_anonymous_visitors_reach_the_admin_sign_in_only(client):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_customer_cannot_use_the_admin(customer_client):
    response = customer_client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0].startswith("/admin/login/")
    assert "You are authenticated as alice@example.com, but are not authorized" in response.content.decode()
    assert customer_client.get("/admin/accounts/customer/").status_code == 302


def test_staff_manage_customers_in_the_admin_with_search_and_filters(client, staff_user, customer_user):
    client.force_login(staff_user)

    assert client.get("/admin/").status_code == 200
    found = client.get("/admin/accounts/customer/", {"q": "1001"})
    assert found.status_code == 200
    assert "alice@example.com" in found.content.decode()
    missing = client.get("/admin/accounts/customer/", {"q": "nobody"})
    assert "alice@example.com" not in missing.content.decode()
    unlinked = client.get("/admin/accounts/user/", {"linked": "no"}).content.decode()
    assert "staff@example.com" in unlinked and "alice@example.com" not in unlinked
    change = client.get(f"/admin/accounts/customer/{customer_user.customer.pk}/change/")
    assert change.status_code == 200


def test_admin_validates_the_salesforce_account_id(client, staff_user, customer_user):
    client.force_login(staff_user)
    url = f"/admin/accounts/customer/{customer_user.customer.pk}/change/"

    response = client.post(
        url, {"user": customer_user.pk, "salesforce_account_id": "001' OR Id != '", "whmcs_client_id": 1001}
    )

    assert response.status_code == 200
    assert "Not a Salesforce id" in response.content.decode()
    customer_user.customer.refresh_from_db()
    assert customer_user.customer.salesforce_account_id == "001Dn00000AliceIAB"


def test_admin_stores_a_15_character_account_id_in_its_18_character_form(client, staff_user, customer_user):
    client.force_login(staff_user)
    url = f"/admin/accounts/customer/{customer_user.customer.pk}/change/"

    form = {"user": customer_user.pk, "salesforce_account_id": "001Dn00000Alice", "whmcs_client_id": 1001}
    response = client.post(url, form)

    assert response.status_code == 302
    customer_user.customer.refresh_from_db()
    assert customer_user.customer.salesforce_account_id == "001Dn00000AliceIAB"
