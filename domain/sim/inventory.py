"""The MVNO's own stock of SIMs, from which provisioning takes the SIM of each new line.

Freebit assigns no SIM from a pool of its own: the MVNO buys SIM cards (each with its ICCID and the
product number printed on its back) and eSIM profiles (an ICCID), has phone numbers allotted, and
activates a line on a SIM it holds: a card by its product number (PA02-01), an eSIM profile by its
number onto the customer's phone, named by the phone's EID (PA05-41), which the order carries. The
stock is kept in Salesforce (the ``SIM_Inventory__c`` object, docs/salesforce-model.md): one record
per SIM with its phone number, ICCID, product number (a card), whether the line is data-only, and,
once taken, the Account and Order it was assigned to (and an eSIM's EID once it is on a phone).
"""
from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, model_validator

from domain.shared.model import DomainModel
from domain.shared.salesforce_id import AccountId, OrderId, checked_id
from domain.sim.iccid import Iccid
from domain.sim.types import Eid, Msisdn, SimKind

InventoryId = Annotated[str, AfterValidator(lambda value: checked_id(value))]
"""The Salesforce id of a SIM inventory record (a custom object: its key prefix is the org's own)."""
ProductNumber = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[0-9]{13}$")]


class InventoryStatus(StrEnum):
    AVAILABLE = "Available"
    ASSIGNED = "Assigned"
    """Taken for one unit of one order; its line is being activated."""
    ACTIVATED = "Activated"
    RETIRED = "Retired"
    """Lost, broken or returned: never taken again."""


class InventorySim(DomainModel):
    id: InventoryId
    msisdn: Msisdn
    iccid: Iccid
    kind: SimKind
    product_number: ProductNumber | None = None
    eid: Eid | None = None
    """The phone an eSIM profile was installed on; None while it is free (and always on a card)."""
    data_only: bool
    """A data-only line (an 020 number) rather than a voice line."""
    status: InventoryStatus
    assigned_account_id: AccountId | None = None
    assigned_order_id: OrderId | None = None
    assignment_key: str = ""
    """Who took it: the provisioning job's key and the order unit (``<key>#<unit>``)."""

    @model_validator(mode="after")
    def _identified(self) -> InventorySim:
        if self.kind is SimKind.PHYSICAL and self.product_number is None:
            raise ValueError("a physical SIM needs its product number")
        if self.kind is SimKind.ESIM and self.product_number is not None:
            raise ValueError("an eSIM profile has no product number")
        return self


def assignment_key(job_key: str, unit: int) -> str:
    """What a SIM taken for order unit ``unit`` of the job ``job_key`` carries (``<key>#<unit>``)."""
    if not isinstance(job_key, str) or not job_key:
        raise ValueError("the job key must be non-empty text")
    if not isinstance(unit, int) or isinstance(unit, bool) or not 0 <= unit < 1000:
        raise ValueError("the unit must be a whole number from 0 to 999")
    return f"{job_key}#{unit}"
