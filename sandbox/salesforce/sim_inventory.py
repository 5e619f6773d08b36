"""The seed of the MVNO's SIM inventory in the Salesforce emulator (the ``SIM_Inventory__c`` object
of ``schema``, docs/salesforce-model.md): one record per SIM of ``sandbox.sim_stock`` (the SIMs the
Freebit emulator accepts for a new line), all Available. ``seed.seed_store`` calls it. Tests empty
the inventory by marking records Retired (or deleting them)."""
from __future__ import annotations

from datetime import datetime

from sandbox.sim_stock import STOCK


def seed_sim_inventory(store, *, created: datetime) -> None:
    for sim in STOCK:
        store.insert("SIM_Inventory__c", {
            "Name": f"SIM-{sim.serial:05d}", "Phone_Number__c": sim.msisdn, "ICCID__c": sim.iccid,
            "SIM_Type__c": sim.kind, "Product_Number__c": sim.product_number,
            "Data_Only__c": sim.data_only, "Status__c": "Available", "CreatedDate": created.isoformat(),
        }, system=True)
