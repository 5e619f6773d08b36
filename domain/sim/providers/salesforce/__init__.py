"""The SIM inventory as Salesforce keeps it (``SIM_Inventory__c``): raw records -> InventorySim."""
from domain.sim.providers.salesforce.mapper import transform_salesforce_inventory_sims

__all__ = ["transform_salesforce_inventory_sims"]
