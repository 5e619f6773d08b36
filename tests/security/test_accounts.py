"""Attacks on the accounts area: guessing a sign-up code, learning which emails have accounts,
linking someone else's customer without their credentials, uploading something that is not an
image or a PDF as a residence card, and a staff sign-in without the second factor."""
import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from domain.shared import clock
from portal.accounts.models import Customer, LinkAttempt, OneTimeCode, User
from sandbox.demo_identities import DEMO_CUSTOMERS, DEMO_UNLINKED
from tests.conftest import PASSWORD, signed_in
from tests.portal.accounts.helpers import last_code

pytestmark = pytest.mark.django_db
ALICE, BOB = DEMO_CUSTOMERS[:2]


# --- code brute force ---------------------------------------------------------------------------------


def test_guessing_a_sign_up_code_stops_after_the_tries_and_a_new_code_only_after_the_cooldown(client, settings):
    client.post("/signup/", {"email": "victim@example.jp"})
    right = last_code("victim@example.jp")
    guesses = [f"{n:06d}" for n in range(1000) if f"{n:06d}" != right][:settings.SIGNUP_CODE_MAX_ATTEMPTS + 20]
    for guess in guesses:
        client.post("/signup/verify/", {"code": guess})
    assert OneTimeCode.objects.get(email="victim@example.jp").attempts == settings.SIGNUP_CODE_MAX_ATTEMPTS
    assert client.post("/signup/verify/", {"code": right}).status_code == 200  # even the right code: dead
    assert not User.objects.filter(email="victim@example.jp").exists()
    client.post("/signup/resend/")  # at once: refused by the cooldown, no new tries
    assert len(mail.outbox) == 1


def test_codes_per_address_are_rate_limited(client, settings):
    settings.SIGNUP_RATE_PER_ADDRESS = "3/h"
    for n in range(6):
        client.post("/signup/", {"email": f"spray{n}@example.jp"})
    assert len(mail.outbox) == 3  # over the client address's rate: nothing more is sent
    assert client.post("/signup/", {"email": "spray9@example.jp"})["Location"] == "/signup/verify/"  # same answer


# --- enumeration --------------------------------------------------------------------------------------


def _sign_up_pages(email: str) -> tuple[str, str]:
    browser = Client()
    first = browser.post("/signup/", {"email": email})
    page = browser.get("/signup/verify/").content.decode()
    wrong = browser.post("/signup/verify/", {"code": "123456"}).content.decode()
    assert first.status_code == 302 and first["Location"] == "/signup/verify/"
    scrub = lambda text: re.sub(r"(name=\"csrfmiddlewaretoken\" value=\")[^\"]+", r"\1", text)  # noqa: E731
    return scrub(page.replace(email, "EMAIL")), scrub(wrong.replace(email, "EMAIL"))


def test_sign_up_answers_the_same_whether_the_email_has_an_account(make_user):
    make_user(email="known@example.jp")
    known = _sign_up_pages("known@example.jp")
    unknown = _sign_up_pages("unknown@example.jp")
    assert known == unknown
    # The known address is told someone tried (no code); the new one gets a code.
    known_mail = next(m for m in mail.outbox if "known@example.jp" in m.to)
    assert not re.search(r"\b\d{6}\b", known_mail.body)


def test_a_link_code_request_answers_the_same_for_a_customer_number_that_does_not_exist(make_user, whmcs, salesforce):
    browser = signed_in(make_user(email="prober@example.jp"))
    real = browser.post("/account/link/code/", {"client_id": DEMO_UNLINKED.whmcs_client_id})
    real_page = browser.get("/account/link/code/verify/").content.decode()
    missing = browser.post("/account/link/code/", {"client_id": 987654})
    missing_page = browser.get("/account/link/code/verify/").content.decode()
    assert real["Location"] == missing["Location"] == "/account/link/code/verify/"
    assert real_page.replace(str(DEMO_UNLINKED.whmcs_client_id), "N").split("Japan time")[0].split("<main")[1] == \
        missing_page.replace("987654", "N").split("Japan time")[0].split("<main")[1]
    assert DEMO_UNLINKED.email not in real_page  # the email on file is never shown


# --- linking someone else's customer ------------------------------------------------------------------


def test_linking_someone_elses_customer_without_their_credentials_fails(make_user, whmcs, salesforce, settings):
    attacker = signed_in(make_user(email="attacker@example.jp"))
    for password in ("portal-demo", "erin", "password", ""):
        page = attacker.post("/account/link/", {"email": DEMO_UNLINKED.email, "password": password or "x"})
        assert page.status_code == 200
    # The code route: the code goes to the victim's billing email, so guessing is all that is left.
    attacker.post("/account/link/code/", {"client_id": DEMO_UNLINKED.whmcs_client_id})
    for n in range(settings.SIGNUP_CODE_MAX_ATTEMPTS + 3):
        attacker.post("/account/link/code/verify/", {"code": f"{n:06d}"})
    assert not Customer.objects.filter(whmcs_client_id=DEMO_UNLINKED.whmcs_client_id).exists()
    assert not LinkAttempt.objects.filter(outcome=LinkAttempt.Outcome.LINKED).exists()
    assert all(DEMO_UNLINKED.email not in m.to or "attacker@example.jp" in m.body for m in mail.outbox)


