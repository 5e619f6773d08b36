"""Sign-up with a verified email: the code, its expiry and tries, resend, the same answer for a
known address, then the name and a password through Django's validators."""
from datetime import timedelta

import pytest
import time_machine
from django.core import mail

from domain.shared import clock
from portal.accounts.models import OneTimeCode, User
from tests.portal.accounts.helpers import PASSWORD, last_code, sign_up

pytestmark = pytest.mark.django_db


def test_a_new_person_signs_up_with_the_code_sent_to_them(client):
    sign_up(client, "Taro@Example.jp")
    user = User.objects.get(email="taro@example.jp")
    assert (user.first_name, user.last_name) == ("Taro", "Yamada") and user.check_password(PASSWORD)
    assert client.get("/account/start/").status_code == 200  # signed in, offered link or new
    row = OneTimeCode.objects.get(email="taro@example.jp")
    assert row.used_at is not None and row.code_hash != last_code("taro@example.jp")  # only a hash is kept


def test_the_verify_page_says_when_the_code_expires_in_japan_time(client):
    with time_machine.travel("2026-12-02T23:55:00+00:00", tick=False):
        client.post("/signup/", {"email": "taro@example.jp"})
        page = client.get("/signup/verify/").content.decode()
    assert "09:05" in page  # 23:55 UTC + 10 minutes = 09:05 on 3 December in Tokyo
    assert "Japan time" in page


def test_wrong_codes_warn_when_few_tries_are_left_then_the_code_is_dead(client):
    client.post("/signup/", {"email": "taro@example.jp"})
    code = last_code("taro@example.jp")
    wrong = "000000" if code != "000000" else "111111"
    pages = [client.post("/signup/verify/", {"code": wrong}).content.decode() for _ in range(5)]
    assert "That code is not right. Please check" in pages[0]
    assert "You have 2 tries left" in pages[2] and "You have 1 try left" in pages[3]
    assert "cannot be used any more" in pages[4]
    assert "cannot be used any more" in client.post("/signup/verify/", {"code": code}).content.decode()
    assert not User.objects.filter(email="taro@example.jp").exists()


def test_an_expired_code_is_refused(client):
    client.post("/signup/", {"email": "taro@example.jp"})
    code = last_code("taro@example.jp")
    with time_machine.travel(clock.now() + timedelta(minutes=11)):
        page = client.post("/signup/verify/", {"code": code}).content.decode()
    assert "This code has expired" in page


def test_a_new_code_only_after_the_cooldown_and_the_old_one_stops_working(client):
    client.post("/signup/", {"email": "taro@example.jp"})
    first = last_code("taro@example.jp")
    too_soon = client.post("/signup/resend/", follow=True).content.decode()
    assert "You can ask for a new code in" in too_soon and len(mail.outbox) == 1
    with time_machine.travel(clock.now() + timedelta(seconds=61)):
        client.post("/signup/resend/")
        second = last_code("taro@example.jp")
        if second != first:
            assert "not right" in client.post("/signup/verify/", {"code": first}).content.decode()
        assert client.post("/signup/verify/", {"code": second})["Location"] == "/signup/details/"


def test_the_password_goes_through_djangos_validators(client):
    client.post("/signup/", {"email": "taro@example.jp"})
    client.post("/signup/verify/", {"code": last_code("taro@example.jp")})
    page = client.post("/signup/details/", {"first_name": "Taro", "last_name": "Yamada", "new_password1": "password",
                                            "new_password2": "password"}).content.decode()
    assert "This password is too common" in page
    assert not User.objects.filter(email="taro@example.jp").exists()


def test_details_cannot_be_reached_without_a_verified_code(client):
    client.post("/signup/", {"email": "taro@example.jp"})
    assert client.get("/signup/details/")["Location"] == "/signup/"
    assert client.post("/signup/details/", {"first_name": "T", "last_name": "Y", "new_password1": PASSWORD,
                                            "new_password2": PASSWORD})["Location"] == "/signup/"
    assert not User.objects.filter(email="taro@example.jp").exists()
