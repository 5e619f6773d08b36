"""Freebit's answer to ``/api/sim/activation`` -> SimActivation (wire format: ``sandbox/freebit/api.py``).

Kept apart from ``mapper.py`` so the SIM pages' mappers stay as they are; the same field types
(``raw.py``) absorb Freebit's quirks.
"""
from typing import Annotated

from domain.shared.mapping import build_domain, validate_raw
from domain.sim.activation import SimActivation
from domain.sim.providers.freebit.raw import (
    PROVIDER,
    SIM_STATUSES,
    SIM_TYPES,
    FreebitDate,
    FreebitRawModel,
    NonEmptyText,
    Text,
    wire_enum,
)
from domain.sim.types import SimStatus


class FreebitActivationRaw(FreebitRawModel):
    requestId: NonEmptyText
    iccid: NonEmptyText
    msisdn: NonEmptyText
    planCode: NonEmptyText
    planName: Text
    simType: Annotated[bool, wire_enum(SIM_TYPES)]
    status: Annotated[SimStatus, wire_enum(SIM_STATUSES)]
    activationDate: FreebitDate


class FreebitActivationAnswerRaw(FreebitRawModel):
    """The answer of ``/api/sim/activation``."""

    activation: FreebitActivationRaw


def transform_freebit_activation(raw: object) -> SimActivation:
    """The SIM an activation assigned, from the answer of ``/api/sim/activation``."""
    activation = validate_raw(FreebitActivationAnswerRaw, raw, provider=PROVIDER, entity="sim activation").activation
    return build_domain(
        SimActivation,
        provider=PROVIDER,
        entity="sim activation",
        request_id=activation.requestId,
        iccid=activation.iccid,
        msisdn=activation.msisdn,
        plan_code=activation.planCode,
        plan_name=activation.planName,
        data_only=activation.simType,
        status=activation.status,
        activation_date=activation.activationDate,
    )
