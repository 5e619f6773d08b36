"""The portal in English and Japanese: the first visit follows Accept-Language, the switcher's
choice is kept (in a cookie, and on the user when signed in), and the pages are in that language."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


def test_a_first_visit_is_answered_in_the_browsers_language():
    english = Client().get(reverse("login"))
    japanese = Client(headers={"accept-language": "ja-JP,ja;q=0.9,en;q=0.5"}).get(reverse("login"))

    assert html_lang(english) == "en" and "<h1 id=\"signin-heading\">Sign in</h1>" in english.content.decode()
    assert html_lang(japanese) == "ja" and "<h1 id=\"signin-heading\">ログイン</h1>" in japanese.content.decode()
    assert japanese["Content-Language"] == "ja"


def test_an_unknown_language_falls_back_to_english():
    response = Client(headers={"accept-language": "xx"}).get(reverse("login"))

    assert html_lang(response) == "en"


def test_every_page_has_the_switcher_signed_out_too():
    page = Client().get(reverse("login")).content.decode()

    assert f'action="{reverse("set_language")}"' in page
    assert '<button type="submit" name="language" value="ja" lang="ja"' in page and "日本語" in page


def test_the_switcher_keeps_the_choice_in_a_cookie_and_goes_back():
    browser = Client()

    response = browser.post(reverse("set_language"), {"language": "ja", "next": "/password-reset/"})

    assert response.status_code == 302 and response["Location"] == "/password-reset/"
    assert browser.cookies["django_language"].value == "ja"
    assert html_lang(browser.get("/password-reset/")) == "ja"


def test_the_switcher_never_sends_anyone_elsewhere():
    response = Client().post(reverse("set_language"), {"language": "ja", "next": "https://evil.example/"})

    assert response.status_code == 302 and response["Location"] == "/"


def test_a_signed_in_users_choice_is_stored_on_the_user_and_follows_them(customer_user):
    phone = Client()
    phone.force_login(customer_user)
    phone.post(reverse("set_language"), {"language": "ja", "next": "/account/"})
    customer_user.refresh_from_db()
    assert customer_user.language == "ja"

    # Another browser, in English: once signed in, the portal speaks the user's language.
    laptop = Client(headers={"accept-language": "en"})
    assert html_lang(laptop.get(reverse("login"))) == "en"
    laptop.post(reverse("login"), {"username": customer_user.email, "password": PASSWORD})
    account = laptop.get("/account/")
    assert html_lang(account) == "ja" and "アカウント" in account.content.decode()
    assert laptop.cookies["django_language"].value == "ja"  # the sign-in page after sign-out too


def test_a_language_the_portal_does_not_offer_is_not_stored(customer_user):
    browser = Client()
    browser.force_login(customer_user)

    browser.post(reverse("set_language"), {"language": "xx", "next": "/"})

    customer_user.refresh_from_db()
    assert customer_user.language == ""


def test_the_switcher_needs_a_post():
    assert Client().get(reverse("set_language")).status_code == 405


def test_form_errors_are_in_the_pages_language():
    browser = Client(headers={"accept-language": "ja"})

    response = browser.post(reverse("login"), {"username": "nobody@example.com", "password": "wrong-password"})

    assert "メールアドレスまたはパスワードが正しくありません" in response.content.decode()


def test_api_errors_are_in_the_requests_language():
    response = Client(headers={"accept-language": "ja"}).get("/api/v1/invoices/abc")

    assert response.status_code == 404
    assert response.json()["message"] == "見つかりません。"


def test_the_password_rules_error_sits_under_the_new_password(customer_client):
    response = customer_client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": "password", "new_password2": "password"})

    page = response.content.decode()
    first = page.index('id="id_new_password1"')
    second = page.index('id="id_new_password2"')
    error = page.index("This password is too common.")
    assert first < error < second
