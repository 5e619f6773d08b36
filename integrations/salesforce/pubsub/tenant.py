"""The Pub/Sub API's ``tenantid``: the org id, read once over REST (``SELECT Id FROM Organization``)."""
from __future__ import annotations

from typing import Any, Protocol

from domain.orders.providers.salesforce import transform_salesforce_organization_id
from integrations.salesforce.utils.organization_query_builder import build_org_id_query


class _Queries(Protocol):
    def query(self, soql: str) -> dict[str, Any]: ...


def fetch_tenant_id(connection: _Queries) -> str:
    """The org id (18 characters) of the org ``connection`` is signed in to."""
    return transform_salesforce_organization_id(connection.query(build_org_id_query()))
