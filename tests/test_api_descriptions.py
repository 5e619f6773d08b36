"""Every operation of /api/docs/ is described for the people who use the API, each in its own words
(not the internal docstring of the class the views share)."""
import pytest
from django.test import Client

from portal.core.api import CustomerApi


@pytest.mark.django_db
def test_every_api_operation_has_its_own_description():
    schema = Client().get("/api/schema/", {"format": "json"}).json()
    operations = {f"{method.upper()} {path}": operation
                  for path, item in schema["paths"].items() for method, operation in item.items()
                  if method in ("get", "post", "put", "patch", "delete")}
    internal = " ".join((CustomerApi.__doc__ or "").split())

    missing = [name for name, op in operations.items() if not op.get("description", "").strip()]
    shared = [name for name, op in operations.items() if " ".join(op.get("description", "").split()) == internal]
    assert operations and not missing and not shared, {"missing": missing, "internal docstring": shared}
