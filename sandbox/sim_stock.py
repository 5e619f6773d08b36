"""The MVNO's stock of blank SIMs, as every emulator knows it: one source for the Salesforce
sandbox's SIM inventory records (``SIM_Inventory__c``) and the Freebit sandbox's list of the SIM
cards and eSIM profiles the MVNO bought (Freebit registers a new line only on one of those).

Each stock SIM has the phone number allotted to it, its ICCID and, a physical SIM card, the product
number printed on it (2 capital letters and 13 digits). An eSIM profile has no EID of its own: the
EID names the customer's phone, given at activation (PA05-41 with the profile's number and the
phone's EID). Data-only lines have 020 numbers, voice lines 070 numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

PHYSICAL, ESIM = "Physical", "eSIM"


def luhn_complete(digits: str) -> str:
    """``digits`` plus their Luhn check digit (as on a real ICCID)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


@dataclass(frozen=True)
class StockSim:
    serial: int
    kind: str  # PHYSICAL | ESIM
    data_only: bool
    msisdn: str
    iccid: str
    product_number: str | None = None


def _stock_sim(serial: int, kind: str, data_only: bool) -> StockSim:
    msisdn = f"{'020' if data_only else '070'}6{serial:07d}"
    iccid = luhn_complete(f"89811000{'2' if kind == PHYSICAL else '3'}000{serial:06d}")
    if kind == PHYSICAL:
        return StockSim(serial, kind, data_only, msisdn, iccid, product_number=f"AX{serial:013d}")
    return StockSim(serial, kind, data_only, msisdn, iccid)


STOCK = tuple(
    _stock_sim(serial, kind, data_only)
    for serial, (kind, data_only) in enumerate(
        [(PHYSICAL, True)] * 16 + [(PHYSICAL, False)] * 12 + [(ESIM, True)] * 4 + [(ESIM, False)] * 4, start=1)
)
"""36 SIMs: 16 physical data-only, 12 physical voice, 4 eSIM data-only, 4 eSIM voice (enough for the
demo's orders and the browser tests' several)."""
BY_PRODUCT_NUMBER = {sim.product_number: sim for sim in STOCK if sim.product_number}
ESIM_BY_NUMBER = {sim.msisdn: sim for sim in STOCK if sim.kind == ESIM}
"""The eSIM profiles, by the number allotted to each (how PA05-41 names the one to activate)."""
