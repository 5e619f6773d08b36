"""The MVNO's SIM inventory in Salesforce (``SIM_Inventory__c``): the free SIMs of a kind, and the
writes that take one for an order (assigned) and record its line in service (activated)."""
import logging

from domain.shared.salesforce_id import KeyPrefix
from domain.sim.inventory import InventorySim, InventoryStatus, SimKind
from domain.sim.providers.salesforce import transform_salesforce_inventory_sims
from integrations.salesforce.connection import SalesforceConnection
from integrations.salesforce.utils import sim_inventory_query_builder as queries
from integrations.salesforce.utils.soql import require_salesforce_id

logger = logging.getLogger(__name__)
SOBJECT = "SIM_Inventory__c"
ASSIGNMENT_KEY_MAX_LENGTH = 255


class SalesforceSimInventoryClient:
    def __init__(self, connection: SalesforceConnection) -> None:
        self._sf = connection

    def available_sims(self, kind: SimKind, *, data_only: bool, limit: int = 10) -> tuple[InventorySim, ...]:
        """Free SIMs of ``kind`` for a data-only (or voice) line. A record staff left incomplete is
        logged and left out, never taken."""
        raw = self._sf.query(queries.build_available_sims_query(kind, data_only=data_only, limit=limit))
        sims, refused = transform_salesforce_inventory_sims(raw)
        for error in refused:
            logger.warning("SIM inventory record left out (fix it in Salesforce): %s", error)
        return sims

    def assign(self, sim_id: str, *, account_id: str, order_id: str, assignment_key: str) -> None:
        """Take the SIM for one unit of an order (``PATCH``; the same values twice are harmless)."""
        if not assignment_key or len(assignment_key) > ASSIGNMENT_KEY_MAX_LENGTH:
            raise ValueError("the assignment key must be 1 to 255 characters")
        self._sf.update(SOBJECT, require_salesforce_id(sim_id), {
            "Status__c": InventoryStatus.ASSIGNED.value,
            "Assigned_Account__c": require_salesforce_id(account_id, prefix=KeyPrefix.ACCOUNT),
            "Assigned_Order__c": require_salesforce_id(order_id, prefix=KeyPrefix.ORDER),
            "Assignment_Key__c": assignment_key,
        })

    def mark_activated(self, sim_id: str) -> None:
        """Freebit has the SIM's line: it is in service (or about to be)."""
        self._sf.update(SOBJECT, require_salesforce_id(sim_id), {"Status__c": InventoryStatus.ACTIVATED.value})
