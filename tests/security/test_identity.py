"""The portal owns its users' sign-in identity (issue 15, finding 1): account takeover through a
signed WHMCS ``ClientEdit`` (its email used to become the user's sign-in email), and the only way a
sign-in email changes now: asked for in the portal with the password, confirmed from the new
address with a signed link that expires and works once, the old address told, other sessions ended.
"""
from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.test import Client

from portal.accounts.models import Customer
from portal.webhooks.models import WebhookEvent
from tests.conftest import PASSWORD
from tests.portal.webhooks.conftest import payload, signed, webhook_settings  # noqa: F401 - autouse settings

pytestmark = pytest.mark.django_db

ATTACKER = "attacker@evil.example"
NEW_EMAIL = "alice.new@example.net"


def sign_in(browser: Client, email: str, password: str = PASSWORD):
    return browser.post("/login/", {"username": email, "password": password})


def client_edit(customer_user, captured, **fields):
    """A ClientEdit for the user's WHMCS client, signed with the real scheme, processed at once."""
    client_id = customer_user.customer.whmcs_client_id
    with captured(execute=True):
        return signed(payload("ClientEdit", client_id=client_id, **fields)).post(Client())


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/account/email/confirm/\S+/)", message.body).group(1)


# -- no provider answer changes the sign-in identity -----------------------------------------------


def test_a_signed_client_edit_cannot_take_over_the_account(other_customer_user, django_capture_on_commit_callbacks):
    bob = other_customer_user

    response = client_edit(bob, django_capture_on_commit_callbacks, firstname="Bob", lastname="Builder",
                           email=ATTACKER)

    assert response.status_code == 202
    [event] = WebhookEvent.objects.all()
    assert event.status == WebhookEvent.Status.PROCESSED
    bob.refresh_from_db()
    assert bob.email == "bob@example.com"
    # Bob's password does not open the account under the attacker's address, Bob's own still works
    assert SESSION_KEY not in sign_in(Client(), ATTACKER).wsgi_request.session
    assert sign_in(Client(), "bob@example.com").status_code == 302
    # and a password reset for the attacker's address mails nothing anywhere
    mail.outbox.clear()
    assert Client().post("/password-reset/", {"email": ATTACKER}).status_code == 302
    assert mail.outbox == []
    # the new address is kept as the billing contact, shown on Bob's account page
    assert Customer.objects.get(user=bob).billing_email == ATTACKER
    browser = Client()
    browser.force_login(bob)
    page = browser.get("/account/").content.decode()
    assert ATTACKER in page and "Billing contact email" in page


def test_a_client_edit_copies_nothing_to_a_staff_user(make_user, django_capture_on_commit_callbacks):
    staff = make_user(email="ops@example.com", is_staff=True, first_name="Ops")
    Customer.objects.create(user=staff, salesforce_account_id="001000000000001AAA", whmcs_client_id=1777)

    response = client_edit(staff, django_capture_on_commit_callbacks, firstname="Mallory", email=ATTACKER)

    assert response.status_code == 202
    staff.refresh_from_db()
    assert (staff.email, staff.first_name) == ("ops@example.com", "Ops")
    assert "staff" in WebhookEvent.objects.get().outcome


# -- the customer's own, confirmed change ----------------------------------------------------------


def test_the_sign_in_email_changes_only_once_confirmed_from_the_new_address(customer_user):
    other_device = Client()
    sign_in(other_device, "alice@example.com")
    browser = Client()
    sign_in(browser, "alice@example.com")

    asked = browser.post("/account/email/", {"new_email": NEW_EMAIL, "password": PASSWORD})

    assert asked.status_code == 302 and asked["Location"] == "/account/"
    [confirmation] = mail.outbox
    assert confirmation.to == [NEW_EMAIL]
    customer_user.refresh_from_db()
    assert customer_user.email == "alice@example.com"  # nothing changes until confirmed
    link = link_in(confirmation)

    opened = Client().get(link)  # opening the link (a mail scanner does) changes nothing either
    assert opened.status_code == 200 and NEW_EMAIL in opened.content.decode()
    customer_user.refresh_from_db()
    assert customer_user.email == "alice@example.com"

    confirmed = browser.post(link)

    assert confirmed.status_code == 200
    customer_user.refresh_from_db()
    assert customer_user.email == NEW_EMAIL
    notice = mail.outbox[1]
    assert notice.to == ["alice@example.com"] and NEW_EMAIL in notice.body
    assert browser.get("/account/").status_code == 200  # the confirming session goes on
    assert other_device.get("/account/")["Location"].startswith("/login/")  # every other one ended
    assert sign_in(Client(), NEW_EMAIL).status_code == 302
    assert SESSION_KEY not in sign_in(Client(), "alice@example.com").wsgi_request.session


