"""Salesforce ``SIM_Inventory__c`` query answers -> InventorySim. Pure.

Staff keep the inventory by hand, so one record with a field left empty must not stop provisioning:
each record is mapped on its own, and a bad one comes back as a MappingError beside the good ones
for the caller to log and skip.
"""
from typing import Any

from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.providers.salesforce import PROVIDER, SfQueryResult
from domain.sim.inventory import InventorySim
from domain.sim.providers.salesforce.raw import SfInventorySimRaw

ENTITY = "sim inventory"


def transform_salesforce_inventory_sims(raw: object) -> tuple[tuple[InventorySim, ...], tuple[MappingError, ...]]:
    """The SIMs of a SIM inventory query answer, in the answer's order, and the records refused."""
    records = validate_raw(SfQueryResult[dict[str, Any]], raw, provider=PROVIDER, entity=ENTITY).records
    sims, refused = [], []
    for index, record in enumerate(records):
        try:
            sims.append(_sim(record))
        except MappingError as exc:
            refused.append(MappingError(provider=PROVIDER, entity=ENTITY, field=f"records.{index}.{exc.field}",
                                        reason=exc.reason))
    return tuple(sims), tuple(refused)


def _sim(raw: object) -> InventorySim:
    record = validate_raw(SfInventorySimRaw, raw, provider=PROVIDER, entity=ENTITY)
    return build_domain(
        InventorySim, provider=PROVIDER, entity=ENTITY,
        id=record.Id, msisdn=record.Phone_Number__c, iccid=record.ICCID__c, kind=record.SIM_Type__c,
        product_number=record.Product_Number__c or None, eid=record.EID__c or None,
        data_only=record.Data_Only__c, status=record.Status__c,
        assigned_account_id=record.Assigned_Account__c or None,
        assigned_order_id=record.Assigned_Order__c or None,
        assignment_key=record.Assignment_Key__c or "",
    )
