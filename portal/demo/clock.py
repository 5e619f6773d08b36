"""The demo's clock, for the browser tests that start the demo (no in-process fixture reaches it).

``CLOCK_AT`` (an ISO instant) starts the process's clock there (``sandbox.common.clock``); with
``DEMO_CLOCK_CONTROL=true`` the demo also answers ``POST /__demo__/clock`` with
``{"at": "<ISO instant>"}`` to move it again, and ``GET`` tells the time. Both need time-machine, a
development dependency; neither is ever set in production.
"""
from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from domain.shared import clock
from sandbox.common.clock import parse_instant, travel_to


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def clock_control(request: HttpRequest) -> HttpResponse:
    if not settings.DEMO_CLOCK_CONTROL:
        return JsonResponse({"error": "not found"}, status=404)
    if request.method == "POST":
        try:
            body = json.loads(request.body or b"{}")
            travel_to(parse_instant(str(body["at"])))
        except (ValueError, KeyError, TypeError) as exc:
            return JsonResponse({"error": f'send {{"at": "2027-01-31T23:59:00+09:00"}} ({exc})'}, status=400)
    return JsonResponse({"now": clock.now().isoformat(timespec="seconds"), "today": clock.today().isoformat()})
