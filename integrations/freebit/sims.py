"""SIMs on Freebit, one PA operation per method (docs/freebit.md):

=====================  =========  ======================================================================
method                 PA code    what it does
=====================  =========  ======================================================================
``get_details``        PA03-02    the account: state, plan, ICCID, voice options, this month's quota
``get_traffic``        PA05-01    today's and the recent days' traffic of **one** SIM
``add_quota``          PA04-04    add data (MB) under our ``quotaCode``; **not idempotent**, sent once
``quota_history``      PA05-02    the quota additions, with their ``quotaCode`` (how a lost answer of
                                  ``add_quota`` is settled)
``change_plan``        PA05-21    a new plan now, or on a day (``runTime``)
``register_line``      PA02-01    a new line on a physical SIM the MVNO holds (its product number)
``register_esim_line`` PA05-41    a new line on an eSIM (its EID)
``reissue_esim``       PA05-41    the line's eSIM profile again, for a new device (``addKind`` "R")
``change_voice_options`` PA05-06  switch voice options; applied later (PA03-02 shows when)
``change_network``     PA05-38    switch the line between 4G and 5G; ~30 minutes, the line locked
``cancel_line``        PA02-04    cancel the line now or from a day (``runDate``)
=====================  =========  ======================================================================

A SIM is named by its phone number (Freebit's ``account``, with ``kind`` "MVNO" where the operation
takes one); every argument is checked before any call, and every answer goes through exactly one
domain mapper. Nothing here retries a write: a quota addition, a plan change or a new line whose
answer is lost may or may not have happened, and only the caller, who recorded that it was about to
send it, can find out before deciding anything (``portal/sim/topups.py``, ``portal/provisioning``).

PA05-01 must not be used to sweep an operator's SIMs (Freebit's rule): ``get_traffic`` is for the
one SIM a customer is looking at, and the portal bounds how often it asks (``portal/sim/usage.py``).
"""
from __future__ import annotations

from datetime import date

from domain.sim.commands import (
    require_day,
    require_eid,
    require_msisdn,
    require_network,
    require_plan_code,
    require_product_number,
    require_quota_code,
    require_top_up_mb,
    require_voice_changes,
)
from domain.sim.providers import freebit as mapper
from domain.sim.types import NetworkType, PlanChange, QuotaAddition, SimDetails, SimTraffic, VoiceOption
from integrations.freebit.connection import (
    ACCOUNT_DETAILS,
    CANCEL,
    CONTRACT_LINE,
    NEW_ESIM_LINE,
    NEW_LINE,
    PLAN_CHANGE,
    QUOTA_ADD,
    QUOTA_HISTORY,
    TRAFFIC,
    VOICE_OPTIONS,
    FreebitConnection,
)
from integrations.freebit.errors import FreebitMalformedResponse

MVNO = "MVNO"
FLAG_YES, FLAG_NO = "10", "20"
DETAILS_VERSION = "2"
"""PA03-02's ``version``: the MVNO example sends "2"."""


def wire_date(day: date) -> str:
    """``YYYYMMDD``, Freebit's date format (a Japan date)."""
    return require_day(day).strftime("%Y%m%d")


