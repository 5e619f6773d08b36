import logging

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_guid import get_guid

from portal.core.cache import request_reads
from portal.core.errors import ProviderUnavailable, one_error_per_provider

logger = logging.getLogger(__name__)


class ProviderUnavailableMiddleware:
    """A provider failure with nothing cached becomes a friendly 503 page (APIs: a JSON error).

    Each provider's failure is logged at ERROR once per request (``one_error_per_provider``) by the
    selector's guard, with its cause and the correlation id; the 503 itself is not logged again."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with one_error_per_provider():
            return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ProviderUnavailable):
            return None
        context = {"area": exception.area, "request_id": get_guid()}
        response = render(request, "portal/provider_unavailable.html", context, status=503)
        response["Retry-After"] = "60"
        mark_logged(response)
        return response


class CacheReadsMiddleware:
    """One request's cache reads remembered for the request (``portal.core.cache.request_reads``):
    a customer's namespace version read once, a value read once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_reads():
            return self.get_response(request)


class NoStoreWhenSignedInMiddleware:
    """Pages for a signed-in user carry ``Cache-Control: no-store`` (unless the view set its own),
    so a shared computer's browser keeps no copy of invoices or SIM details after sign-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class RequestBodyLimitMiddleware:
    """A request declaring a body larger than ``REQUEST_MAX_BODY_BYTES`` is answered 413 before
    anything reads it: the API's error shape under ``/api/`` and for JSON requests, a page otherwise.

    Django itself caps form fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not uploaded files nor the
    stream DRF's parsers read; this caps every body. Under WSGI a body is only ever read up to its
    ``Content-Length`` (no length: an empty body), so the declared length is the whole story.
    A view marked with :func:`accepts_uploads` (a support case's file) has a limit of its own instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_MAX_BODY_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared:
            limit = _upload_limit(request) or limit
        if declared <= limit:
            return self.get_response(request)
        logger.warning("refused a %s-byte body to %s (limit %s bytes)", declared, request.path[:200], limit)
        message = _("The request is too large.")
        if request.path.startswith("/api/") or request.content_type == "application/json":
            return JsonResponse({"message": message, "extra": {"max_bytes": limit}}, status=413)
        return render(request, "413.html", {"max_bytes": limit}, status=413)


def accepts_uploads(limit_setting: str):
    """Mark a view (or an API view class) as taking bodies up to ``settings.<limit_setting>`` bytes
    (instead of ``REQUEST_MAX_BODY_BYTES``)."""

    def mark(view):
        view.max_body_bytes_setting = limit_setting
        return view

    return mark


def _upload_limit(request) -> int | None:
    """The body limit of the view the request goes to, if it names one."""
    from django.urls import Resolver404, resolve

    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return None
    name = getattr(view, "max_body_bytes_setting", None) or getattr(getattr(view, "cls", None),
                                                                  "max_body_bytes_setting", None)
    return getattr(settings, name) if name else None


def mark_logged(response):
    """Keep ``django.request`` from logging this 503 at ERROR a second time: the guard that raised
    ``ProviderUnavailable`` logged the cause already (``django.utils.log.log_response`` skips a
    response marked this way)."""
    response._has_been_logged = True
    return response
