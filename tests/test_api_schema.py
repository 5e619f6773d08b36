"""The OpenAPI schema generates without a warning and validates (drf-spectacular)."""
import yaml
from django.core.management import call_command


def test_the_openapi_schema_is_valid_and_complete(tmp_path):
    target = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    paths = yaml.safe_load(target.read_text())["paths"]
    for path in ("/api/v1/invoices", "/api/v1/subscriptions", "/api/v1/catalog", "/api/v1/orders",
                 "/api/v1/sims", "/api/v1/sims/{iccid}/usage", "/api/v1/sims/{iccid}/top-up", "/api/v1/dashboard"):
        assert path in paths
