"""Freebit SIMs: `from domain.sim.providers import freebit; freebit.transform_freebit_account_details(...)`."""
from domain.sim.providers.freebit.mapper import (
    transform_freebit_account_details,
    transform_freebit_plan_change,
    transform_freebit_topup,
    transform_freebit_topup_history,
    transform_freebit_usage_data,
)
from domain.sim.providers.freebit.raw import JST, PROVIDER

__all__ = [
    "JST",
    "PROVIDER",
    "transform_freebit_account_details",
    "transform_freebit_plan_change",
    "transform_freebit_topup",
    "transform_freebit_topup_history",
    "transform_freebit_usage_data",
]
