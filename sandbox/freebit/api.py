"""Freebit's MVNO "PA" API as this emulator speaks it (reference: docs/freebit.md).

Requests
--------
``POST <base>/emptool/api/<group>/<operation>/`` (the trailing slash is part of the path) with an
``application/x-www-form-urlencoded`` body whose one field ``json`` holds the request object as a
JSON string. There is no authentication header: ``authOem/`` (PA01-01) answers an ``authKey`` for
the OEM id and key, and every other request object carries it as ``authKey``. Scalars are strings,
flags ``"10"`` (yes) / ``"20"`` (no), dates ``YYYYMMDD`` (Japan time); a SIM is named by its phone
number (``account``).

==============================  =======  ==============================================================
path (under ``/emptool/api``)   PA code  request object (besides ``authKey``)
==============================  =======  ==============================================================
``/authOem/``                   PA01-01  ``oemId``, ``oemKey`` (no ``authKey``)
``/mvno/getDetail/``            PA03-02  ``version``, ``requestDatas: [{kind: "MVNO", account}]``
``/mvno/getTrafficInfo/``       PA05-01  ``account``
``/master/addSpec/``            PA04-04  ``kind``, ``account``, ``quota`` (MB), ``quotaCode``?, ``expire``?
``/mvno/getQuotaHistory/``      PA05-02  ``kind``, ``account``, ``fromDate``, ``toDate`` (all ASSUMED)
``/mvno/changePlan/``           PA05-21  ``account``, ``planCode``, ``globalIp``?, ``runTime``? (path ASSUMED)
``/master/addAcnt/``            PA02-01  ``createType: "new"``, ``kind``, ``account``, ``productNumber``,
                                         ``planCode``
``/mvno/esim/addAcnt/``         PA05-41  ``aladinOperated``?, ``createType: "new"``, ``addKind: "N"``,
                                         ``account`` (the number of one of the MVNO's eSIM profiles),
                                         ``eid`` (the phone's), ``planCode``; or a reissue: ``addKind: "R"``,
                                         ``account``, ``eid`` (the new device's), ``reissue: {oldEid}``?
``/mvno/talkoption/changeOrder/`` PA05-06 ``account``, ``userConfirmed: "10"``, ``aladinOperated``?,
                                         ``talkOption: {voiceMail?, callWaiting?, worldWing?}`` (non-empty)
``/mvno/contractline/change/``  PA05-38  ``account``, ``contractLine: "4G" | "5G"``, ``productNumber``?
``/master/cnclAcnt/``           PA02-04  ``kind``, ``account``, ``runDate``? (YYYYMMDD, YYYY/MM/DD or
                                         YYYY-MM-DD; immediate without)
==============================  =======  ==============================================================

Asynchronous writes (the emulator's clock decides when they land; ``FreebitConfig`` sets the delays):

- PA05-06 is accepted and applied ``voice_option_delay_seconds`` later; until then PA03-02 shows the
  options as they were. An option left out is unchanged.
- PA05-38 locks the account at once for ``contract_line_seconds`` (about 30 minutes): every write
  to it (PA04-04, PA05-21, PA05-06, PA05-38, PA02-04, PA05-41) is refused with "260" until the new
  line shows in PA03-02's ``contractLine``.
- PA02-04 books the cancellation for the start of ``runDate`` (now without it), effective
  ``cancel_delay_seconds`` later (Freebit: up to 10 minutes); the line is then ``"obsolete"``. A
  second call for the same account replaces the booking.
- PA05-41 ``"R"`` moves the line to the new EID at once (PA03-02's ``eid``); every call is one more
  reissue (no idempotency key); a line on a SIM card (no EID) is refused ("250"). Freebit's
  completion notice is a file, not emulated.

``kind`` is ``"MVNO"`` wherever it is sent.

Answers
-------
Every answer is a JSON object with the envelope
``{"resultCode": "100", "status": {"message": "OK", "statusCode": "200"}, ...payload}``; "100" is
success. Errors come back **with HTTP 200** and an error ``resultCode`` (table below); only the
emulator's fault injection answers otherwise (an HTML error page with a 5xx status, a dropped
connection, a body cut short; a rate limit is HTTP 429 with resultCode "500").

Payloads (every field beyond the envelope, ``authKey`` and PA05-21's ``ipv4`` is an assumption,
the same as in the portal's ``domain/sim/providers/freebit/raw.py``; data figures in kB)::

    authOem/          {"authKey": "<32 hex>"}
    getDetail/        {"responseDatas": [{"kind": "MVNO", "account": "09012340012", "iccid": "8981...",
                        "state": "active",            # active | suspended | temporary | obsolete
                        "planCode": "MOB-VOICE-20G", "planName": "Mobile Voice 20 GB",
                        "startDate": "20240318", "talk": "10",           # "20": a data-only line
                        "talkOption": {"voiceMail": "10", "callWaiting": "10", "worldWing": "20"},  # null: data line
                        "quota": "8123456",            # kB left this month
                        "monthQuota": "21495808",      # kB this month: the plan's plus this month's additions
                        "contractLine": "4G",          # "4G" | "5G"
                        "eid": null}]}                 # an eSIM's EID; null: a physical SIM
    getTrafficInfo/   {"account": "...", "traffic": {"today": "123456",         # kB today so far
                        "inRecentDays": "2345678",     # kB over the three days before today
                        "blackList": "20"}}            # "10": speed-restricted
    addSpec/          (envelope only)  -- every call adds, whatever its quotaCode: no idempotency
    getQuotaHistory/  {"account": "...", "quotaHistory": [{"quota": "1024", "quotaCode": "...",
                        "addDate": "20260115140322", "expire": "20260131"}, ...]}   # newest first
    changePlan/       {"ipv4": ""}   (runTime: booked for that day; without: now)
    addAcnt/          (envelope only)  -- the line is "temporary", then "active" (activation_delay_seconds)

Result codes (assumed, as in ``integrations/freebit/connection.py``)
--------------------------------------------------------------------
======  =====================================================================================
code    meaning
======  =====================================================================================
"100"   OK
"201"   a parameter is missing or invalid (the message names it), or the body has no ``json``
"210"   no such account (phone number)
"220"   no such plan code, retired, of the other line type (voice <-> data), or the current one
"230"   the account is suspended (or not in service yet): no quota, no plan change
"240"   quota out of range (1..512000 MB)
"250"   new line refused: the card (product number) or eSIM profile (number) is not the MVNO's or is
        used, the phone's EID is on another line, or the plan;
        an eSIM reissue refused: the line is on a SIM card, or the EID is the line's or in use
"251"   new line refused: the phone number is registered already
"260"   the account is locked: a contract line change (PA05-38) is in progress
"270"   the account has no voice service (PA05-06 on a data-only line)
"400"   with statusCode "356": an unsupported pattern (PA05-41 ``aladinOperated`` "10" with ``addKind`` not "N")
"401"   authentication: wrong OEM id / key, or an ``authKey`` unknown or expired
"500"   too many requests (HTTP 429 with ``Retry-After``)
======  =====================================================================================
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.sim_stock import BY_PRODUCT_NUMBER, ESIM_BY_NUMBER

from .store import (
    HEAVY_RECENT_KB,
    KB_PER_MB,
    PLANS,
    Account,
    FreebitStore,
    PendingChange,
    PendingLine,
    PendingVoice,
    Plan,
    Reissue,
)

OK = "100"
API_PREFIX = "/emptool/api"
QUOTA_MIN_MB, QUOTA_MAX_MB = 1, 512_000
YES, NO = "10", "20"

_ACCOUNT = re.compile(r"[0-9]{11,14}")
_DIGITS = re.compile(r"[0-9]{1,6}")
_DATE = re.compile(r"[0-9]{8}")
_QUOTA_CODE = re.compile(r"[\x21-\x7e]{1,512}")
_PRODUCT_NUMBER = re.compile(r"[A-Z]{2}[0-9]{13}")
_EID = re.compile(r"[0-9]{32}")

OPERATIONS = {
    "/authOem/": "PA01-01",
    "/mvno/getDetail/": "PA03-02",
    "/mvno/getTrafficInfo/": "PA05-01",
    "/master/addSpec/": "PA04-04",
    "/mvno/getQuotaHistory/": "PA05-02",
    "/mvno/changePlan/": "PA05-21",
    "/master/addAcnt/": "PA02-01",
    "/mvno/esim/addAcnt/": "PA05-41",
    "/mvno/talkoption/changeOrder/": "PA05-06",
    "/mvno/contractline/change/": "PA05-38",
    "/master/cnclAcnt/": "PA02-04",
}
"""Path (under ``API_PREFIX``) -> the PA code calls are counted under (and faults filtered by)."""


class ApiError(Exception):
    """A Freebit error answer: ``result_code`` and its message (sent with HTTP 200)."""

    def __init__(self, result_code: str, message: str, status_code: str = "200", http_status: int = 200):
        super().__init__(message)
        self.result_code = result_code
        self.message = message
        self.status_code = status_code
        self.http_status = http_status


def envelope(result_code: str = OK, message: str = "OK", status_code: str = "200", **payload: Any) -> dict:
    return {"resultCode": result_code, "status": {"message": message, "statusCode": status_code}, **payload}


def error_body(error: ApiError) -> dict:
    return envelope(error.result_code, error.message, error.status_code)


@dataclass
class AuthKeys:
    """The authKeys handed out, each valid for ``ttl`` (Freebit's lifetime is not documented)."""

    ttl: timedelta
    issued: dict[str, datetime]

    def issue(self, now: datetime) -> str:
        key = secrets.token_hex(16)
        self.issued[key] = now + self.ttl
        return key

    def valid(self, key: object, now: datetime) -> bool:
        expiry = self.issued.get(key) if isinstance(key, str) else None
        return expiry is not None and now < expiry

    def expire_all(self) -> int:
        count = len(self.issued)
        self.issued.clear()
        return count


@dataclass
class ApiContext:
    store: FreebitStore
    body: dict[str, Any]
    now: datetime  # JST
    activation_delay: timedelta
    voice_option_delay: timedelta = timedelta(minutes=5)
    contract_line_delay: timedelta = timedelta(minutes=30)
    cancel_delay: timedelta = timedelta(minutes=10)

    @property
    def today(self) -> date:
        return self.store.today


# -- parameters ------------------------------------------------------------------------------------
def _bad(name: str, why: str) -> ApiError:
    return ApiError("201", f"Parameter error: {name} {why}.", "400")


def _text(ctx: ApiContext, name: str, body: dict | None = None) -> str:
    value = (ctx.body if body is None else body).get(name)
    if value is None or value == "":
        raise _bad(name, "is required")
    if not isinstance(value, str):
        raise _bad(name, "must be a string")
    return value


def _optional(ctx: ApiContext, name: str) -> str | None:
    return None if ctx.body.get(name) in (None, "") else _text(ctx, name)


def _kind(ctx: ApiContext, body: dict | None = None) -> None:
    if _text(ctx, "kind", body) != "MVNO":
        raise _bad("kind", 'must be "MVNO"')


def _phone(ctx: ApiContext, body: dict | None = None) -> str:
    account = _text(ctx, "account", body)
    if not _ACCOUNT.fullmatch(account):
        raise _bad("account", "must be 11 to 14 digits")
    return account


def _account(ctx: ApiContext, body: dict | None = None) -> Account:
    account = ctx.store.line(_phone(ctx, body))
    if account is None:
        raise ApiError("210", "Specified account is not found.", "404")
    return account


def _date(ctx: ApiContext, name: str) -> date:
    value = _text(ctx, name)
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise _bad(name, "must be a date (YYYYMMDD)") from None


def _in_service(account: Account, what: str) -> None:
    if account.status != "active":
        raise ApiError("230", f"It can not {what} because the account is {account.status}.", "409")


def _unlocked(account: Account) -> None:
    if account.locked:
        raise ApiError("260", "The account is locked: a contract line change is in progress.", "409")


def _plan(code: str, *, data_only: bool | None = None) -> Plan:
    plan = PLANS.get(code)
    if plan is None or not plan.orderable:
        raise ApiError("220", "Specified plan code is not available.", "404")
    if data_only is not None and plan.data_only != data_only:
        raise ApiError("220", "Specified plan is not for this line type.", "409")
    return plan


# -- answers ---------------------------------------------------------------------------------------
def wire_date(day: date) -> str:
    return day.strftime("%Y%m%d")


def flag(value: bool) -> str:
    return YES if value else NO


def account_details(store: FreebitStore, account: Account) -> dict:
    return {
        "kind": "MVNO",
        "account": account.msisdn,
        "iccid": account.iccid,
        "state": account.status,
        "planCode": account.plan.code,
        "planName": account.plan.name,
        "startDate": wire_date(account.activation_date),
        "talk": flag(not account.data_only),
        "talkOption": None if account.voice is None else {name: flag(on) for name, on in account.voice.items()},
        "quota": str(store.remaining_kb(account)),
        "monthQuota": str(store.month_quota_kb(account, store.today)),
        "contractLine": account.contract_line,
        "eid": account.eid,
    }


# -- operations ------------------------------------------------------------------------------------
def details(ctx: ApiContext) -> dict:
    requested = ctx.body.get("requestDatas")
    if not isinstance(requested, list) or not requested or not isinstance(requested[0], dict):
        raise _bad("requestDatas", "must be a list of one {kind, account}")
    target = requested[0]  # a list, but only its first item is read (PA03-02)
    _kind(ctx, target)
    return envelope(responseDatas=[account_details(ctx.store, _account(ctx, target))])


def traffic(ctx: ApiContext) -> dict:
    account = _account(ctx)
    recent = ctx.store.recent_days_kb(account)
    return envelope(account=account.msisdn, traffic={
        "today": str(ctx.store.used_today_kb(account)),
        "inRecentDays": str(recent),
        "blackList": flag(recent > HEAVY_RECENT_KB),
    })


def add_quota(ctx: ApiContext) -> dict:
    _kind(ctx)
    quota = _text(ctx, "quota")
    if not _DIGITS.fullmatch(quota):
        raise _bad("quota", "must be 1 to 6 digits (MB)")
    quota_code = _optional(ctx, "quotaCode")
    if quota_code is not None and not _QUOTA_CODE.fullmatch(quota_code):
        raise _bad("quotaCode", "must be 1 to 512 half-width characters")
    expire = _date(ctx, "expire") if _optional(ctx, "expire") is not None else None
    account = _account(ctx)
    _in_service(account, "add quota")
    _unlocked(account)
    if not QUOTA_MIN_MB <= int(quota) <= QUOTA_MAX_MB:
        raise ApiError("240", f"Quota is out of range ({QUOTA_MIN_MB}-{QUOTA_MAX_MB} MB).", "400")
    if expire is not None and expire < ctx.today:
        raise _bad("expire", "is in the past")
    ctx.store.add_quota(account, int(quota), quota_code, expire, ctx.now)  # every call adds: no idempotency
    return envelope()


def quota_history(ctx: ApiContext) -> dict:
    _kind(ctx)
    start, end = _date(ctx, "fromDate"), _date(ctx, "toDate")
    if start > end:
        raise _bad("fromDate", "is after toDate")
    account = _account(ctx)
    entries = [{"quota": str(record.quota_mb), "quotaCode": record.quota_code,
                "addDate": record.added_at.strftime("%Y%m%d%H%M%S"), "expire": wire_date(record.expire)}
               for record in ctx.store.quota_history(account, start, end)]
    return envelope(account=account.msisdn, quotaHistory=entries)


def change_plan(ctx: ApiContext) -> dict:
    plan_code = _text(ctx, "planCode")
    if _optional(ctx, "globalIp") not in (None, NO):
        raise _bad("globalIp", "needs a global IP contract")
    run_date = _date(ctx, "runTime") if _optional(ctx, "runTime") is not None else None
    account = _account(ctx)
    _in_service(account, "change the plan")
    _unlocked(account)
    plan = _plan(plan_code, data_only=account.data_only)
    if run_date is None or run_date <= ctx.today:
        if run_date is not None and run_date < ctx.today:
            raise _bad("runTime", "is in the past")
        if plan.code == account.plan_code:
            raise ApiError("220", "The account is already on the specified plan.", "409")
        account.plan_code, account.pending = plan.code, None
    else:  # A later booking replaces an earlier one; booking the current plan cancels it.
        account.pending = None if plan.code == account.plan_code else PendingChange(plan.code, run_date)
    return envelope(ipv4="")


def _new_line(ctx: ApiContext, *, stock, plan_code: str, eid: str | None = None) -> dict:
    msisdn = _phone(ctx)
    if stock is None:
        raise ApiError("250", "Specified SIM is not one of the MVNO's.", "404")
    if msisdn in ctx.store.accounts or msisdn in ctx.store.population:
        raise ApiError("251", "Specified account is already registered.", "409")
    if stock.iccid in ctx.store.used_stock():
        raise ApiError("250", "Specified SIM is already in use.", "409")
    if eid is not None and eid in ctx.store.eids_in_use():
        raise ApiError("250", "Specified EID is already in use.", "409")
    plan = PLANS.get(plan_code)
    if plan is None or not plan.orderable:
        raise ApiError("250", "Specified plan code is not available.", "404")
    in_service_at = ctx.now + ctx.activation_delay if ctx.activation_delay else None
    ctx.store.register(stock, msisdn, plan, in_service_at=in_service_at, eid=eid)
    return envelope()


def new_line(ctx: ApiContext) -> dict:
    if _text(ctx, "createType") != "new":
        raise _bad("createType", 'must be "new" (no User Management Service)')
    _kind(ctx)
    product_number = _text(ctx, "productNumber")
    if not _PRODUCT_NUMBER.fullmatch(product_number):
        raise _bad("productNumber", "must be 2 capital letters and 13 digits")
    return _new_line(ctx, stock=BY_PRODUCT_NUMBER.get(product_number), plan_code=_text(ctx, "planCode"))


def new_esim_line(ctx: ApiContext) -> dict:
    aladin = _optional(ctx, "aladinOperated") or NO
    if aladin not in (YES, NO):
        raise _bad("aladinOperated", 'must be "10" or "20"')
    add_kind = _text(ctx, "addKind")
    if aladin == YES and add_kind != "N":
        raise ApiError("400", "Unsupported pattern.", "356")
    if add_kind == "R":
        return reissue_esim(ctx)
    if add_kind != "N":
        raise _bad("addKind", 'must be "N" or "R" (MNP is not emulated)')
    if _text(ctx, "createType") != "new":
        raise _bad("createType", 'must be "new" (no User Management Service)')
    eid = _text(ctx, "eid")
    if not _EID.fullmatch(eid):
        raise _bad("eid", "must be 32 digits")
    # The profile is the one allotted the number; the EID names the customer's phone it goes onto.
    return _new_line(ctx, stock=ESIM_BY_NUMBER.get(_phone(ctx)), plan_code=_text(ctx, "planCode"), eid=eid)


def reissue_esim(ctx: ApiContext) -> dict:
    """PA05-41 ``addKind`` "R": the line's eSIM profile for a new device (its EID). Not idempotent."""
    eid = _text(ctx, "eid")
    if not _EID.fullmatch(eid):
        raise _bad("eid", "must be 32 digits")
    old = ctx.body.get("reissue")
    if old is not None and not isinstance(old, dict):
        raise _bad("reissue", "must be an object")
    account = _account(ctx)
    _in_service(account, "reissue the eSIM")
    _unlocked(account)
    if account.eid is None:  # a SIM card: replaced by another card, never reissued
        raise ApiError("250", "Specified account is not an eSIM.", "409")
    if old and old.get("oldEid") not in (None, "", account.eid):
        raise _bad("reissue.oldEid", "is not the account's EID")
    if eid == account.eid:
        raise ApiError("250", "Specified EID is already the account's.", "409")
    if eid in ctx.store.eids_in_use():
        raise ApiError("250", "Specified EID is already in use.", "409")
    ctx.store.reissues.append(Reissue(account.msisdn, eid, account.eid, ctx.now))
    account.eid, account.product_number = eid, None
    ctx.store.orders.append((ctx.now, "PA05-41", account.msisdn, {"addKind": "R", "eid": eid}))
    return envelope()


VOICE_OPTIONS = ("voiceMail", "callWaiting", "worldWing")


def change_voice_options(ctx: ApiContext) -> dict:
    """PA05-06: accepted now, applied later; an option left out stays as it is."""
    if _text(ctx, "userConfirmed") != YES:
        raise _bad("userConfirmed", 'must be "10"')
    if (_optional(ctx, "aladinOperated") or NO) not in (YES, NO):
        raise _bad("aladinOperated", 'must be "10" or "20"')
    options = ctx.body.get("talkOption")
    if not isinstance(options, dict) or not options:
        raise _bad("talkOption", "must be a non-empty object")
    changes = {}
    for name, value in options.items():
        if name not in VOICE_OPTIONS:
            raise _bad(f"talkOption.{name}", "is not a voice option")
        if value not in (YES, NO):
            raise _bad(f"talkOption.{name}", 'must be "10" or "20"')
        changes[name] = value == YES
    account = _account(ctx)
    if account.data_only:
        raise ApiError("270", "The account has no voice service.", "409")
    _in_service(account, "change voice options")
    _unlocked(account)
    pending = account.voice_order.options if account.voice_order else {}
    account.voice_order = PendingVoice({**pending, **changes}, ctx.now + ctx.voice_option_delay)
    ctx.store.orders.append((ctx.now, "PA05-06", account.msisdn, dict(changes)))
    return envelope()


def change_contract_line(ctx: ApiContext) -> dict:
    """PA05-38: the switch takes about 30 minutes and locks the account meanwhile."""
    line = _text(ctx, "contractLine")
    if line not in ("4G", "5G"):
        raise _bad("contractLine", 'must be "4G" or "5G"')
    product_number = _optional(ctx, "productNumber")
    account = _account(ctx)
    if product_number is not None and product_number != account.product_number:
        raise _bad("productNumber", "is not the account's SIM")
    _in_service(account, "change the contract line")
    _unlocked(account)
    if line == account.contract_line:
        raise _bad("contractLine", "is the account's contract line already")
    account.line_change = PendingLine(line, ctx.now + ctx.contract_line_delay)
    ctx.store.orders.append((ctx.now, "PA05-38", account.msisdn, {"contractLine": line}))
    return envelope()


def _run_date(ctx: ApiContext) -> date | None:
    value = _optional(ctx, "runDate")
    if value is None:
        return None
    digits = value.replace("/", "").replace("-", "") if re.fullmatch(r"\d{4}([/-])\d{2}\1\d{2}", value) else value
    try:
        if not _DATE.fullmatch(digits):
            raise ValueError
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise _bad("runDate", "must be a date (YYYYMMDD, YYYY/MM/DD or YYYY-MM-DD)") from None


def cancel_account(ctx: ApiContext) -> dict:
    """PA02-04: the line ends at the start of ``runDate`` (now without it), up to 10 minutes later."""
    kind = _text(ctx, "kind")
    if kind == "MASTER":
        raise _bad("kind", "MASTER accounts cannot be cancelled")
    _kind(ctx)
    run_date = _run_date(ctx)
    account = _account(ctx)
    if account.status not in ("active", "suspended"):
        raise ApiError("230", f"It can not cancel because the account is {account.status}.", "409")
    _unlocked(account)
    if run_date is not None and run_date < ctx.today:
        raise _bad("runDate", "is in the past")
    start = ctx.now if run_date is None or run_date == ctx.today else datetime.combine(
        run_date, datetime.min.time(), ctx.now.tzinfo)
    account.cancel_at, account.cancel_run_date = start + ctx.cancel_delay, run_date  # a later call replaces it
    ctx.store.orders.append((ctx.now, "PA02-04", account.msisdn,
                             {"runDate": wire_date(run_date) if run_date else None}))
    return envelope()


HANDLERS: dict[str, Callable[[ApiContext], dict]] = {
    "PA03-02": details,
    "PA05-01": traffic,
    "PA04-04": add_quota,
    "PA05-02": quota_history,
    "PA05-21": change_plan,
    "PA02-01": new_line,
    "PA05-41": new_esim_line,
    "PA05-06": change_voice_options,
    "PA05-38": change_contract_line,
    "PA02-04": cancel_account,
}

__all__ = ["API_PREFIX", "HANDLERS", "KB_PER_MB", "OPERATIONS", "ApiContext", "ApiError", "AuthKeys",
           "account_details", "envelope", "error_body"]
