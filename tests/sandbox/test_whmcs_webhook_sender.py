"""The WHMCS emulator's signed webhooks, as the portal's hook module sends them: what triggers one,
its headers and signature, and what happens when the receiver is down."""
import hashlib
import hmac
import json
import time

import pytest
import requests

from sandbox.common import json_response, serve
from sandbox.demo_identities import DEMO_CUSTOMERS
from sandbox.whmcs import WhmcsConfig, start_whmcs_sandbox

ALICE, BOB = (c.whmcs_client_id for c in DEMO_CUSTOMERS[:2])
AUTH = {"identifier": "sandbox-identifier", "secret": "sandbox-secret", "responsetype": "json"}
SECRET = "sender-test-secret"


class Receiver:
    """A stand-in webhook endpoint that records every request and answers ``status``."""

    def __init__(self):
        self.requests = []
        self.status = 202

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length)
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        headers["content-type"] = environ.get("CONTENT_TYPE", "")
        self.requests.append({"path": environ["PATH_INFO"], "headers": headers, "body": body})
        return json_response({"status": "ok"}, self.status)(environ, start_response)


@pytest.fixture(scope="module")
def receiver():
    app = Receiver()
    handle = serve(app)
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def whmcs_sandbox(receiver):
    handle = start_whmcs_sandbox(env={}, webhook_url=receiver.url + "/hook", webhook_secret=SECRET)
    yield handle
    handle.stop()


