import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-secret-42"


def reset_link(client, email="alice@example.com") -> str:
    response = client.post(reverse("password_reset"), {"email": email})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    return re.search(r"https?://[^/]+(/password-reset/\S+/)", mail.outbox[0].body).group(1)


def test_password_change_needs_the_old_password(customer_client, customer_user):
    url = reverse("accounts:password_change")
    wrong = customer_client.post(
        url, {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 200
    assert "Your old password was entered incorrectly" in wrong.content.decode()

    right = customer_client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert "Your password has been changed." in right.content.decode()
    customer_user.refresh_from_db()
    assert customer_user.check_password(NEW_PASSWORD)
    assert SESSION_KEY in customer_client.session  # still signed in after the change


def test_password_change_rejects_a_weak_password(customer_client, customer_user):
    response = customer_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    customer_user.refresh_from_db()
    assert customer_user.check_password(PASSWORD)


def test_password_reset_by_email_end_to_end(client, customer_user):
    link = reset_link(client)
    assert mail.outbox[0].to == ["alice@example.com"]

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True
    )

    assert "Your password is set" in done.content.decode()
    assert client.post(reverse("login"), {"username": "alice@example.com", "password": NEW_PASSWORD}).status_code == 302


def test_reset_for_an_unknown_email_looks_the_same_and_sends_nothing(client, customer_user):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_expired_reset_link_is_refused_and_changes_nothing(client, customer_user, time_machine):
    time_machine.move_to("2026-11-26 10:00:00+00:00", tick=False)
    link = reset_link(client)

    time_machine.shift(timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60))
    response = client.get(link, follow=True)

    assert "This link no longer works" in response.content.decode()
    customer_user.refresh_from_db()
    assert customer_user.check_password(PASSWORD)


def test_reset_link_works_only_once(client, customer_user):
    link = reset_link(client)
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert "This link no longer works" in again.content.decode()
