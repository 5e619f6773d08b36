"""Freebit SIMs: `from domain.sim.providers import freebit; freebit.transform_freebit_account_details(...)`."""
from domain.sim.providers.freebit.mapper import (
    freebit_talk_options,
    transform_freebit_account_details,
    transform_freebit_auth_key,
    transform_freebit_plan_change,
    transform_freebit_quota_history,
    transform_freebit_traffic,
)
from domain.sim.providers.freebit.raw import JST, PROVIDER

__all__ = [
    "JST",
    "PROVIDER",
    "freebit_talk_options",
    "transform_freebit_account_details",
    "transform_freebit_auth_key",
    "transform_freebit_plan_change",
    "transform_freebit_quota_history",
    "transform_freebit_traffic",
]