@pytest.fixture(autouse=True)
def clean(whmcs_sandbox, receiver):
    requests.post(f"{whmcs_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    receiver.app.requests.clear()
    receiver.app.status = 202
    yield


def api(whmcs_sandbox, action, **params):
    return requests.post(f"{whmcs_sandbox.url}/includes/api.php", data={**AUTH, "action": action, **params},
                         timeout=5).json()


def events(whmcs_sandbox, count=1):
    """(event, payload without its id and time) of every delivery, once ``count`` have finished."""
    whmcs_sandbox.app.wait_for_webhooks(count, timeout=10)
    time.sleep(0.1)  # anything extra would show up now
    return [(d.event, {k: v for k, v in d.payload.items() if k not in ("event_id", "event", "occurred_at")})
            for d in whmcs_sandbox.app.webhook_deliveries]


def unpaid(whmcs_sandbox, client_id=ALICE):
    store = whmcs_sandbox.app.store
    return next(i for i in store.invoices.values()
                if i.userid == client_id and i.status == "Unpaid" and store.balance(i) > 0)


def test_a_delivery_is_signed_like_the_hook_module_signs(whmcs_sandbox, receiver):
    invoice = unpaid(whmcs_sandbox)
    before = int(time.time())

    api(whmcs_sandbox, "CapturePayment", invoiceid=invoice.id)
    [delivery] = whmcs_sandbox.app.wait_for_webhooks(1)

    [request] = receiver.app.requests
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/hook" and headers["content-type"] == "application/json"
    stamp = headers["x-whmcs-timestamp"]
    assert before <= int(stamp) <= int(time.time())
    expected = hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["x-whmcs-signature"] == expected
    payload = json.loads(body)
    assert headers["x-whmcs-event-id"] == payload["event_id"] == delivery.event_id
    assert len(payload["event_id"]) == 32
    assert payload["event"] == "InvoicePaid" and payload["occurred_at"].endswith("+00:00")
    assert (payload["client_id"], payload["invoice_id"]) == (ALICE, invoice.id)
    assert delivery.ok and delivery.status == 202 and delivery.body == body


def test_each_event_has_its_own_id(whmcs_sandbox):
    first, second = unpaid(whmcs_sandbox), [i for i in whmcs_sandbox.app.store.invoices.values()
                                    if i.userid == BOB and i.status == "Unpaid"][0]
    api(whmcs_sandbox, "CapturePayment", invoiceid=first.id)
    api(whmcs_sandbox, "CapturePayment", invoiceid=second.id)

    deliveries = whmcs_sandbox.app.wait_for_webhooks(2)

    assert len({d.event_id for d in deliveries}) == 2


def test_pay_now_in_the_client_area_sends_invoice_paid(whmcs_sandbox):
    invoice = unpaid(whmcs_sandbox)
    token = api(whmcs_sandbox, "CreateSsoToken", client_id=ALICE, destination="sso:custom_redirect",
                sso_redirect_path=f"viewinvoice.php?id={invoice.id}")
    browser = requests.Session()
    browser.get(token["redirect_url"], timeout=5)

    browser.post(f"{whmcs_sandbox.url}/creditcard.php", params={"invoiceid": invoice.id}, timeout=5)

    assert events(whmcs_sandbox) == [("InvoicePaid", {"client_id": ALICE, "invoice_id": invoice.id})]


def test_a_failed_payment_sends_nothing(whmcs_sandbox):
    paid = next(i for i in whmcs_sandbox.app.store.invoices.values() if i.userid == ALICE and i.status == "Paid")

    assert api(whmcs_sandbox, "CapturePayment", invoiceid=paid.id)["result"] == "error"

    time.sleep(0.2)
    assert whmcs_sandbox.app.webhook_deliveries == []


@pytest.mark.parametrize("status, event", [("Paid", "InvoicePaid"), ("Cancelled", "InvoiceCancelled"),
                                           ("Refunded", "InvoiceRefunded")])
def test_update_invoice_to_a_new_status_sends_its_event(whmcs_sandbox, status, event):
    invoice = unpaid(whmcs_sandbox)

    api(whmcs_sandbox, "UpdateInvoice", invoiceid=invoice.id, status=status)

    assert events(whmcs_sandbox) == [(event, {"client_id": ALICE, "invoice_id": invoice.id})]


def test_update_invoice_without_a_status_change_sends_nothing(whmcs_sandbox):
    invoice = unpaid(whmcs_sandbox)

    api(whmcs_sandbox, "UpdateInvoice", invoiceid=invoice.id, status="Unpaid", notes="hello")

    time.sleep(0.2)
    assert whmcs_sandbox.app.webhook_deliveries == []


def test_create_invoice_and_add_order_send_invoice_created(whmcs_sandbox):
    created = api(whmcs_sandbox, "CreateInvoice", userid=BOB, itemdescription1="Top-up", itemamount1="1000")
    order = api(whmcs_sandbox, "AddOrder", clientid=BOB, paymentmethod="stripe", pid="1")

    sent = events(whmcs_sandbox, 2)
    assert {e for e, _ in sent} == {"InvoiceCreated"}
    assert sorted((p["client_id"], p["invoice_id"]) for _, p in sent) == [
        (BOB, created["invoiceid"]), (BOB, order["invoiceid"])]


def test_accepting_an_order_sends_after_module_create_per_service(whmcs_sandbox):
    order = api(whmcs_sandbox, "AddOrder", clientid=BOB, paymentmethod="stripe", noinvoice="true",
                **{"pid[0]": "1", "pid[1]": "3"})
    service_ids = [int(s) for s in order["serviceids"].split(",")]

    api(whmcs_sandbox, "AcceptOrder", orderid=order["orderid"])

    sent = events(whmcs_sandbox, 2)
    assert sorted(p["service_id"] for e, p in sent if e == "AfterModuleCreate") == service_ids
    assert all(p["client_id"] == BOB and p["product_id"] in (1, 3) for _, p in sent)


def test_module_commands_change_the_service_and_send_their_event(whmcs_sandbox):
    service = next(s for s in whmcs_sandbox.app.store.services.values() if s.clientid == ALICE and s.status == "Active")
    expected = {"client_id": ALICE, "service_id": service.id, "product_id": service.pid, "domain": ""}

    assert api(whmcs_sandbox, "ModuleSuspend", serviceid=service.id, suspendreason="Overdue")["result"] == "success"
    assert service.status == "Suspended" and service.suspensionreason == "Overdue"
    assert api(whmcs_sandbox, "ModuleUnsuspend", serviceid=service.id)["result"] == "success"
    assert api(whmcs_sandbox, "ModuleTerminate", serviceid=service.id)["result"] == "success"
    assert service.status == "Terminated"
    assert api(whmcs_sandbox, "ModuleSuspend", serviceid=service.id) == {
        "result": "error", "message": "Service status is Terminated: ModuleSuspend not possible"}
    assert api(whmcs_sandbox, "ModuleCreate", serviceid=999999)["message"] == "Service ID Not Found"

    sent = events(whmcs_sandbox, 3)
    assert sorted(sent, key=lambda e: e[0]) == [
        ("AfterModuleSuspend", expected), ("AfterModuleTerminate", expected), ("AfterModuleUnsuspend", expected)]


def test_update_client_sends_client_edit_with_the_new_details(whmcs_sandbox):
    assert api(whmcs_sandbox, "UpdateClient", clientid=ALICE, firstname="Alicia", email="alicia@example.com") == {
        "result": "success", "clientid": ALICE}

    assert events(whmcs_sandbox) == [("ClientEdit", {"client_id": ALICE, "firstname": "Alicia", "lastname": "Andersen",
                                             "email": "alicia@example.com", "companyname": ""})]
    assert api(whmcs_sandbox, "UpdateClient", clientid=999999)["message"] == "Client ID Not Found"


def test_a_receiver_answering_an_error_is_recorded_not_retried(whmcs_sandbox, receiver):
    receiver.app.status = 503

    api(whmcs_sandbox, "CapturePayment", invoiceid=unpaid(whmcs_sandbox).id)

    [delivery] = whmcs_sandbox.app.wait_for_webhooks(1)
    time.sleep(0.2)
    assert (delivery.status, delivery.ok, delivery.error) == (503, False, "HTTP 503")
    assert len(receiver.app.requests) == 1


def test_an_unreachable_receiver_is_recorded_and_the_api_call_is_not_held_up():
    handle = start_whmcs_sandbox(env={}, webhook_url="http://127.0.0.1:9/hook", webhook_secret=SECRET,
                                 webhook_timeout=1.0)
    try:
        invoice = unpaid(handle)
        started = time.monotonic()
        assert api(handle, "CapturePayment", invoiceid=invoice.id) == {"result": "success"}
        assert time.monotonic() - started < 1.0

        [delivery] = handle.app.wait_for_webhooks(1, timeout=10)
        assert delivery.status is None and not delivery.ok and delivery.error
    finally:
        handle.stop()


def test_without_a_webhook_url_nothing_is_sent():
    handle = start_whmcs_sandbox(env={})
    try:
        api(handle, "CapturePayment", invoiceid=unpaid(handle).id)
        time.sleep(0.2)
        assert handle.app.webhook_deliveries == []
        assert handle.app.webhooks is None
    finally:
        handle.stop()


def test_the_webhook_settings_come_from_the_environment():
    config = WhmcsConfig.from_env({"SANDBOX_WHMCS_WEBHOOK_URL": "http://portal.test/webhooks/whmcs/",
                                   "SANDBOX_WHMCS_WEBHOOK_SECRET": "s3", "SANDBOX_WHMCS_WEBHOOK_TIMEOUT": "2.5"})

    assert (config.webhook_url, config.webhook_secret, config.webhook_timeout) == (
        "http://portal.test/webhooks/whmcs/", "s3", 2.5)


def test_the_control_endpoint_configures_lists_and_turns_off_webhooks(whmcs_sandbox, receiver):
    control = f"{whmcs_sandbox.url}/__sandbox__/webhooks"
    try:
        assert requests.post(control, json={"url": receiver.url + "/other", "secret": "x"}, timeout=5).json() == {
            "url": receiver.url + "/other", "deliveries": []}
        api(whmcs_sandbox, "CapturePayment", invoiceid=unpaid(whmcs_sandbox).id)
        whmcs_sandbox.app.wait_for_webhooks(1)

        listed = requests.get(control, timeout=5).json()
        assert [d["event"] for d in listed["deliveries"]] == ["InvoicePaid"]
        assert listed["deliveries"][0]["ok"] is True and "secret" not in json.dumps(listed)
        assert receiver.app.requests[0]["path"] == "/other"

        bad = requests.post(control, json={"url": receiver.url + "/x"}, timeout=5)
        assert bad.status_code == 400 and "secret" in bad.json()["error"]
        assert requests.post(control, json={"url": "ftp://example.com", "secret": "x"}, timeout=5).status_code == 400

        assert requests.delete(control, timeout=5).json() == {"url": None, "deliveries": []}
    finally:
        whmcs_sandbox.app.configure_webhooks(receiver.url + "/hook", SECRET)
