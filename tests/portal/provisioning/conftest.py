"""Fixtures of the provisioning tests: the three emulators as real HTTP peers.

Salesforce's operator approves an order through ``POST /__sandbox__/orders/<id>/approve``;
failures are injected per action through the emulators' fault controls (``actions`` and ``times``);
expectations are read from the emulators' live stores, never hard-coded, so the tests follow
the seed whatever day they run.
"""
from __future__ import annotations

import uuid

import pytest
import requests

from portal.provisioning import services, tasks
from portal.provisioning.models import ProvisioningJob
from sandbox.demo_identities import DEMO_CUSTOMERS
from tests.emulator import EmulatorControl, controlled

ALICE, BOB = DEMO_CUSTOMERS[:2]


class SalesforceEmulator(EmulatorControl):
    def approve(self, order_id: str) -> dict:
        response = requests.post(f"{self.url}/__sandbox__/orders/{order_id}/approve", timeout=5)
        assert response.status_code == 200, response.text
        return response.json()["approval"]

    def order(self, order_id: str) -> dict:
        return self.store.get("Order", order_id)

    def product(self, sku: str) -> dict:
        return next(p for p in self.store.rows("Product2") if p["StockKeepingUnit"] == sku)

    def draft_order_of(self, account_id: str) -> dict:
        """The seed's order waiting for review (Alice's two Data SIM 3 GB and two activation fees)."""
        return next(o for o in self.store.rows("Order")
                    if o["AccountId"] == account_id and o["Provisioning_Status__c"] == "Pending Review")

    def items_of(self, order_id: str) -> list[dict]:
        return sorted((i for i in self.store.rows("OrderItem") if i["OrderId"] == order_id), key=lambda i: i["Id"])

    def inventory(self, **match) -> list[dict]:
        """The SIM inventory records (``SIM_Inventory__c``) whose fields equal ``match``."""
        return [r for r in self.store.rows("SIM_Inventory__c") if all(r.get(k) == v for k, v in match.items())]

    def retire(self, **match) -> int:
        """Mark the matching inventory records Retired (lost, broken): none of them is taken."""
        records = self.inventory(**match)
        for record in records:
            self.store.update("SIM_Inventory__c", record["Id"], {"Status__c": "Retired"})
        return len(records)


class WhmcsEmulator(EmulatorControl):
    def orders_with_marker(self, key: str, client_id: int = ALICE.whmcs_client_id) -> list:
        return [o for o in self.store.orders.values()
                if o.userid == client_id and f"portal-job:{key}" in o.notes.splitlines()]

    def remove_payment_methods(self, client_id: int = ALICE.whmcs_client_id) -> None:
        for key in [k for k, m in self.store.paymethods.items() if m.clientid == client_id]:
            del self.store.paymethods[key]


class FreebitEmulator(EmulatorControl):
    def new_lines(self) -> list:
        """The lines registered on the MVNO's stock SIMs (PA02-01 / PA05-41), not the demo's."""
        return [account for account in self.store.accounts.values() if account.product_number or account.eid]


@pytest.fixture(scope="session")
def freebit_server():
    """One Freebit emulator for the session, its calendar pinned to the portal's today."""
    from sandbox.freebit import start_freebit_sandbox

    handle = start_freebit_sandbox(env={})
    yield handle
    handle.stop()


@pytest.fixture
def freebit(freebit_server, settings) -> FreebitEmulator:
    """The Freebit emulator, reset to its seed with no faults, wired into the portal's settings."""
    requests.delete(freebit_server.url + "/__sandbox__/faults", timeout=5).raise_for_status()
    requests.post(freebit_server.url + "/__sandbox__/reset", timeout=5).raise_for_status()
    settings.FREEBIT_API_URL = freebit_server.url + "/emptool/api"
    settings.FREEBIT_OEM_ID = freebit_server.app.config.oem_id
    settings.FREEBIT_OEM_KEY = freebit_server.app.config.oem_key
    settings.PROVIDER_READ_TIMEOUT = 2.0
    settings.PROVIDER_MAX_ATTEMPTS = 2
    emulator = FreebitEmulator(freebit_server)
    yield emulator
    emulator.clear_faults()


@pytest.fixture
def sf(salesforce) -> SalesforceEmulator:
    yield from controlled(SalesforceEmulator, salesforce)


@pytest.fixture
def billing(whmcs) -> WhmcsEmulator:
    yield from controlled(WhmcsEmulator, whmcs)


@pytest.fixture
def providers(sf, billing, freebit):
    """All three emulators wired in (reset, no faults, zeroed counts)."""
    return sf, billing, freebit


@pytest.fixture
def draft_order(sf) -> dict:
    """Alice's seed order waiting for review: two Data SIM 3 GB and two SIM activation fees."""
    return sf.draft_order_of(ALICE.salesforce_account_id)


@pytest.fixture
def approved_order(sf, draft_order) -> dict:
    """The draft order approved by the operator (as the Salesforce UI would): the approval the
    Pub/Sub event carries (``order_id``, ``idempotency_key``)."""
    return sf.approve(draft_order["Id"])


@pytest.fixture
def retries_run_inline():
    """Eager tasks that retry as a worker would, at once: Celery re-runs a retried eager task only
    when eager exceptions do not propagate (the test settings make them propagate)."""
    conf = tasks.run_job.app.conf
    propagates, conf.task_eager_propagates = conf.task_eager_propagates, False
    yield
    conf.task_eager_propagates = propagates


def request_provisioning(capture, approval: dict, *, event_id: str | None = None,
                         key: str | None = None) -> tuple[ProvisioningJob, bool]:
    """What the Pub/Sub subscriber does with one event: record the job; the queued task runs
    (eagerly) when the transaction commits."""
    with capture(execute=True):
        job, created = services.provisioning_request(
            order_id=approval["order_id"], idempotency_key=key or approval["idempotency_key"],
            event_id=event_id or f"evt-{uuid.uuid4().hex[:12]}",
        )
    job.refresh_from_db()
    return job, created


def run_again(job: ProvisioningJob) -> str | None:
    """One more attempt, as the next Celery retry would make it: the final state, "retry" when it
    failed transiently again, None when there was nothing to run."""
    try:
        outcome = services.provisioning_run(job_id=job.pk)
    except services.ProvisioningRetry:
        outcome = "retry"
    job.refresh_from_db()
    return outcome
