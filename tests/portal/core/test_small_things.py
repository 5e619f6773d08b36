"""The small things of issue 18: a favicon for every page, a friendly GET /logout/, and the admin
linking the sandbox's operator pages, shown in the admin's own layout."""
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_our_icon():
    response = Client().get("/favicon.ico")

    assert response.status_code == 301 and response["Location"].endswith("/favicon.svg")


def test_get_logout_signed_out_says_so_with_a_way_back_in():
    response = Client().get("/logout/")

    assert response.status_code == 200
    assert "You are signed out" in response.content.decode() and 'href="/login/"' in response.content.decode()


def test_the_admin_links_the_sandbox_operator_pages_in_the_admins_layout(client, staff_user):
    client.force_login(staff_user)

    index = client.get("/admin/").content.decode()
    orders = client.get("/admin/sandbox/orders/")

    assert 'id="sandbox-pages"' in index and 'href="/admin/sandbox/orders/"' in index
    page = orders.content.decode()
    assert orders.status_code == 200
    assert 'class="breadcrumbs"' in page and "Customer Portal administration" in page  # the admin's frame
    assert 'class="site-header"' not in page  # not the customer layout