def test_a_customer_linked_to_someone_cannot_be_taken_over_even_with_its_credentials(customer_user, make_user, whmcs,
                                                                                     salesforce):
    from sandbox.demo_identities import DEMO_CLIENT_AREA_PASSWORDS

    thief = signed_in(make_user(email="thief@example.jp"))
    page = thief.post("/account/link/", {"email": ALICE.email,
                                         "password": DEMO_CLIENT_AREA_PASSWORDS[ALICE.whmcs_client_id]})
    assert "already linked to another sign-in" in page.content.decode()
    assert Customer.objects.get(whmcs_client_id=ALICE.whmcs_client_id).user == customer_user
    assert LinkAttempt.objects.get().outcome == LinkAttempt.Outcome.ALREADY_LINKED


def test_credential_checks_are_rate_limited_per_user(make_user, whmcs, salesforce, settings):
    settings.LINK_RATE_PER_USER = "3/h"
    attacker = signed_in(make_user(email="attacker@example.jp"))
    pages = [attacker.post("/account/link/", {"email": DEMO_UNLINKED.email, "password": f"guess{n}"}).content.decode()
             for n in range(5)]
    assert "tried this too often" in pages[3] and "tried this too often" in pages[4]


# --- uploads ------------------------------------------------------------------------------------------


def _not_submitted(salesforce):
    import requests

    requests.post(f"{salesforce.url}/__sandbox__/accounts/{ALICE.salesforce_account_id}/identity",
                  json={"status": "Not Submitted"}, timeout=5).raise_for_status()


@pytest.mark.parametrize("name, content", [
    ("card.png", b"MZ\x90\x00 an executable renamed"),
    ("card.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("card.pdf", b"<html><script>alert(1)</script></html>"),
])
def test_a_residence_card_that_is_not_an_image_or_pdf_is_refused_and_nothing_is_sent(customer_user, whmcs,
                                                                                     salesforce, name, content):
    _not_submitted(salesforce)
    browser = signed_in(customer_user)
    before = len(salesforce.app.store.rows("ContentVersion"))
    page = browser.post("/account/identity/", {
        "request_id": str(uuid.uuid4()), "front": SimpleUploadedFile(name, content, content_type="image/png"),
        "back": SimpleUploadedFile("back.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, content_type="image/png")})
    assert page.status_code == 200
    assert "not a photo or a PDF" in page.content.decode()
    assert len(salesforce.app.store.rows("ContentVersion")) == before


def test_a_residence_card_over_the_size_limit_is_refused(customer_user, whmcs, salesforce, settings):
    settings.IDENTITY_DOCUMENT_MAX_BYTES = 1000
    _not_submitted(salesforce)
    browser = signed_in(customer_user)
    page = browser.post("/account/identity/", {
        "request_id": str(uuid.uuid4()),
        "front": SimpleUploadedFile("f.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, content_type="image/png"),
        "back": SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, content_type="image/png")})
    assert "too large" in page.content.decode()


# --- staff and the second factor ----------------------------------------------------------------------


@pytest.fixture
def staff(make_user):
    return make_user(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_a_staff_password_alone_signs_nobody_in(client, staff, path):
    response = client.post(path, {"username": staff.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/login/second-factor/"
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert client.get("/api/v1/invoices").status_code == 403
    assert client.get("/account/")["Location"].startswith("/login/")


def test_a_staff_member_without_an_authenticator_must_set_one_up_and_a_wrong_code_keeps_them_out(client, staff):
    client.post("/login/", {"username": staff.email, "password": PASSWORD, "next": "/admin/"})
    page = client.get("/login/second-factor/").content.decode()
    assert "Staff sign in with a second step" in page and "<svg" in page
    assert client.post("/login/second-factor/", {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session
    device = TOTPDevice.objects.get(user=staff)
    with time_machine.travel(clock.now() + timedelta(seconds=5)):  # django-otp's delay after a wrong code
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        response = client.post("/login/second-factor/", {"code": f"{totp.token():06d}"})
        assert response["Location"].startswith("/account/two-factor/recovery-codes/")
        assert client.get("/admin/").status_code == 200


def test_a_second_factor_page_without_a_checked_password_signs_nobody_in(client, staff):
    assert client.get("/login/second-factor/")["Location"] == "/login/"
    assert client.post("/login/second-factor/", {"code": "123456"})["Location"] == "/login/"


def test_a_customer_made_staff_is_signed_out_and_meets_the_second_factor(customer_user):
    browser = signed_in(customer_user)
    assert browser.get("/account/").status_code == 200
    User.objects.filter(pk=customer_user.pk).update(is_staff=True)
    assert browser.get("/admin/")["Location"].startswith("/admin/login/")
    assert browser.get("/account/")["Location"].startswith("/login/")
