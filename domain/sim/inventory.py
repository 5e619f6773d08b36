"""The MVNO's own stock of SIMs, from which provisioning takes the SIM of each new line.

Freebit assigns no SIM from a pool of its own: the MVNO buys SIM cards (each with its ICCID and the
product number printed on its back) and eSIM profiles, has phone numbers allotted, and activates a
line on a SIM it holds. The stock is kept in Salesforce (the ``SIM_Inventory__c`` object,
docs/salesforce-model.md): one record per SIM with its phone number, ICCID, product number (a
physical SIM) or EID (an eSIM), whether the line is data-only, and, once taken, the Account and
Order it was assigned to.
"""
from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, model_validator

from domain.shared.model import DomainModel
from domain.shared.salesforce_id import AccountId, OrderId, checked_id
from domain.sim.iccid import Iccid
from domain.sim.types import Msisdn, SimKind

InventoryId = Annotated[str, AfterValidator(lambda value: checked_id(value))]
"""The Salesforce id of a SIM inventory record (a custom object: its key prefix is the org's own)."""
ProductNumber = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[0-9]{13}$")]
Eid = Annotated[str, StringConstraints(pattern=r"^[0-9]{32}$")]


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
        if self.kind is SimKind.ESIM and self.eid is None:
            raise ValueError("an eSIM needs its EID")
        return self


def assignment_key(job_key: str, unit: int) -> str:
    """What a SIM taken for order unit ``unit`` of the job ``job_key`` carries (``<key>#<unit>``)."""
    if not isinstance(job_key, str) or not job_key:
        raise ValueError("the job key must be non-empty text")
    if not isinstance(unit, int) or isinstance(unit, bool) or not 0 <= unit < 1000:
        raise ValueError("the unit must be a whole number from 0 to 999")
    return f"{job_key}#{unit}"
