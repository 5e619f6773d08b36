"""Which plans a SIM can move to: a plan of its own kind (data-only or voice), other than its own.

The catalog's SIM plans are named by their platform plan codes (``MOB-DATA-10G``, ``MOB-VOICE-5G``):
a data-only SIM (an 020 number) cannot become a voice SIM nor the other way round, because the
number and the SIM profile differ; the platform refuses such a change, and so does the portal
before asking anyone.
"""
from enum import StrEnum

DATA_PLAN_PREFIX = "MOB-DATA-"
VOICE_PLAN_PREFIX = "MOB-VOICE-"


class PlanKind(StrEnum):
    DATA = "data"
    VOICE = "voice"


def plan_kind(plan_code: str) -> PlanKind | None:
    """The kind of SIM a plan is for; None for a code that is not a SIM plan."""
    if plan_code.startswith(DATA_PLAN_PREFIX):
        return PlanKind.DATA
    if plan_code.startswith(VOICE_PLAN_PREFIX):
        return PlanKind.VOICE
    return None


def sim_kind(*, data_only: bool) -> PlanKind:
    return PlanKind.DATA if data_only else PlanKind.VOICE


def can_move_to(*, data_only: bool, current_plan_code: str, plan_code: str) -> bool:
    """Whether a SIM (data-only or not, on ``current_plan_code``) can change to ``plan_code``."""
    return plan_code != current_plan_code and plan_kind(plan_code) is sim_kind(data_only=data_only)
