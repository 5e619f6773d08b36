"""Fixtures of the support tests: the Salesforce emulator (cases, comments, files) and WHMCS (the
invoices, subscriptions and SIMs a case can be about), driven over their real HTTP endpoints.

Staff answer through ``POST /__sandbox__/cases/<id>/reply``, as an agent would in Salesforce;
Salesforce calls are counted with ``GET /__sandbox__/stats`` and failures injected with
``POST /__sandbox__/faults``. Seed cases are read from ``sf.store`` (never hard-coded).
"""
from __future__ import annotations

import re
import struct
import uuid
import zlib

import pytest
import requests
from django.test import Client

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.salesforce.support_seed import SUPPORT_USER_ID
from sandbox.whmcs import DEMO_SIMS
from tests.emulator import EmulatorControl, controlled

ALICE, BOB = DEMO_CUSTOMERS[:2]
REQUEST_ID = re.compile(r'<input type="hidden" name="request_id" value="([^"]+)"')


class SupportEmulator(EmulatorControl):
    def reply(self, case_id: str, body: str | None = None, *, status: str | None = None,
              public: bool = True) -> dict:
        answer = requests.post(f"{self.url}/__sandbox__/cases/{case_id}/reply", timeout=5,
                               json={"body": body, "status": status, "public": public})
        assert answer.status_code == 200, answer.text
        return answer.json()

    def cases_of(self, customer) -> list[dict]:
        return [c for c in self.store.rows("Case") if c["AccountId"] == customer.salesforce_account_id]

    def case(self, case_id: str) -> dict:
        return self.store.get("Case", case_id)

    def open_case_of(self, customer) -> dict:
        return next(c for c in sorted(self.cases_of(customer), key=lambda c: c["CreatedDate"])
                    if not c["IsClosed"] and self.comments_of(c["Id"]))

    def solved_case_of(self, customer) -> dict:
        return next(c for c in self.cases_of(customer) if c["IsClosed"])

    def comments_of(self, case_id: str) -> list[dict]:
        return sorted((c for c in self.store.rows("CaseComment") if c["ParentId"] == case_id),
                      key=lambda c: (c["CreatedDate"], c["Id"]))

    def files_of(self, case_id: str) -> list[dict]:
        links = [link["ContentDocumentId"] for link in self.store.rows("ContentDocumentLink")
                 if link["LinkedEntityId"] == case_id]
        return [v for v in self.store.rows("ContentVersion") if v["ContentDocumentId"] in links]

    def record_type(self, case: dict) -> str | None:
        record_type = self.store.get("RecordType", case.get("RecordTypeId") or "")
        return record_type["DeveloperName"] if record_type else None

    def case_by_request_id(self, request_id: str) -> list[dict]:
        return [c for c in self.store.rows("Case") if c["Portal_Request_Id__c"] == request_id]


@pytest.fixture
def sf(salesforce, whmcs):
    """The Salesforce emulator (reset, no faults, counts zeroed) with WHMCS wired in too (a case's
    invoice, subscription or SIM is checked there)."""
    yield from controlled(SupportEmulator, salesforce)


@pytest.fixture
def alice_case(sf) -> dict:
    """Alice's open seed case with a staff reply (and an internal note)."""
    return sf.open_case_of(ALICE)


@pytest.fixture
def bob_case(sf) -> dict:
    return sf.open_case_of(BOB)


def alices_sim(service_id: int = 12) -> str:
    return next(sim.iccid for sim in DEMO_SIMS if sim.service_id == service_id)


def png(size: int = 64) -> bytes:
    """A real (tiny, grey) PNG image, padded with a text chunk to about ``size`` bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    image = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
    padding = max(0, size - 8 - len(image) - 12 - 12)
    return b"\x89PNG\r\n\x1a\n" + image + chunk(b"tEXt", b"c\x00" + b"x" * padding) + chunk(b"IEND", b"")


def request_id_of(response) -> str:
    found = REQUEST_ID.search(response.content.decode())
    assert found, "the page has no form with a request id"
    return found[1]


def new_request_id() -> str:
    return str(uuid.uuid4())


def main_of(response) -> str:
    return response.content.decode().split("<main", 1)[-1]


def calls(response) -> int:
    """Provider calls the request made (``X-Provider-Calls``: every provider, sign-ins included)."""
    return int(response["X-Provider-Calls"])


def open_case(browser: Client, **fields):
    """POST the new-case form (a general question unless ``fields`` say otherwise)."""
    data = {"request_id": new_request_id(), "request_type": "general", "category": "billing",
            "subject": "Charged twice", "description": "My card was charged twice for March."}
    data.update(fields)
    return browser.post("/support/cases/new/", {k: v for k, v in data.items() if v is not None})


__all__ = ["ALICE", "BOB", "SUPPORT_USER_ID"]