def test_the_link_works_once_and_expires(customer_user, settings, time_machine):
    time_machine.move_to("2026-11-26 10:00:00+00:00", tick=False)
    browser = Client()
    browser.force_login(customer_user)
    browser.post("/account/email/", {"new_email": NEW_EMAIL, "password": PASSWORD})
    browser.post("/account/email/", {"new_email": "alice.other@example.net", "password": PASSWORD})
    first, second = (link_in(message) for message in mail.outbox)

    assert Client().post(first).status_code == 200
    assert Client().post(first).status_code == 400  # used
    assert Client().post(second).status_code == 400  # the email it was asked from is gone
    customer_user.refresh_from_db()
    assert customer_user.email == NEW_EMAIL

    browser = Client()
    browser.force_login(customer_user)
    browser.post("/account/email/", {"new_email": "alice.later@example.net", "password": PASSWORD})
    late = link_in(mail.outbox[-1])
    time_machine.shift(settings.EMAIL_CHANGE_TIMEOUT + 1)

    assert Client().post(late).status_code == 400
    customer_user.refresh_from_db()
    assert customer_user.email == NEW_EMAIL


def test_a_forged_or_tampered_link_changes_nothing(customer_user, other_customer_user):
    forged = signing.dumps({"user": other_customer_user.pk, "from": "bob@example.com", "to": ATTACKER,
                            "session": "x"}, salt="portal.accounts.email-change", key="guessed-secret-key")
    browser = Client()
    browser.force_login(customer_user)
    browser.post("/account/email/", {"new_email": NEW_EMAIL, "password": PASSWORD})
    genuine = link_in(mail.outbox[0])
    tampered = genuine.replace(genuine.split("/")[-2], genuine.split("/")[-2][:-4] + "AAAA")

    for path in (f"/account/email/confirm/{forged}/", tampered, "/account/email/confirm/not-a-token/"):
        assert Client().post(path).status_code == 400
    customer_user.refresh_from_db()
    other_customer_user.refresh_from_db()
    assert (customer_user.email, other_customer_user.email) == ("alice@example.com", "bob@example.com")


def test_changing_the_password_voids_an_outstanding_link(customer_user):
    browser = Client()
    browser.force_login(customer_user)
    browser.post("/account/email/", {"new_email": NEW_EMAIL, "password": PASSWORD})
    link = link_in(mail.outbox[0])
    customer_user.set_password("An0ther-passw0rd-for-Alice")
    customer_user.save()

    assert Client().post(link).status_code == 400
    customer_user.refresh_from_db()
    assert customer_user.email == "alice@example.com"


def test_a_wrong_password_sends_nothing_and_guessing_it_here_is_limited(customer_user, settings):
    settings.EMAIL_CHANGE_RATE_PER_USER = "3/h"
    browser = Client()
    browser.force_login(customer_user)

    answers = [browser.post("/account/email/", {"new_email": NEW_EMAIL, "password": f"guess-{n}"})
               for n in range(3)]
    throttled = browser.post("/account/email/", {"new_email": NEW_EMAIL, "password": PASSWORD})

    assert all(a.status_code == 200 and "not your current password" in a.content.decode() for a in answers)
    assert throttled.status_code == 200 and "too often" in throttled.content.decode()
    assert mail.outbox == []


def test_an_address_another_account_has_gets_the_same_answer_and_no_link(customer_user, other_customer_user):
    browser = Client()
    browser.force_login(customer_user)

    taken = browser.post("/account/email/", {"new_email": "BOB@example.com", "password": PASSWORD}, follow=True)
    free = browser.post("/account/email/", {"new_email": NEW_EMAIL, "password": PASSWORD}, follow=True)

    shown = [re.sub(r'\S+@\S+|name="csrfmiddlewaretoken" value="\w+"', "<varies>", r.content.decode())
             for r in (taken, free)]
    assert shown[0] == shown[1]
    assert [m.to for m in mail.outbox] == [[NEW_EMAIL]]


def test_staff_cannot_change_their_sign_in_email_in_the_portal(staff_user):
    browser = Client()
    browser.force_login(staff_user)

    assert "/account/email/" not in browser.get("/account/").content.decode()
    assert browser.get("/account/email/").status_code == 403
    assert browser.post("/account/email/", {"new_email": ATTACKER, "password": PASSWORD}).status_code == 403
    # nor with a link made for them while they were not staff
    staff_user.is_staff = staff_user.is_superuser = False
    staff_user.save()
    browser.force_login(staff_user)
    browser.post("/account/email/", {"new_email": ATTACKER, "password": PASSWORD})
    link = link_in(mail.outbox[0])
    staff_user.is_staff = True
    staff_user.save()

    assert Client().post(link).status_code == 400
    staff_user.refresh_from_db()
    assert staff_user.email == "staff@example.com"
