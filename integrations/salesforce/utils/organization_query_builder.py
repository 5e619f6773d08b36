"""The organization query: the org id is the Pub/Sub API's `tenantid`."""

ORG_ID_QUERY = "SELECT Id FROM Organization"


def build_org_id_query() -> str:
    return ORG_ID_QUERY
