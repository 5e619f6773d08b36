from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from portal.core.dashboard import dashboard_for
from portal.core.health import readiness


@require_safe
@never_cache
@login_not_required
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
@login_not_required
@transaction.non_atomic_requests
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database, cache and broker reachable; 503 naming each failing part."""
    checks = readiness()
    failing = sorted(name for name, result in checks.items() if result != "ok")
    body = {"status": "ok" if not failing else "unavailable", "checks": checks, "failing": failing}
    return JsonResponse(body, status=200 if not failing else 503)


def dashboard(request: HttpRequest) -> HttpResponse:
    customer = getattr(request.user, "customer", None)
    summary = dashboard_for(customer) if customer else None
    return render(request, "portal/dashboard.html", {"customer": customer, "dashboard": summary})
