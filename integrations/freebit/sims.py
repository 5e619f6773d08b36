"""SIMs on Freebit: details, daily usage, top-ups (with their history), plan changes and the
activation of new SIMs.

Every argument is checked before any call (an ICCID must pass its Luhn check, a usage range must
be at most 62 days and not in the future), and every answer goes through exactly one domain mapper.

Retries: the connection retries the reads itself. Of the writes, a plan change is sent exactly
once. A **top-up is retried here**, with the connection's read policy, and only because it carries
the caller's ``request_id``: Freebit answers a repeated request id with the first top-up instead of
adding the quota again, so resending after a timeout or a 5xx cannot charge the SIM twice. The
caller must keep one request id per customer action (e.g. a UUID made when the form is shown) and
reuse it if it tries again. An **activation is retried here too**, for the same reason: Freebit
answers a repeated request id with the SIM it already assigned instead of taking another one from
the pool.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

from domain.shared import clock
from domain.sim.activation import SimActivation
from domain.sim.commands import InvalidSimCommand, require_plan_code, require_request_id, require_top_up_mb
from domain.sim.iccid import require_iccid
from domain.sim.providers import freebit as mapper
from domain.sim.providers.freebit import activation as activation_mapper
from domain.sim.types import PlanChange, SimDetails, SimUsage, TopUp
from domain.sim.usage_range import validate_usage_range
from integrations.freebit.connection import (
    ACTIVATE,
    DETAILS,
    PLAN_CHANGE,
    TOPUP,
    TOPUP_HISTORY,
    USAGE,
    FreebitConnection,
)
from integrations.freebit.errors import FreebitMalformedResponse


class FreebitSimService:
    def __init__(self, connection: FreebitConnection, *, today: Callable[[], date] = clock.today) -> None:
        self._freebit = connection
        self._today = today

    def get_details(self, iccid: str) -> SimDetails:
        iccid = require_iccid(iccid)
        details = mapper.transform_freebit_account_details(self._freebit.request(DETAILS, {"iccid": iccid}))
        _same(DETAILS, "SIM", details.iccid, iccid)
        return details

    def get_usage(self, iccid: str, start: date, end: date) -> SimUsage:
        """Daily usage over ``start``..``end`` (both included; at most 62 days, not in the future)."""
        iccid = require_iccid(iccid)
        start, end = validate_usage_range(start, end, today=self._today())
        raw = self._freebit.request(USAGE, {"iccid": iccid, "start_date": start.isoformat(),
                                            "end_date": end.isoformat()})
        usage = mapper.transform_freebit_usage_data(raw)
        _same(USAGE, "SIM", usage.iccid, iccid)
        _same(USAGE, "range", (usage.start, usage.end), (start, end))
        return usage

    def top_up(self, iccid: str, quota_mb: int, request_id: str) -> TopUp:
        """Add ``quota_mb`` to this month's data. Safe to call again with the same ``request_id``:
        the second call answers the first top-up and adds nothing."""
        body = {"iccid": require_iccid(iccid), "quota_mb": require_top_up_mb(quota_mb),
                "request_id": require_request_id(request_id)}
        raw = self._freebit.retrying()(self._freebit.request, TOPUP, body)
        topup = mapper.transform_freebit_topup(raw)
        _same(TOPUP, "SIM", topup.iccid, body["iccid"])
        _same(TOPUP, "request id", topup.request_id, request_id)
        return topup

    def change_plan(self, iccid: str, plan_code: str, *, immediate: bool) -> PlanChange:
        """Change now (``immediate=True``) or from the first of next month. Sent exactly once."""
        body = {"iccid": require_iccid(iccid), "plan_code": require_plan_code(plan_code),
                "effective": "immediate" if immediate else "next_month"}
        change = mapper.transform_freebit_plan_change(self._freebit.request(PLAN_CHANGE, body))
        _same(PLAN_CHANGE, "SIM", change.iccid, body["iccid"])
        return change

    def top_up_history(self, iccid: str) -> tuple[TopUp, ...]:
        """The SIM's top-ups, newest first."""
        iccid = require_iccid(iccid)
        history = mapper.transform_freebit_topup_history(self._freebit.request(TOPUP_HISTORY, {"iccid": iccid}))
        for topup in history:
            _same(TOPUP_HISTORY, "SIM", topup.iccid, iccid)
        return history


    def activate(self, plan_code: str, request_id: str, *, client_ref: str) -> SimActivation:
        """Activate a new SIM on ``plan_code`` (Freebit assigns its ICCID and number from the pool).

        Safe to call again with the same ``request_id``: the second call answers the SIM the first
        one assigned. ``client_ref`` is our reference for the subscriber (the billing client id).
        """
        body = {"plan_code": require_plan_code(plan_code), "request_id": require_request_id(request_id),
                "client_ref": _client_ref(client_ref)}
        raw = self._freebit.retrying()(self._freebit.request, ACTIVATE, body)
        activation = activation_mapper.transform_freebit_activation(raw)
        _same(ACTIVATE, "request id", activation.request_id, request_id)
        _same(ACTIVATE, "plan", activation.plan_code, body["plan_code"])
        return activation


def _client_ref(value: object) -> str:
    """Same alphabet as a request id: 1 to 64 letters, digits, '-' or '_'."""
    try:
        return require_request_id(value)
    except InvalidSimCommand:
        raise InvalidSimCommand("the client reference must be 1 to 64 letters, digits, '-' or '_'") from None


def _same(endpoint: str, what: str, answered: object, asked: object) -> None:
    if answered != asked:
        raise FreebitMalformedResponse(endpoint, f"the answer is for another {what} than the one asked for")
