"""Demo only: a staff page that plays Freebit's operator console in the Freebit sandbox.

Every line of the sandbox with what is pending on it, read from the sandbox's control endpoint
(``GET /__sandbox__/sims``): voice-option changes accepted by PA05-06 and when they land, a 4G/5G
switch (PA05-38) and the end of its lock, a cancellation booked by PA02-04 with its run date, a plan
change booked for a day, the eSIM reissues (PA05-41) and the writes accepted. Read only: what is
pending lands when the sandbox's clock reaches it.
"""
from dataclasses import dataclass
from datetime import date, datetime

import requests
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.demo.sandboxes import freebit_sandbox

TALK_OPTIONS = {"voiceMail": gettext_lazy("Voicemail"), "callWaiting": gettext_lazy("Call waiting"),
                "worldWing": gettext_lazy("International roaming")}
"""The sandbox's ``talkOption`` names (Freebit's wire names) as staff read them."""
ON = "10"


@dataclass(frozen=True)
class SimLine:
    number: str
    iccid: str
    plan: str
    state: str
    network: str
    client_id: int
    eid: str | None
    voice_pending: tuple[tuple[str, bool], ...]
    voice_lands_at: datetime | None
    network_to: str | None
    locked_until: datetime | None
    cancel_run_date: date | None
    cancel_effective_at: datetime | None
    plan_change_to: str | None
    plan_change_on: date | None
    reissues: int
    writes: int

    @property
    def pending(self) -> bool:
        return bool(self.voice_pending or self.network_to or self.cancel_effective_at or self.plan_change_to)


def _day(text: str | None) -> date | None:
    return datetime.strptime(text, "%Y%m%d").date() if text else None  # noqa: DTZ007 - a Japan day, no time


def _line(state: dict) -> SimLine:
    voice, line = state.get("pendingVoiceOptions") or {}, state.get("lineChange") or {}
    cancellation, plan = state.get("cancellation") or {}, state.get("pendingPlanChange") or {}
    return SimLine(
        number=state["account"], iccid=state["iccid"], plan=state["planName"], state=state["state"],
        network=state["contractLine"], client_id=state.get("clientId") or 0, eid=state.get("eid"),
        voice_pending=tuple((str(TALK_OPTIONS.get(name, name)), flag == ON)
                            for name, flag in (voice.get("talkOption") or {}).items()),
        voice_lands_at=datetime.fromisoformat(voice["landsAt"]) if voice else None,
        network_to=line.get("contractLine"),
        locked_until=datetime.fromisoformat(line["lockedUntil"]) if line else None,
        cancel_run_date=_day(cancellation.get("runDate")),
        cancel_effective_at=datetime.fromisoformat(cancellation["effectiveAt"]) if cancellation else None,
        plan_change_to=plan.get("planCode"), plan_change_on=_day(plan.get("runTime")),
        reissues=state.get("reissues") or 0, writes=len(state.get("orders") or ()),
    )


@staff_member_required
def sandbox_sims(request: HttpRequest) -> HttpResponse:
    sandbox = freebit_sandbox()
    answer = requests.get(f"{sandbox.url}/__sandbox__/sims", timeout=5)
    lines: list[SimLine] = []
    if answer.ok:
        lines = sorted((_line(state) for state in answer.json()["sims"]), key=lambda s: (not s.pending, s.number))
    else:
        messages.error(request, _("The sandbox refused: %(reason)s") % {"reason": answer.text[:200]})
    clock = requests.get(f"{sandbox.url}/__sandbox__/clock", timeout=5)
    context = {**admin.site.each_context(request), "lines": lines, "title": _("Sandbox: SIM lines"),
               "today": date.fromisoformat(clock.json()["today"]) if clock.ok else None}
    return render(request, "demo/sims.html", context)
