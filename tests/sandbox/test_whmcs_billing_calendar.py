"""The day a new monthly service is registered and next due, on the WHMCS emulator, at the calendar's
edges (tests/timepoints.py): the installation's date is Japan's, and the next due day is one
monthly cycle later by the business calendar's rule (clamped to shorter months)."""
from datetime import date

import pytest
import requests
import time_machine

from domain.shared.calendar import add_months
from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs import start_whmcs_sandbox
from tests.timepoints import BOUNDARY_INSTANTS

ALICE = DEMO_CUSTOMERS[0].whmcs_client_id
AUTH = {"identifier": "sandbox-identifier", "secret": "sandbox-secret", "responsetype": "json"}


@pytest.fixture(scope="module")
def whmcs_sandbox():
    handle = start_whmcs_sandbox(env={})
    yield handle
    handle.stop()


def call(whmcs_sandbox, action: str, **params) -> dict:
    response = requests.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": action, **params},
                             timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("name", list(BOUNDARY_INSTANTS))
def test_a_monthly_service_is_registered_on_japans_day_and_next_due_one_cycle_later(whmcs_sandbox, name):
    instant = BOUNDARY_INSTANTS[name]
    with time_machine.travel(instant, tick=True):
        requests.post(f"{whmcs_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
        created = call(whmcs_sandbox, "AddOrder", clientid=ALICE, paymentmethod="stripe", pid="10",
                       billingcycle="monthly")
        call(whmcs_sandbox, "AcceptOrder", orderid=created["orderid"])

        service = call(whmcs_sandbox, "GetClientsProducts", serviceid=created["serviceids"])["products"]["product"][0]
        invoice = call(whmcs_sandbox, "GetInvoice", invoiceid=created["invoiceid"])

    registered = date.fromisoformat(service["regdate"])
    assert registered == instant.date(), "registered on Japan's day, whatever the UTC date"
    assert date.fromisoformat(service["nextduedate"]) == add_months(registered, 1)
    assert date.fromisoformat(invoice["date"]) == instant.date()
