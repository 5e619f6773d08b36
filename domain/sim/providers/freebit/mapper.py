"""Freebit answers -> SIM domain types. Pure: no I/O, no clock.

Each function takes the decoded JSON body of one Freebit answer (the connection has already
checked its ``resultCode``), validates the raw shape, builds the domain object and so validates it;
any mismatch raises MappingError naming the field.
"""
from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.sim.providers.freebit.raw import (
    PROVIDER,
    FreebitAccountDetailsRaw,
    FreebitPlanChangeAnswerRaw,
    FreebitTopupAnswerRaw,
    FreebitTopupHistoryRaw,
    FreebitTopupRaw,
    FreebitUsageDataRaw,
    FreebitVoiceOptionRaw,
)
from domain.sim.types import (
    DataQuota,
    PendingPlanChange,
    PlanChange,
    SimDetails,
    SimUsage,
    TopUp,
    UsagePoint,
    VoiceOption,
)


def transform_freebit_account_details(raw: object) -> SimDetails:
    """A SIM's details from the answer of ``/api/sim/details``."""
    account = validate_raw(FreebitAccountDetailsRaw, raw, provider=PROVIDER, entity="sim details").account
    pending = None
    if account.pendingPlanChange is not None:
        pending = build_domain(
            PendingPlanChange,
            provider=PROVIDER,
            entity="pending plan change",
            plan_code=account.pendingPlanChange.planCode,
            plan_name=account.pendingPlanChange.planName,
            effective_date=account.pendingPlanChange.effectiveDate,
        )
    if account.simType and account.voiceOption is not None:
        raise MappingError(provider=PROVIDER, entity="sim details", field="account.voiceOption",
                           reason="a data SIM has no voice options")
    return build_domain(
        SimDetails,
        provider=PROVIDER,
        entity="sim details",
        iccid=account.iccid,
        msisdn=account.msisdn,
        status=account.status,
        plan_code=account.planCode,
        plan_name=account.planName,
        data_only=account.simType,
        remaining=DataQuota(kb=account.remainingQuotaKb),
        total=DataQuota(kb=account.totalQuotaKb),
        activation_date=account.activationDate,
        voice_options=_voice_options(account.voiceOption),
        pending_plan_change=pending,
    )


def _voice_options(raw: FreebitVoiceOptionRaw | None) -> tuple[tuple[VoiceOption, bool], ...]:
    if raw is None:
        return ()
    return (
        (VoiceOption.CALL_WAITING, raw.callWaiting),
        (VoiceOption.VOICEMAIL, raw.voiceMail),
        (VoiceOption.INTERNATIONAL_ROAMING, raw.internationalRoaming),
    )


def transform_freebit_usage_data(raw: object) -> SimUsage:
    """Daily usage from the answer of ``/api/sim/usage``; the reported total must add up."""
    usage = validate_raw(FreebitUsageDataRaw, raw, provider=PROVIDER, entity="sim usage").usage
    if sum(day.usageKb for day in usage.daily) != usage.totalUsageKb:
        raise MappingError(provider=PROVIDER, entity="sim usage", field="usage.totalUsageKb",
                           reason="does not match the sum of the daily usage")
    points = tuple(
        build_domain(UsagePoint, provider=PROVIDER, entity="sim usage", date=day.date, used=DataQuota(kb=day.usageKb))
        for day in usage.daily
    )
    return build_domain(
        SimUsage, provider=PROVIDER, entity="sim usage",
        iccid=usage.iccid, start=usage.startDate, end=usage.endDate, points=points,
    )


def transform_freebit_topup(raw: object) -> TopUp:
    """The top-up of the answer of ``/api/sim/topup`` (the first answer again for a repeated request id)."""
    return _topup(validate_raw(FreebitTopupAnswerRaw, raw, provider=PROVIDER, entity="top-up").topup)


def transform_freebit_topup_history(raw: object) -> tuple[TopUp, ...]:
    """A SIM's top-ups from the answer of ``/api/sim/topup-history``, newest first."""
    history = validate_raw(FreebitTopupHistoryRaw, raw, provider=PROVIDER, entity="top-up history").topupHistory
    if history.count != len(history.list):
        raise MappingError(provider=PROVIDER, entity="top-up history", field="topupHistory.count",
                           reason="does not match the number of entries listed")
    for index, entry in enumerate(history.list):
        if entry.iccid != history.iccid:
            raise MappingError(provider=PROVIDER, entity="top-up history", field=f"topupHistory.list.{index}.iccid",
                               reason="names another SIM than the history's")
    topups = [_topup(entry) for entry in history.list]
    return tuple(sorted(topups, key=lambda topup: topup.created_at, reverse=True))


def _topup(raw: FreebitTopupRaw) -> TopUp:
    return build_domain(
        TopUp,
        provider=PROVIDER,
        entity="top-up",
        id=raw.topupId,
        request_id=raw.requestId,
        iccid=raw.iccid,
        quota=DataQuota(kb=raw.quotaKb),
        created_at=raw.createdAt,
        status=raw.status,
    )


def transform_freebit_plan_change(raw: object) -> PlanChange:
    """The result of ``/api/sim/plan-change``: applied now, or scheduled for a later date."""
    change = validate_raw(FreebitPlanChangeAnswerRaw, raw, provider=PROVIDER, entity="plan change").planChange
    return build_domain(
        PlanChange,
        provider=PROVIDER,
        entity="plan change",
        iccid=change.iccid,
        plan_code=change.planCode,
        plan_name=change.planName,
        previous_plan_code=change.previousPlanCode,
        status=change.status,
        effective_date=change.effectiveDate,
    )
