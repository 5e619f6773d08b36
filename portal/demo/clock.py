"""The demo's clock, for the browser tests that start the demo (no in-process fixture reaches it).

With ``DEMO_CLOCK_CONTROL=true`` the demo answers ``POST /__demo__/clock`` with
``{"at": "<ISO instant>"}`` by moving its whole process's clock there (forward only, see
``sandbox.common.clock.travel_to``), and ``GET`` tells the time. It needs time-machine, a
development dependency, and is never turned on in production. (``CLOCK_AT`` starts a whole process
tree at an instant instead: scripts/with-clock.sh.)
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
