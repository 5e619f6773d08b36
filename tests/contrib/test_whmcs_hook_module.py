"""The WHMCS hook module (contrib/whmcs), run by the real PHP CLI against a live portal.

PHP comes from Debian's php-cli (``scripts/ensure-system-packages.sh``). Without it these tests
fail under CI (``CI=true``) and are skipped, saying why, anywhere else.
"""
import json
import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from portal.webhooks import signing
from portal.webhooks.models import WebhookEvent

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "contrib" / "whmcs" / "portal_webhooks.php"
SEND_TEST_EVENT = ROOT / "contrib" / "whmcs" / "send_test_event.php"
HARNESS = Path(__file__).resolve().parent / "whmcs_hook_harness.php"
SECRET = "php-module-test-secret-123"
HOOKS = ["InvoicePaid", "InvoiceCreated", "InvoiceCancelled", "InvoiceRefunded", "AfterModuleCreate",
         "AfterModuleSuspend", "AfterModuleUnsuspend", "AfterModuleTerminate", "ClientEdit"]
Status = WebhookEvent.Status


@pytest.fixture(scope="session")
def php() -> str:
    found = shutil.which("php")
    if found is None:
        message = "the PHP CLI is not installed (Debian's php-cli; scripts/ensure-system-packages.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def run_php(php: str, *args: str, timeout: int = 30) -> subprocess.CompletedProcess:
    return subprocess.run([php, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture
def portal(live_server, settings):
    settings.WHMCS_WEBHOOK_SECRET = SECRET
    settings.WHMCS_WEBHOOK_PREVIOUS_SECRET = ""
    return live_server.url + "/webhooks/whmcs/"


def harness(php: str, url: str, hook: str = "", variables: dict | None = None, invoice_owners: dict | None = None,
            secret: str = SECRET) -> dict:
    result = run_php(php, str(HARNESS), url, secret, hook, json.dumps(variables or {}),
                     json.dumps(invoice_owners or {}))
    assert result.returncode == 0, result.stderr + result.stdout
    return json.loads(result.stdout)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/webhooks/whmcs/"


# -- signing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"{}", b"", '{"event":"ClientEdit","lastname":"Ångström ✓"}'.encode(),
                                  b'{"a": "line\\nbreak", "slash": "a/b"}'])
def test_the_php_signing_function_signs_exactly_like_the_receiver_checks(php, body):
    code = ('require $argv[1]; echo portal_webhooks_sign($argv[2], $argv[3], file_get_contents("php://stdin"));')
    result = subprocess.run([php, "-r", code, str(MODULE), SECRET, "1764140940"], input=body,
                            capture_output=True, timeout=30, cwd=ROOT)

    assert result.returncode == 0, result.stderr
    signature = result.stdout.decode()
    assert signature == signing.sign(SECRET, "1764140940", body)
    assert signing.matching_secret({"current": SECRET}, "1764140940", body, signature) == "current"


# -- send_test_event.php against the live portal ----------------------------------------------------


def send_test_event(php: str, *args: str) -> tuple[int, dict]:
    result = run_php(php, str(SEND_TEST_EVENT), *args)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("transport", ["auto", "stream", "curl"])
def test_a_test_event_from_the_php_cli_is_accepted_stored_and_processed(php, portal, customer_user, transport):
    if transport == "curl" and run_php(php, "-r", "exit(function_exists('curl_init') ? 0 : 1);").returncode:
        pytest.skip("PHP's curl extension is not installed here (Debian's php-curl); WHMCS always has it")

    code, answer = send_test_event(php, f"--url={portal}", f"--secret={SECRET}", "--event=InvoicePaid",
                                   "--client-id=1001", "--invoice-id=5", f"--transport={transport}")

    assert (code, answer["status"]) == (0, 202), answer
    event = WebhookEvent.objects.get(event_id=answer["event_id"])
    assert (event.event_type, event.client_id, event.status) == ("InvoicePaid", 1001, Status.PROCESSED)
    assert event.headers["User-Agent"] == "WHMCS-Portal-Webhooks/1.0"
    assert json.loads(bytes(event.body))["invoice_id"] == 5


@pytest.mark.django_db(transaction=True)
def test_a_test_event_signed_with_the_wrong_secret_is_refused_and_the_cli_says_so(php, portal):
    code, answer = send_test_event(php, f"--url={portal}", "--secret=not-the-secret")

    assert (code, answer["status"]) == (1, 401)
    assert "signature does not match" in answer["response"]
    assert WebhookEvent.objects.count() == 0


