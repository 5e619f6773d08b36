"""{% site_header %}: kept per shape, filled per request with the request's own token, page and email."""
import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def header(response) -> str:
    return re.search(r'<header class="site-header">.*?</header>', response.content.decode(), re.S).group(0)


def test_each_signed_in_user_gets_their_own_email_token_and_return_path(customer_user, make_user):
    bob = make_user(email="bob<&>@example.com")
    alice_client, bob_client = Client(), Client()
    alice_client.force_login(customer_user)
    bob_client.force_login(bob)

    alice = header(alice_client.get("/billing/invoices/?page=2"))
    bob_page = bob_client.get("/account/")
    bobs = header(bob_page)

    assert customer_user.email in alice and "bob" not in alice
    assert "bob&lt;&amp;&gt;@example.com" in bobs and customer_user.email not in bobs  # escaped
    assert 'name="next" value="/billing/invoices/?page=2"' in alice and 'name="next" value="/account/"' in bobs
    assert "\ue000" not in alice + bobs
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', bobs)
    assert len(tokens) == 2 and tokens[0] != re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', alice)[0]
    # Bob's own token signs him out: it belongs to his CSRF cookie.
    bob_client.handler.enforce_csrf_checks = True
    assert bob_client.post("/logout/", {"csrfmiddlewaretoken": tokens[1]}).status_code == 302


def test_the_current_section_is_marked_and_the_language_follows_the_request(customer_client):
    billing = header(customer_client.get("/billing/invoices/"))
    assert re.search(r'<a href="/billing/invoices/" aria-current="page">', billing)
    assert billing.count('aria-current="page"') == 1
    dashboard = header(customer_client.get("/"))
    assert re.search(r'<a href="/" aria-current="page">', dashboard)

    customer_client.post("/i18n/setlang/", {"language": "ja", "next": "/"})
    japanese = header(customer_client.get("/"))
    assert "ログアウト" in japanese and "Sign out" not in japanese


def test_a_signed_out_page_has_the_switcher_and_no_navigation(client):
    anonymous = header(client.get("/login/"))
    assert 'class="language-switcher' in anonymous and "main-nav" not in anonymous
    assert re.search(r'name="csrfmiddlewaretoken" value="[^"\ue000]+"', anonymous)
