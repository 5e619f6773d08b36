"""The SIM inventory queries (``SIM_Inventory__c``, docs/salesforce-model.md): the free SIMs of a
kind, to take one for a new line. Values are validated, then quoted by ``format_soql``."""
from simple_salesforce import format_soql

from domain.sim.inventory import InventoryStatus, SimKind
from integrations.salesforce.utils.soql import InvalidQueryArgumentError, check_limit, field_list

SIM_INVENTORY_FIELDS = (
    "Id",
    "Phone_Number__c",
    "ICCID__c",
    "SIM_Type__c",
    "Product_Number__c",
    "EID__c",
    "Data_Only__c",
    "Status__c",
    "Assigned_Account__c",
    "Assigned_Order__c",
    "Assignment_Key__c",
)
MAX_CANDIDATES = 50


def build_available_sims_query(kind: SimKind, *, data_only: bool, limit: int = 10) -> str:
    """Free SIMs of ``kind`` for a data-only (or a voice) line, in phone-number order."""
    try:
        kind = SimKind(kind)
    except ValueError:
        raise InvalidQueryArgumentError("unknown SIM kind") from None
    if not isinstance(data_only, bool):
        raise InvalidQueryArgumentError("data_only must be true or false")
    return format_soql(
        "SELECT {fields:literal} FROM SIM_Inventory__c WHERE Status__c = {status} AND SIM_Type__c = {kind} "
        "AND Data_Only__c = {data_only} ORDER BY Phone_Number__c LIMIT {limit}",
        fields=field_list(SIM_INVENTORY_FIELDS), status=InventoryStatus.AVAILABLE.value, kind=kind.value,
        data_only=data_only, limit=check_limit(limit, maximum=MAX_CANDIDATES),
    )
