"""Drills: a new customer's account creation (WHMCS AddClient, then the Salesforce Account and
Contact, then the portal link; one durable job) when AddClient's answer is lost, when Salesforce is
down for a while, and when it stays down until the job gives up and staff retry it.

Each drill signs a new person up through the pages, as a browser would, and ends by counting in the
emulators: exactly one WHMCS client with the person's email, exactly one Account for that client
(one Contact on it), and the portal user linked to both. Nothing of the portal is patched: the
faults come from the emulators' controls; the sweep is the beat task's own code.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib import admin
from django.test import RequestFactory

from domain.shared import clock
from portal.accounts.admin import AccountCreationAdmin
from portal.accounts.models import AccountCreation, Customer
from portal.accounts.tasks import sweep_account_creations
from tests.conftest import signed_in
from tests.emulator import EmulatorControl
from tests.portal.accounts.helpers import NEW_CUSTOMER

pytestmark = pytest.mark.django_db(transaction=True)  # the pages commit each step as it happens
EMAIL = "taro@example.jp"


@pytest.fixture
def billing(whmcs):
    control = EmulatorControl(whmcs)
    control.reset_stats()
    yield control
    control.clear_faults()


@pytest.fixture
def crm(salesforce):
    control = EmulatorControl(salesforce)
    control.reset_stats()
    yield control
    control.clear_faults()


@pytest.fixture
def newcomer(make_user, billing, crm):
    return signed_in(make_user(email=EMAIL, first_name="Taro", last_name="Yamada"))


def assert_one_client_one_account_linked(billing, crm) -> None:
    clients = [c for c in billing.store.clients.values() if c.email == EMAIL]
    assert len(clients) == 1, f"{len(clients)} WHMCS clients with {EMAIL}"
    accounts = [a for a in crm.store.rows("Account") if a.get("WHMCS_Client_Id__c") == clients[0].id]
    assert len(accounts) == 1, f"{len(accounts)} Accounts for WHMCS client {clients[0].id}"
    contacts = [c for c in crm.store.rows("Contact") if c["AccountId"] == accounts[0]["Id"]]
    assert len(contacts) == 1
    customer = Customer.objects.get(user__email=EMAIL)
    assert (customer.whmcs_client_id, customer.salesforce_account_id) == (clients[0].id, accounts[0]["Id"])
    job = AccountCreation.objects.get(user__email=EMAIL)
    assert job.status == AccountCreation.Status.DONE


def test_a_lost_add_client_answer_is_adopted_by_its_marker_not_sent_again(newcomer, billing, crm):
    billing.lose_answer("AddClient")  # WHMCS makes the client; the portal gets a 504

    response = newcomer.post("/account/new/", NEW_CUSTOMER)

    assert response["Location"] == "/account/new/status/"
    assert billing.stats()["faults_injected"] == {"lost_answer": 1}
    assert billing.calls("AddClient") == 1 and billing.calls("GetClients") >= 1
    assert newcomer.get("/account/new/status/")["Location"] == "/"
    assert_one_client_one_account_linked(billing, crm)


def test_salesforce_down_leaves_the_job_waiting_and_the_sweep_finishes_it_with_the_same_client(
    newcomer, billing, crm, settings
):
    crm.fail("POST sobjects/Account", times=None)  # every Account create: 503 until cleared

    newcomer.post("/account/new/", NEW_CUSTOMER)
    page = newcomer.get("/account/new/status/")  # comes back while Salesforce is still down

    job = AccountCreation.objects.get(user__email=EMAIL)
    assert page.status_code == 200 and "We are opening your customer account" in page.content.decode()
    assert job.status == AccountCreation.Status.REQUESTED and job.whmcs_client_id and not job.salesforce_account_id
    assert "503" in job.last_error or "Salesforce" in job.last_error
    assert not Customer.objects.filter(user__email=EMAIL).exists()

    crm.clear_faults()
    later = clock.now() + timedelta(seconds=settings.ACCOUNT_CREATION_SWEEP_AFTER_SECONDS
                                    + settings.ACCOUNT_CREATION_RETRY_BACKOFF_MAX_SECONDS + 5)
    with time_machine.travel(later):
        assert sweep_account_creations() == 1  # the beat's sweep queues it; in-process it runs at once

    assert billing.calls("AddClient") == 1
    assert_one_client_one_account_linked(billing, crm)


def test_salesforce_down_until_the_attempts_run_out_then_staff_retry_finishes_it(newcomer, billing, crm, settings,
                                                                                 staff_user):
    settings.ACCOUNT_CREATION_MAX_ATTEMPTS = 2
    crm.fail("POST sobjects/Account", times=None)

    newcomer.post("/account/new/", NEW_CUSTOMER)
    newcomer.get("/account/new/status/")  # the second (last) attempt

    job = AccountCreation.objects.get(user__email=EMAIL)
    assert job.status == AccountCreation.Status.FAILED and job.whmcs_client_id and not job.salesforce_account_id
    assert "Our support team has been told" in newcomer.get("/account/new/status/").content.decode()

    crm.clear_faults()
    request = RequestFactory().post("/admin/accounts/accountcreation/")
    request.user = staff_user
    request._messages = type("Messages", (), {"add": lambda *a, **k: None})()
    model_admin = AccountCreationAdmin(AccountCreation, admin.site)
    model_admin.actions[0](model_admin, request, AccountCreation.objects.filter(pk=job.pk))

    assert billing.calls("AddClient") == 1
    assert_one_client_one_account_linked(billing, crm)
