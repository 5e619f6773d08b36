"""The Freebit MVNO API as this emulator speaks it: the one reference of the wire format.

Requests
--------
``POST <base>/api/sim/<operation>`` with ``Authorization: Bearer <api key>`` and a JSON object body
(``Content-Type: application/json``). Dates in requests are ISO ``YYYY-MM-DD`` (an ISO datetime such
as ``2026-01-01T00:00:00.000Z`` is accepted and its date part used). Data amounts in requests are
megabytes (``quota_mb``).

=============================  ==========================================================  =====
operation                      body                                                        reads
=============================  ==========================================================  =====
``/api/sim/details``           ``{"iccid"}``                                               yes
``/api/sim/usage``             ``{"iccid", "start_date", "end_date"}``                     yes
``/api/sim/topup-history``     ``{"iccid"}``                                               yes
``/api/sim/topup``             ``{"iccid", "quota_mb", "request_id"}``                     no
``/api/sim/plan-change``       ``{"iccid", "plan_code", "effective"}``                     no
``/api/sim/activation``        ``{"plan_code", "request_id", "client_ref"}``               no
=============================  ==========================================================  =====

Answers
-------
Every answer of the API (success or error) is a JSON object with the envelope::

    {"resultCode": "100", "status": {"message": "OK", "statusCode": "200"}, ...payload}

``resultCode`` is a string; "100" is success, anything else an error (table below). ``statusCode``
mirrors an HTTP status, but **business refusals come back with HTTP 200**: only ``resultCode``
tells them from success. Parameter errors are HTTP 400, authentication 401, rate limiting 429.

In answers, data amounts are **kilobytes** (1 MB = 1024 kB, 1 GB = 1024 MB) as JSON integers in
fields ending ``Kb``; dates are ``"YYYYMMDD"``; datetimes ``"YYYYMMDDhhmmss"`` in Japan time (JST,
UTC+9, no offset written); states are lower-case words; voice options are ``"on"``/``"off"``.

``/api/sim/details``::

    "account": {
      "iccid": "8981100000001001124", "msisdn": "09012340012",
      "status": "active",                       # "active" | "suspended" ("pending", "cancelled" exist too)
      "simType": "voice",                       # "voice" | "data"
      "planCode": "MOB-VOICE-20G", "planName": "Mobile Voice 20 GB",
      "totalQuotaKb": 20971520,                 # this month: the plan's quota + this month's top-ups
      "remainingQuotaKb": 8123456,              # what is left of it this month (never below 0)
      "activationDate": "20240318",
      "voiceOption": {"callWaiting": "on", "voiceMail": "on", "internationalRoaming": "off"},  # null for data SIMs
      "pendingPlanChange": {"planCode": "MOB-VOICE-5G", "planName": "Mobile Voice 5 GB",
                            "effectiveDate": "20260201"}                                     # or null
    }

``/api/sim/usage`` (at most 62 days, both ends included; an ``end_date`` after today is cut to
today; days before activation or older than the 62 days the platform keeps are left out)::

    "usage": {"iccid": "...", "startDate": "20260101", "endDate": "20260131", "totalUsageKb": 9876543,
              "daily": [{"date": "20260101", "usageKb": 345678}, ...]}   # date order, one per day

``/api/sim/topup`` adds ``quota_mb`` (100..51200) to the current month's quota of an active SIM.
``request_id`` (1-64 of ``A-Z a-z 0-9 _ -``) makes it idempotent: a request id seen before, with
the same SIM and quota, answers the first top-up again (same ``topupId``) and adds nothing; with a
different SIM or quota it is refused ("241"). Only successful top-ups are remembered::

    "topup": {"topupId": "TP2026011500004", "requestId": "...", "iccid": "...", "quotaKb": 1048576,
              "status": "completed", "createdAt": "20260115140322"}

``/api/sim/topup-history``: the SIM's top-ups, newest first::

    "topupHistory": {"iccid": "...", "count": 2, "list": [<topup>, ...]}

``/api/sim/plan-change`` with ``effective`` ``"immediate"`` (applied now; this month's quota
becomes the new plan's, not prorated) or ``"next_month"`` (booked for the first of next month,
shown by ``details`` as ``pendingPlanChange`` until then; a later booking replaces it; an
immediate change cancels it). Changes stay within a SIM type (voice or data)::

    "planChange": {"iccid": "...", "planCode": "MOB-VOICE-5G", "planName": "Mobile Voice 5 GB",
                   "previousPlanCode": "MOB-VOICE-20G", "status": "scheduled",   # or "applied"
                   "effectiveDate": "20260201"}

``/api/sim/activation`` activates a **new** SIM on ``plan_code`` (an orderable plan) for the
subscriber ``client_ref`` (the MVNO's own reference, 1-64 of ``A-Z a-z 0-9 _ -``; a whole number
is kept as the SIM's ``clientId``): the platform takes the next blank SIM from the MVNO's pool,
gives it an ICCID and a phone number (``020`` numbers for data-only plans, ``070`` for voice) and
activates it today (status "active", the plan's full quota this month; voice SIMs with voicemail
on). ``request_id`` (same alphabet as a top-up's) makes it idempotent: a request id seen before,
with the same plan, answers the same SIM again and takes nothing from the pool; with another plan
it is refused ("252")::

    "activation": {"requestId": "...", "iccid": "8981100001000000018", "msisdn": "02060000001",
                   "planCode": "MOB-DATA-3G", "planName": "Data SIM 3 GB", "simType": "data",
                   "status": "active", "activationDate": "20260115"}

The new SIM then answers ``details``, ``usage``, ``topup`` and ``plan-change`` like any other.

Result codes
------------
======  =====  ======================================================================
code    HTTP   meaning
======  =====  ======================================================================
"100"   200    OK
"201"   400    a parameter is missing or invalid (the message names it), or the body is not a JSON object
"202"   400    usage date range refused: start after end, start in the future, more than 62 days
"210"   200    no such SIM
"220"   200    no such plan code, or the plan cannot be changed to (retired)
"221"   200    the plan is of the other SIM type (voice <-> data)
"222"   200    nothing to change: the SIM is (or is already booked to be) on that plan
"230"   200    the SIM is suspended: top-up and plan change refused
"240"   200    top-up quota out of range (100..51200 MB)
"241"   200    request_id already used for another top-up (other SIM or quota)
"250"   200    activation refused: no such plan code, or the plan is retired
"251"   200    activation refused: no blank SIM left in the MVNO's pool
"252"   200    request_id already used for another activation (other plan)
"401"   401    missing or wrong API key (also sends ``WWW-Authenticate: Bearer``)
"500"   429    too many requests; ``Retry-After`` says how many seconds to wait
======  =====  ======================================================================

The gateway in front of the API may also answer with no Freebit envelope at all: an HTML error
page with a 5xx status, a dropped connection, or a body cut short (the emulator's fault injection).
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sandbox.common.clock import first_of_next_month

from .store import (
    KB_PER_MB,
    PLANS,
    Activation,
    FreebitStore,
    PendingChange,
    PoolExhausted,
    Sim,
    TopUpRecord,
)

OK = "100"
MAX_USAGE_DAYS = 62
TOPUP_MIN_MB, TOPUP_MAX_MB = 100, 51_200

_ICCID = re.compile(r"[0-9]{19,20}")
_REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ISO_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:T[0-9:.]+(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?")

OPERATIONS = ("details", "usage", "topup", "plan-change", "topup-history", "activation")
API_PREFIX = "/api/sim/"


class ApiError(Exception):
    """A Freebit error answer: ``result_code``, its message, and the HTTP status it travels with."""

    def __init__(self, result_code: str, message: str, http_status: int = 200, status_code: str | None = None):
        super().__init__(message)
        self.result_code = result_code
        self.message = message
        self.http_status = http_status
        self.status_code = status_code or str(http_status)


def envelope(result_code: str = OK, message: str = "OK", status_code: str = "200", **payload: Any) -> dict:
    return {"resultCode": result_code, "status": {"message": message, "statusCode": status_code}, **payload}


def error_body(error: ApiError) -> dict:
    return envelope(error.result_code, error.message, error.status_code)


@dataclass
class ApiContext:
    store: FreebitStore
    body: dict[str, Any]
    now: datetime  # JST

    @property
    def today(self) -> date:
        return self.store.today


# -- parameters ------------------------------------------------------------------------------------
def _bad(name: str, why: str) -> ApiError:
    return ApiError("201", f"Parameter error: {name} {why}.", 400)


def _text(ctx: ApiContext, name: str) -> str:
    value = ctx.body.get(name)
    if value is None or value == "":
        raise _bad(name, "is required")
    if not isinstance(value, str):
        raise _bad(name, "must be a string")
    return value


def _sim(ctx: ApiContext) -> Sim:
    iccid = _text(ctx, "iccid")
    if not _ICCID.fullmatch(iccid):
        raise _bad("iccid", "must be 19 or 20 digits")
    sim = ctx.store.sims.get(iccid)
    if sim is None:
        raise ApiError("210", "Specified SIM is not found.", status_code="404")
    return sim


def _date(ctx: ApiContext, name: str) -> date:
    match = _ISO_DATE.fullmatch(_text(ctx, name))
    try:
        if match is None:
            raise ValueError
        return date.fromisoformat(match[1])
    except ValueError:
        raise _bad(name, "must be a date (YYYY-MM-DD)") from None


def _require_active(sim: Sim, what: str) -> None:
    if sim.status != "active":
        raise ApiError("230", f"It can not {what} because the SIM is suspended.", status_code="409")


# -- answers ---------------------------------------------------------------------------------------
def wire_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def _topup(record: TopUpRecord) -> dict:
    return {
        "topupId": record.topup_id,
        "requestId": record.request_id,
        "iccid": record.iccid,
        "quotaKb": record.quota_mb * KB_PER_MB,
        "status": record.status,
        "createdAt": record.created_at.strftime("%Y%m%d%H%M%S"),
    }


def account(store: FreebitStore, sim: Sim) -> dict:
    pending = None
    if sim.pending is not None:
        plan = PLANS[sim.pending.plan_code]
        pending = {"planCode": plan.code, "planName": plan.name, "effectiveDate": wire_date(sim.pending.effective_date)}
    return {
        "iccid": sim.iccid,
        "msisdn": sim.msisdn,
        "status": sim.status,
        "simType": "data" if sim.data_only else "voice",
        "planCode": sim.plan.code,
        "planName": sim.plan.name,
        "totalQuotaKb": store.month_quota_kb(sim, store.today),
        "remainingQuotaKb": store.remaining_kb(sim),
        "activationDate": wire_date(sim.activation_date),
        "voiceOption": None if sim.voice is None else {k: "on" if v else "off" for k, v in sim.voice.items()},
        "pendingPlanChange": pending,
    }


# -- operations ------------------------------------------------------------------------------------
def details(ctx: ApiContext) -> dict:
    sim = _sim(ctx)
    return envelope(account=account(ctx.store, sim))


def usage(ctx: ApiContext) -> dict:
    start, end = _date(ctx, "start_date"), _date(ctx, "end_date")
    if start > end:
        raise ApiError("202", "Date range error: start_date is after end_date.", 400)
    if start > ctx.today:
        raise ApiError("202", "Date range error: start_date is in the future.", 400)
    if (end - start).days + 1 > MAX_USAGE_DAYS:
        raise ApiError("202", f"Date range error: the period must be {MAX_USAGE_DAYS} days or less.", 400)
    sim = _sim(ctx)
    daily = ctx.store.daily_usage(sim, start, end)
    return envelope(usage={
        "iccid": sim.iccid,
        "startDate": wire_date(start),
        "endDate": wire_date(end),
        "totalUsageKb": sum(kb for _, kb in daily),
        "daily": [{"date": wire_date(day), "usageKb": kb} for day, kb in daily],
    })


def topup(ctx: ApiContext) -> dict:
    quota_mb = ctx.body.get("quota_mb")
    if quota_mb is None:
        raise _bad("quota_mb", "is required")
    if not isinstance(quota_mb, int) or isinstance(quota_mb, bool):
        raise _bad("quota_mb", "must be a whole number of megabytes")
    request_id = _text(ctx, "request_id")
    if not _REQUEST_ID.fullmatch(request_id):
        raise _bad("request_id", "must be 1 to 64 letters, digits, '-' or '_'")
    sim = _sim(ctx)
    first = ctx.store.topups_by_request.get(request_id)
    if first is not None:
        if (first.iccid, first.quota_mb) != (sim.iccid, quota_mb):
            raise ApiError("241", "Request ID is already used for another charge.", status_code="409")
        return envelope(topup=_topup(first))  # the same answer again; nothing is added
    _require_active(sim, "charge")
    if not TOPUP_MIN_MB <= quota_mb <= TOPUP_MAX_MB:
        raise ApiError("240", f"Charge quota is out of range ({TOPUP_MIN_MB}-{TOPUP_MAX_MB} MB).", status_code="400")
    record = ctx.store.add_topup(sim.iccid, quota_mb, request_id, ctx.now)
    return envelope(topup=_topup(record))


def topup_history(ctx: ApiContext) -> dict:
    sim = _sim(ctx)
    history = [_topup(record) for record in ctx.store.topup_history(sim.iccid)]
    return envelope(topupHistory={"iccid": sim.iccid, "count": len(history), "list": history})


def plan_change(ctx: ApiContext) -> dict:
    plan_code = _text(ctx, "plan_code")
    effective = _text(ctx, "effective")
    if effective not in ("immediate", "next_month"):
        raise _bad("effective", 'must be "immediate" or "next_month"')
    sim = _sim(ctx)
    _require_active(sim, "change the plan")
    plan = PLANS.get(plan_code)
    if plan is None or not plan.orderable:
        raise ApiError("220", "Specified plan code is not available.", status_code="404")
    if plan.data_only != sim.data_only:
        raise ApiError("221", "Specified plan is not for this SIM type.", status_code="409")
    previous = sim.plan_code
    if effective == "immediate":
        if plan.code == sim.plan_code:
            raise ApiError("222", "The SIM is already on the specified plan.", status_code="409")
        sim.plan_code, sim.pending = plan.code, None
        status, effective_date = "applied", ctx.today
    else:
        booked = sim.pending.plan_code if sim.pending else sim.plan_code
        if plan.code == booked:
            raise ApiError("222", "The SIM is already on the specified plan.", status_code="409")
        effective_date = first_of_next_month(ctx.today)
        # Booking the current plan again just cancels the booked change.
        sim.pending = None if plan.code == sim.plan_code else PendingChange(plan.code, effective_date)
        status = "scheduled"
    return envelope(planChange={
        "iccid": sim.iccid,
        "planCode": plan.code,
        "planName": plan.name,
        "previousPlanCode": previous,
        "status": status,
        "effectiveDate": wire_date(effective_date),
    })


def activate(ctx: ApiContext) -> dict:
    plan_code = _text(ctx, "plan_code")
    request_id = _text(ctx, "request_id")
    if not _REQUEST_ID.fullmatch(request_id):
        raise _bad("request_id", "must be 1 to 64 letters, digits, '-' or '_'")
    client_ref = _text(ctx, "client_ref")
    if not _REQUEST_ID.fullmatch(client_ref):
        raise _bad("client_ref", "must be 1 to 64 letters, digits, '-' or '_'")
    first = ctx.store.activations_by_request.get(request_id)
    if first is not None:
        if first.plan_code != plan_code:
            raise ApiError("252", "Request ID is already used for another activation.", status_code="409")
        return envelope(activation=_activation(ctx.store, first))  # the same SIM again
    plan = PLANS.get(plan_code)
    if plan is None or not plan.orderable:
        raise ApiError("250", "Specified plan code is not available for activation.", status_code="404")
    try:
        record = ctx.store.activate(plan, request_id, client_ref, ctx.now)
    except PoolExhausted:
        raise ApiError("251", "No SIM is left in the pool. Please contact Freebit.", status_code="409") from None
    return envelope(activation=_activation(ctx.store, record))


def _activation(store: FreebitStore, record: Activation) -> dict:
    sim = store.sims[record.iccid]
    return {
        "requestId": record.request_id,
        "iccid": sim.iccid,
        "msisdn": sim.msisdn,
        "planCode": record.plan_code,
        "planName": PLANS[record.plan_code].name,
        "simType": "data" if PLANS[record.plan_code].data_only else "voice",
        "status": sim.status,
        "activationDate": wire_date(sim.activation_date),
    }


HANDLERS: dict[str, Callable[[ApiContext], dict]] = {
    "details": details,
    "usage": usage,
    "topup": topup,
    "plan-change": plan_change,
    "topup-history": topup_history,
    "activation": activate,
}

