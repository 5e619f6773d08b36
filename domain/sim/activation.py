"""A new SIM activated on the MVNO platform for an order, and the request ids that make it safe.

The platform assigns the SIM (ICCID and phone number) from its pool. An activation carries the
caller's request id: the same request id answers the same SIM again instead of taking a second one
from the pool, so a retried activation never activates two SIMs for one order line.
"""
from __future__ import annotations

import hashlib
import re
from datetime import date

from domain.shared.model import DomainModel
from domain.sim.iccid import Iccid
from domain.sim.types import Msisdn, PlanCode, RequestId, SimStatus

_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]{1,54}")


class SimActivation(DomainModel):
    request_id: RequestId
    iccid: Iccid
    msisdn: Msisdn
    plan_code: PlanCode
    plan_name: str
    data_only: bool
    status: SimStatus
    activation_date: date


def activation_request_id(key: str, unit: int) -> str:
    """The request id of activating the SIM of order unit ``unit`` (0, 1, ...) of the job ``key``:
    ``<key>-<unit>`` when the key is short and plain enough, else a digest of it (same key and
    unit, same request id: that is the point)."""
    if not isinstance(key, str) or not key:
        raise ValueError("the key must be non-empty text")
    if not isinstance(unit, int) or isinstance(unit, bool) or not 0 <= unit < 1000:
        raise ValueError("the unit must be a whole number from 0 to 999")
    base = key if _SAFE_KEY.fullmatch(key) else "k" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"{base}-{unit}"
