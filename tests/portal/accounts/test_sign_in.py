import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def test_sign_in_with_email_and_password_opens_the_dashboard(client, customer_user):
    response = sign_in(client, "alice@example.com", PASSWORD, follow=True)

    assert response.redirect_chain[-1][0] == reverse("dashboard")
    assert client.session[SESSION_KEY] == str(customer_user.pk)
    assert b"Welcome, Alice" in response.content


def test_email_is_matched_case_insensitively(client, customer_user):
    response = sign_in(client, "  Alice@Example.COM ", PASSWORD)

    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(customer_user.pk)


@pytest.mark.parametrize(
    ("email", "password"),
    [("alice@example.com", "wrong-password"), ("nobody@example.com", PASSWORD)],
    ids=["wrong-password", "unknown-email"],
)
def test_failed_sign_in_says_so_without_telling_which_part_was_wrong(client, customer_user, email, password):
    response = sign_in(client, email, password)

    assert response.status_code == 200
    assert "The email or password is not right" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_inactive_account_cannot_sign_in(client, make_user):
    make_user(email="gone@example.com", is_active=False)

    response = sign_in(client, "gone@example.com", PASSWORD)

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_next_parameter_is_honoured_on_this_site_only(client, customer_user):
    inside = sign_in(client, "alice@example.com", PASSWORD, QUERY_STRING="next=/account/")
    assert inside["Location"] == "/account/"

    client.post(reverse("logout"))
    outside = client.post(
        reverse("login") + "?next=https://evil.example/phish",
        {"username": "alice@example.com", "password": PASSWORD, "next": "https://evil.example/phish"},
    )
    assert outside["Location"] == reverse("dashboard")


def test_password_is_stored_with_argon2(customer_user):
    assert customer_user.password.startswith("argon2$")


def test_sign_out_needs_a_post_and_ends_the_session(customer_client):
    asked = customer_client.get(reverse("logout"))  # a typed /logout/: a page with a button, not a 405
    assert asked.status_code == 200
    assert "Sign out?" in asked.content.decode() and f'action="{reverse("logout")}"' in asked.content.decode()
    assert SESSION_KEY in customer_client.session

    response = customer_client.post(reverse("logout"), follow=True)

    assert SESSION_KEY not in customer_client.session
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You have signed out." in response.content.decode()


def test_sign_in_without_csrf_token_is_refused_with_a_friendly_page(customer_user):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "alice@example.com", "password": PASSWORD})

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()
    assert SESSION_KEY not in client.session


class TestLockout:
    def fail(self, client, times, email="alice@example.com"):
        for _ in range(times):
            sign_in(client, email, "wrong-password")

    def test_repeated_failures_lock_the_account_even_for_the_right_password(self, client, customer_user):
        self.fail(client, settings.AXES_FAILURE_LIMIT)

        response = sign_in(client, "alice@example.com", PASSWORD)

        assert response.status_code == 429
        assert "Sign-in paused" in response.content.decode()
        assert "too many failed sign-in attempts" in response.content.decode()
        assert SESSION_KEY not in client.session

    def test_failures_below_the_limit_do_not_lock(self, client, customer_user):
        self.fail(client, settings.AXES_FAILURE_LIMIT - 1)

        response = sign_in(client, "alice@example.com", PASSWORD)

        assert response.status_code == 302
        assert AccessAttempt.objects.count() == 0  # reset on success

    def test_lockout_ends_after_the_cool_off(self, client, customer_user, time_machine):
        time_machine.move_to("2026-11-26 10:00:00+00:00", tick=False)
        self.fail(client, settings.AXES_FAILURE_LIMIT)
        assert sign_in(client, "alice@example.com", PASSWORD).status_code == 429

        time_machine.shift(settings.AXES_COOLOFF_TIME.total_seconds() + 1)

        assert sign_in(client, "alice@example.com", PASSWORD).status_code == 302

    def test_lockout_is_per_account_and_address(self, client, customer_user, make_user):
        make_user(email="dave@example.com")
        self.fail(client, settings.AXES_FAILURE_LIMIT)

        assert sign_in(client, "dave@example.com", PASSWORD).status_code == 302
        other_address = sign_in(Client(), "alice@example.com", PASSWORD, REMOTE_ADDR="198.51.100.7")
        assert other_address.status_code == 302


def test_changing_letter_case_does_not_dodge_the_lockout(client, customer_user):
    for i in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "alice@example.com" if i % 2 else "ALICE@example.com", "wrong-password")

    assert sign_in(client, "Alice@Example.com", PASSWORD).status_code == 429