def test_the_cli_reports_an_unreachable_portal(php):
    code, answer = send_test_event(php, f"--url={closed_port_url()}", f"--secret={SECRET}", "--transport=stream")

    assert code == 1 and answer["status"] == 0 and answer["error"]


def test_the_cli_reads_the_module_config_file(php, tmp_path):
    config = tmp_path / "_portal_webhooks_config.php"
    config.write_text(f"<?php return ['url' => '{closed_port_url()}', 'secret' => 'x', 'timeout' => 2];")

    code, answer = send_test_event(php, f"--config={config}", "--transport=stream")

    assert code == 1 and answer["status"] == 0  # it tried the configured URL


# -- the hooks, as WHMCS runs them ------------------------------------------------------------------


def test_the_module_registers_its_nine_hooks_only_inside_whmcs(php):
    assert harness(php, "http://unused.invalid/")["registered"] == HOOKS

    outside = run_php(php, "-r", "require $argv[1]; echo function_exists('add_hook') ? 'yes' : 'no';", str(MODULE))
    assert (outside.returncode, outside.stdout) == (0, "no")


@pytest.mark.django_db(transaction=True)
def test_invoice_paid_looks_up_the_invoice_owner_and_is_processed_by_the_portal(php, portal, customer_user):
    ran = harness(php, portal, "InvoicePaid", {"invoiceid": 77}, invoice_owners={"77": 1001})

    assert ran["api_calls"] == [["GetInvoice", {"invoiceid": 77}]]
    assert ran["activity"] == []
    event = WebhookEvent.objects.get()
    assert (event.event_type, event.client_id, event.status) == ("InvoicePaid", 1001, Status.PROCESSED)
    body = json.loads(bytes(event.body))
    assert body["event_id"] == event.event_id and len(event.event_id) == 32
    assert body["occurred_at"].endswith("+00:00")


@pytest.mark.django_db(transaction=True)
def test_a_service_hook_sends_only_ids_never_the_modules_credentials(php, portal, customer_user):
    params = {"serviceid": 12, "userid": 1001, "pid": 3, "domain": "", "password": "sim-portal-pass",
              "serverpassword": "root-pass", "serverusername": "root"}

    harness(php, portal, "AfterModuleSuspend", {"params": params})

    event = WebhookEvent.objects.get()
    body = json.loads(bytes(event.body))
    assert {k: body[k] for k in ("event", "client_id", "service_id", "product_id")} == {
        "event": "AfterModuleSuspend", "client_id": 1001, "service_id": 12, "product_id": 3}
    assert b"pass" not in bytes(event.body) and b"root" not in bytes(event.body)
    assert event.status == Status.PROCESSED


@pytest.mark.django_db(transaction=True)
def test_client_edit_renames_the_portal_user(php, portal, customer_user):
    harness(php, portal, "ClientEdit", {"userid": 1001, "firstname": "Alicia", "lastname": "Ångström",
                                        "email": "alice@example.com", "address1": "1 Main St",
                                        "olddata": {"firstname": "Alice"}})

    customer_user.refresh_from_db()
    assert (customer_user.first_name, customer_user.last_name) == ("Alicia", "Ångström")
    assert b"Main St" not in bytes(WebhookEvent.objects.get().body)


def test_a_portal_outage_is_logged_in_whmcs_and_never_breaks_the_hook(php):
    ran = harness(php, closed_port_url(), "InvoicePaid", {"invoiceid": 5}, invoice_owners={"5": 1001})

    [line] = ran["activity"]
    assert line.startswith("Portal webhook InvoicePaid ") and "not delivered" in line


def test_an_invoice_whmcs_does_not_know_is_logged_and_not_sent(php):
    ran = harness(php, closed_port_url(), "InvoiceCancelled", {"invoiceid": 404}, invoice_owners={})

    assert ran["activity"] == ["Portal webhook InvoiceCancelled not sent: no client found for invoice 404"]


def test_without_a_url_or_secret_nothing_is_sent_and_it_says_so(php):
    ran = harness(php, "", "InvoicePaid", {"invoiceid": 5}, invoice_owners={"5": 1001})

    assert ran["activity"] == [
        "Portal webhook InvoicePaid not sent: the portal URL or the shared secret is not configured"]