class FreebitSimClient:
    def __init__(self, connection: FreebitConnection) -> None:
        self._freebit = connection

    def get_details(self, msisdn: str) -> SimDetails:
        """PA03-02: the SIM's account details (one account per request)."""
        account = require_msisdn(msisdn)
        raw = self._freebit.request(ACCOUNT_DETAILS, {
            "version": DETAILS_VERSION, "requestDatas": [{"kind": MVNO, "account": account}]})
        details = mapper.transform_freebit_account_details(raw)
        _same(ACCOUNT_DETAILS, details.msisdn, account)
        return details

    def get_traffic(self, msisdn: str) -> SimTraffic:
        """PA05-01: the SIM's traffic figures now. One SIM a customer looks at, never a sweep."""
        account = require_msisdn(msisdn)
        raw = self._freebit.request(TRAFFIC, {"account": account})
        traffic = mapper.transform_freebit_traffic(raw)
        _same(TRAFFIC, traffic.msisdn, account)
        return traffic

    def add_quota(self, msisdn: str, quota_mb: int, *, quota_code: str, expires: date | None = None) -> None:
        """PA04-04: add ``quota_mb`` MB to the SIM, marked with ``quota_code`` (our request id),
        usable until ``expires`` (included; None: Freebit's default).

        Sent exactly once. Freebit has no idempotency key: sending it again adds the data again.
        After an error that is not a refusal (a timeout, a 5xx, a malformed answer) the data may or
        may not have been added: look for ``quota_code`` in ``quota_history`` before anything else.
        """
        body = {"kind": MVNO, "account": require_msisdn(msisdn), "quota": str(require_top_up_mb(quota_mb)),
                "quotaCode": require_quota_code(quota_code)}
        if expires is not None:
            body["expire"] = wire_date(expires)
        self._freebit.request(QUOTA_ADD, body)

    def quota_history(self, msisdn: str, start: date, end: date) -> tuple[QuotaAddition, ...]:
        """PA05-02: the quota additions made to the SIM from ``start`` to ``end`` (both included),
        newest first."""
        account = require_msisdn(msisdn)
        if require_day(start) > require_day(end):
            raise ValueError("the start date is after the end date")
        raw = self._freebit.request(QUOTA_HISTORY, {"kind": MVNO, "account": account, "fromDate": wire_date(start),
                                                    "toDate": wire_date(end)})
        return mapper.transform_freebit_quota_history(raw, msisdn=account)

    def find_quota_addition(self, msisdn: str, quota_code: str, *, start: date, end: date) -> QuotaAddition | None:
        """The addition marked ``quota_code`` in the history from ``start`` to ``end``, or None."""
        code = require_quota_code(quota_code)
        return next((entry for entry in self.quota_history(msisdn, start, end) if entry.quota_code == code), None)

    def change_plan(self, msisdn: str, plan_code: str, *, run_date: date | None = None) -> PlanChange:
        """PA05-21: move the SIM to ``plan_code`` now (``run_date`` None) or on ``run_date``.
        Sent once; Freebit documents no way to read a booked change back."""
        account = require_msisdn(msisdn)
        body = {"account": account, "planCode": require_plan_code(plan_code)}
        if run_date is not None:
            body["runTime"] = wire_date(run_date)
        raw = self._freebit.request(PLAN_CHANGE, body)
        return mapper.transform_freebit_plan_change(raw, msisdn=account, plan_code=body["planCode"],
                                                    run_date=run_date)

    def register_line(self, msisdn: str, plan_code: str, *, product_number: str) -> None:
        """PA02-01: a new line with number ``msisdn`` on the physical SIM ``product_number``, on
        ``plan_code``, in service within about ten minutes (without Freebit's User Management
        Service, so ``createType`` "new" and no master account). Sent once; FreebitAlreadyRegistered
        when Freebit has the number already."""
        self._freebit.request(NEW_LINE, {
            "createType": "new", "kind": MVNO, "account": require_msisdn(msisdn),
            "productNumber": require_product_number(product_number), "planCode": require_plan_code(plan_code)})

    def register_esim_line(self, msisdn: str, plan_code: str, *, eid: str) -> None:
        """PA05-41: a new line (``addKind`` "N") with number ``msisdn`` on the eSIM ``eid``, on
        ``plan_code``, not operated through ALADIN. Completion is reported by Freebit's notification
        file; PA03-02 shows the account in the meantime. Sent once."""
        self._freebit.request(NEW_ESIM_LINE, {
            "aladinOperated": FLAG_NO, "createType": "new", "addKind": "N", "account": require_msisdn(msisdn),
            "eid": require_eid(eid), "planCode": require_plan_code(plan_code)})

    def reissue_esim(self, msisdn: str, *, eid: str, old_eid: str | None = None) -> None:
        """PA05-41 ``addKind`` "R": the SIM's eSIM profile for the device ``eid`` (a new phone),
        not operated through ALADIN (ALADIN allows only "N"). **Not idempotent**: every call is one
        more reissue, so after a lost answer read the SIM's details (its ``eid``) before sending
        again. Completion is reported by Freebit's notification file."""
        body: dict = {"aladinOperated": FLAG_NO, "addKind": "R", "account": require_msisdn(msisdn),
                      "eid": require_eid(eid)}
        if old_eid is not None:
            body["reissue"] = {"oldEid": require_eid(old_eid)}
        self._freebit.request(NEW_ESIM_LINE, body)

    def change_voice_options(self, msisdn: str, changes: dict[VoiceOption, bool]) -> None:
        """PA05-06: switch the voice options in ``changes`` (others are left as they are). Freebit
        applies it later and it cannot be withdrawn: the SIM's details show it once applied."""
        self._freebit.request(VOICE_OPTIONS, {
            "account": require_msisdn(msisdn), "userConfirmed": FLAG_YES, "aladinOperated": FLAG_NO,
            "talkOption": mapper.freebit_talk_options(require_voice_changes(changes))})

    def change_network(self, msisdn: str, network: NetworkType | str) -> None:
        """PA05-38: switch the SIM's contract line to 4G or 5G. It takes about 30 minutes, locks the
        line meanwhile (FreebitLineLocked for anything else sent for it) and cannot be withdrawn."""
        self._freebit.request(CONTRACT_LINE, {"account": require_msisdn(msisdn),
                                              "contractLine": require_network(network).value})

    def cancel_line(self, msisdn: str, *, run_date: date | None = None) -> None:
        """PA02-04: cancel the SIM's line from ``run_date`` (its first day without service; None:
        now). Takes effect up to ten minutes after; a second call replaces the first booking."""
        body = {"kind": MVNO, "account": require_msisdn(msisdn)}
        if run_date is not None:
            body["runDate"] = wire_date(run_date)
        self._freebit.request(CANCEL, body)


def _same(path: str, answered: object, asked: object) -> None:
    if answered != asked:
        raise FreebitMalformedResponse(path, "the answer is for another SIM than the one asked for")
