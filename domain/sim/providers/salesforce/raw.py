"""Raw ``SIM_Inventory__c`` records, as the SIM inventory queries select them
(``integrations.salesforce.utils.sim_inventory_query_builder``). Every selected field comes, as
``null`` when empty; the optional ones may well be (a physical SIM has no EID, a free one no
assignment)."""
from typing import Annotated

from domain.shared.providers.salesforce import SalesforceRawModel, SfCheckbox, SfOptionalText, SfText, picklist
from domain.sim.inventory import InventoryStatus, SimKind


class SfInventorySimRaw(SalesforceRawModel):
    Id: SfText
    Phone_Number__c: SfText
    ICCID__c: SfText
    SIM_Type__c: Annotated[SimKind, picklist(SimKind)]
    Product_Number__c: SfOptionalText = None
    EID__c: SfOptionalText = None
    Data_Only__c: SfCheckbox
    Status__c: Annotated[InventoryStatus, picklist(InventoryStatus)]
    Assigned_Account__c: SfOptionalText = None
    Assigned_Order__c: SfOptionalText = None
    Assignment_Key__c: SfOptionalText = None
