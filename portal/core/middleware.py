import logging

from django.shortcuts import render
from django_guid import get_guid

from portal.core.errors import ProviderUnavailable

logger = logging.getLogger(__name__)


class ProviderUnavailableMiddleware:
    """A provider failure with nothing cached becomes a friendly 503 page (APIs: a JSON error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ProviderUnavailable):
            return None
        context = {"area": exception.area, "request_id": get_guid()}
        response = render(request, "portal/provider_unavailable.html", context, status=503)
        response["Retry-After"] = "60"
        return response
