"""The request examples of Freebit's PA documents (docs/freebit.md), sent to the emulator as they are
written (only the ``authKey`` is a real one, and a number, plan or date the emulator knows stands in
for the example's), and the portal's own requests compared with them key by key: the same fields,
every value a string, the envelope answered."""
from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs

import pytest
import requests
import responses

from integrations.freebit.connection import FreebitConfig, FreebitConnection
from integrations.freebit.sims import FreebitSimClient
from sandbox.freebit import API_PREFIX, DEFAULT_OEM_ID, DEFAULT_OEM_KEY, start_freebit_sandbox
from sandbox.whmcs import DEMO_SIMS

TODAY = date(2026, 3, 10)
NUMBER = DEMO_SIMS[0].msisdn
# (PA code, path, the document's example, what stands in for the example's own values)
EXAMPLES = [
    ("PA03-02", "/mvno/getDetail/", {"authKey": "…", "version": "2",
                                     "requestDatas": [{"kind": "MVNO", "account": "08038433843"}]},
     {"requestDatas": [{"kind": "MVNO", "account": NUMBER}]}),
    ("PA04-04", "/master/addSpec/", {"authKey": "…", "kind": "MVNO", "account": "09012345678", "quota": "100"},
     {"account": NUMBER}),
    ("PA05-01", "/mvno/getTrafficInfo/", {"authKey": "…", "account": "09012345678"}, {"account": NUMBER}),
    ("PA05-21", "/mvno/changePlan/", {"authKey": "…", "account": "09012345678", "planCode": "LTE3G_P01",
                                      "globalIp": "20", "runTime": "20150227"},
     {"account": NUMBER, "planCode": "MOB-VOICE-5G", "runTime": "20260401"}),
]
ENVELOPE = {"resultCode": "100", "status": {"message": "OK", "statusCode": "200"}}


@pytest.fixture(scope="module")
def freebit_sandbox():
    handle = start_freebit_sandbox(env={}, today=TODAY)
    yield handle
    handle.stop()


@pytest.fixture
def key(freebit_sandbox) -> str:
    requests.post(f"{freebit_sandbox.url}/__sandbox__/reset", timeout=5).raise_for_status()
    answer = requests.post(f"{freebit_sandbox.url}{API_PREFIX}/authOem/", timeout=5, data={
        "json": json.dumps({"oemId": DEFAULT_OEM_ID, "oemKey": DEFAULT_OEM_KEY})}).json()
    return answer["authKey"]


def shape(value):
    """Keys and nesting, with every scalar reduced to its type."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


@pytest.mark.parametrize("code, path, example, stand_ins", EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_the_documents_example_is_answered_with_the_envelope(freebit_sandbox, key, code, path, example, stand_ins):
    body = {**example, **stand_ins, "authKey": key}

    answer = requests.post(freebit_sandbox.url + API_PREFIX + path, data={"json": json.dumps(body)}, timeout=5).json()

    assert {k: answer[k] for k in ENVELOPE} == ENVELOPE, (code, answer)
    assert freebit_sandbox.app.stats()["calls"].get(code) >= 1


def portal_requests() -> dict[str, dict]:
    """What the portal's client sends for each example's operation."""
    base = "https://freebit.example.test/emptool/api"
    service = FreebitSimClient(FreebitConnection(FreebitConfig(api_url=base, oem_id="o", oem_key="k")))
    ok = {"resultCode": "100", "status": {"message": "OK", "statusCode": "200"}}
    sent = {}
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(base + "/authOem/", json={**ok, "authKey": "key"})
        for _, path, _, _ in EXAMPLES:
            mock.post(base + path, json=ok)
        for call in (lambda: service.get_details(NUMBER), lambda: service.add_quota(NUMBER, 100, quota_code="c"),
                     lambda: service.get_traffic(NUMBER),
                     lambda: service.change_plan(NUMBER, "MOB-VOICE-5G", run_date=date(2026, 4, 1))):
            try:
                call()
            except Exception:  # noqa: S110 - the canned answers carry no payload: only the request matters
                pass
        for request_call in mock.calls:
            path = request_call.request.url.removeprefix(base)
            sent[path] = json.loads(parse_qs(request_call.request.body)["json"][0])
    return sent


def test_the_portal_sends_what_the_documents_show():
    sent = portal_requests()
    documented_optional = {"PA04-04": {"quotaCode", "expire"}, "PA05-21": {"globalIp", "runTime"}}
    for code, path, example, _ in EXAMPLES:
        ours = sent[path]
        assert set(ours) <= set(example) | documented_optional.get(code, set()), (code, ours)
        assert set(example) - set(ours) <= documented_optional.get(code, set()) | {"globalIp"}, (code, ours)
        common = {k: ours[k] for k in ours if k in example}
        assert shape(common) == shape({k: example[k] for k in common}), (code, ours)
