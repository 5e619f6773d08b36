"""Fixtures of the support tests: the Salesforce emulator (cases, comments, files) and WHMCS (the
invoices, subscriptions and SIMs a case can be about), driven over their real HTTP endpoints.

Staff answer through ``POST /__sandbox__/cases/<id>/reply``, as an agent would in Salesforce;
Salesforce calls are counted with ``GET /__sandbox__/stats`` and failures injected with
``POST /__sandbox__/faults``. Seed cases are read from ``sf.store`` (never hard-coded).
"""
from __future__ import annotations

import struct
import uuid
import zlib

import pytest
from django.test import Client

from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.salesforce.support_seed import SUPPORT_USER_ID
from sandbox.whmcs import DEMO_SIMS

ALICE, BOB = DEMO_CUSTOMERS[:2]


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


def new_request_id() -> str:
    return str(uuid.uuid4())


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
