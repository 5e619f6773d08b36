import logging

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django_guid import get_guid

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


def mark_logged(response):
    """Keep ``django.request`` from logging this 503 at ERROR a second time: the guard that raised
    ``ProviderUnavailable`` logged the cause already (``django.utils.log.log_response`` skips a
    response marked this way)."""
    response._has_been_logged = True
    return response
