from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_guid import get_guid

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


@require_safe
@login_not_required
@transaction.non_atomic_requests
def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on pages that name no icon: our SVG icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


API_PATH_PREFIX = "/api/"


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: the friendly page, except under ``/api/`` (a path no API route matches, such as
    ``/api/v1/invoices/abc``), which answers the API's error shape like every other API 404."""
    if request.path.startswith(API_PATH_PREFIX):
        return JsonResponse({"message": _("Not found."), "extra": {}}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: the friendly page, or under ``/api/`` the API's error shape with a support
    reference (the correlation id); neither shows anything of the error itself."""
    if request.path.startswith(API_PATH_PREFIX):
        body = {"message": _("Something went wrong on our side. Please try again later."),
                "extra": {"reference": get_guid()}}
        return JsonResponse(body, status=500)
    return defaults.server_error(request)
