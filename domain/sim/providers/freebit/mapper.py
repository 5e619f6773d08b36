"""Freebit answers -> SIM domain types. Pure: no I/O, no clock.

Each function takes the decoded JSON body of one Freebit answer (the connection has already
checked its ``resultCode``), validates the raw shape (``raw.py``, where every assumption about the
payload lives), builds the domain object and so validates it; any mismatch raises MappingError
naming the field.
"""
from datetime import date

from domain.shared.errors import MappingError
from domain.shared.mapping import build_domain, validate_raw
from domain.sim.providers.freebit.raw import (
    NO,
    PROVIDER,
    TALK_OPTION_NAMES,
    YES,
    FreebitAccountDetailsRaw,
    FreebitAuthRaw,
    FreebitPlanChangeRaw,
    FreebitQuotaHistoryRaw,
    FreebitTalkOptionRaw,
    FreebitTrafficRaw,
)
from domain.sim.types import DataQuota, PlanChange, QuotaAddition, SimDetails, SimTraffic, VoiceOption

MVNO = "MVNO"


def transform_freebit_auth_key(raw: object) -> str:
    """The ``authKey`` of an ``authOem`` answer (PA01-01)."""
    return validate_raw(FreebitAuthRaw, raw, provider=PROVIDER, entity="authentication").authKey


def transform_freebit_account_details(raw: object) -> SimDetails:
    """A SIM's details from the answer of PA03-02 (account details)."""
    account = validate_raw(FreebitAccountDetailsRaw, raw, provider=PROVIDER, entity="sim details").responseDatas[0]
    if account.kind != MVNO:
        raise MappingError(provider=PROVIDER, entity="sim details", field="responseDatas.0.kind",
                           reason="not an MVNO account")
    data_only = not account.talk
    if data_only and account.talkOption is not None:
        raise MappingError(provider=PROVIDER, entity="sim details", field="responseDatas.0.talkOption",
                           reason="a data SIM has no voice options")
    return build_domain(
        SimDetails,
        provider=PROVIDER,
        entity="sim details",
        iccid=account.iccid,
        msisdn=account.account,
        status=account.state,
        plan_code=account.planCode,
        plan_name=account.planName or account.planCode,
        data_only=data_only,
        remaining=DataQuota(kb=account.quota),
        total=DataQuota(kb=account.monthQuota),
        activation_date=account.startDate,
        voice_options=_voice_options(account.talkOption),
        network=account.contractLine,
        eid=account.eid,
    )


def _voice_options(raw: FreebitTalkOptionRaw | None) -> tuple[tuple[VoiceOption, bool], ...]:
    if raw is None:
        return ()
    return (
        (VoiceOption.CALL_WAITING, raw.callWaiting),
        (VoiceOption.VOICEMAIL, raw.voiceMail),
        (VoiceOption.INTERNATIONAL_ROAMING, raw.worldWing),
    )


def transform_freebit_traffic(raw: object) -> SimTraffic:
    """A SIM's traffic figures from the answer of PA05-01."""
    traffic = validate_raw(FreebitTrafficRaw, raw, provider=PROVIDER, entity="sim traffic")
    return build_domain(
        SimTraffic, provider=PROVIDER, entity="sim traffic",
        msisdn=traffic.account,
        today=DataQuota(kb=traffic.traffic.today),
        recent_days=DataQuota(kb=traffic.traffic.inRecentDays),
        throttled=traffic.traffic.blackList,
    )


def transform_freebit_quota_history(raw: object, *, msisdn: str) -> tuple[QuotaAddition, ...]:
    """The quota additions of the SIM ``msisdn`` from the answer of PA05-02, newest first (an
    answer about another account is refused)."""
    history = validate_raw(FreebitQuotaHistoryRaw, raw, provider=PROVIDER, entity="quota history")
    if history.account != msisdn:
        raise MappingError(provider=PROVIDER, entity="quota history", field="account",
                           reason="names another SIM than the one asked for")
    additions = [
        build_domain(QuotaAddition, provider=PROVIDER, entity="quota history",
                     quota=DataQuota.from_mb(entry.quota), quota_code=entry.quotaCode or None,
                     added_at=entry.addDate, expires=entry.expire)
        for entry in history.quotaHistory
    ]
    return tuple(sorted(additions, key=lambda addition: addition.added_at, reverse=True))


def transform_freebit_plan_change(raw: object, *, msisdn: str, plan_code: str, run_date: date | None) -> PlanChange:
    """The plan change PA05-21 accepted: its answer adds only the IP address of a fixed-IP plan to
    what was asked (the account, the plan, the day it runs: None for now)."""
    answer = validate_raw(FreebitPlanChangeRaw, raw, provider=PROVIDER, entity="plan change")
    return build_domain(PlanChange, provider=PROVIDER, entity="plan change", msisdn=msisdn, plan_code=plan_code,
                        run_date=run_date, ipv4=answer.ipv4 or "")


def freebit_talk_options(changes: dict[VoiceOption, bool]) -> dict[str, str]:
    """PA05-06's ``talkOption`` for the options to switch: Freebit's names and flags (the way back
    of ``_voice_options``)."""
    names = {VoiceOption(domain_name): wire for wire, domain_name in TALK_OPTION_NAMES.items()}
    return {names[option]: YES if enabled else NO for option, enabled in changes.items()}
