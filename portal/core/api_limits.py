"""The API's input limits, named in ``REST_FRAMEWORK`` (docs/security.md): a bounded JSON parser and
the per-user and anonymous throttles. Kept apart from ``portal.core.api`` because DRF imports these
while ``rest_framework.views`` itself is still loading."""
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from domain.shared import json_input
from portal.core.client_address import client_address


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request is too large.")
    default_code = "too_large"


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, bounded: it reads at most ``REQUEST_MAX_BODY_BYTES`` (DRF's own reads
    the whole stream) and refuses JSON nested deeper than ``JSON_MAX_DEPTH`` before decoding it.
    Every failure (malformed, not UTF-8, too deep, ``RecursionError``) is a 400 in the one error
    shape, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.REQUEST_MAX_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(_("The request is too large."))
        try:
            return json_input.loads(raw, max_depth=settings.JSON_MAX_DEPTH)
        except json_input.InvalidJson as exc:
            if exc.too_deep:
                raise exceptions.ParseError(
                    _("The JSON is nested more than %(depth)d levels deep.") % {"depth": settings.JSON_MAX_DEPTH}
                ) from None
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None


class PerUserThrottle(UserRateThrottle):
    """``API_RATE_PER_USER`` requests per signed-in user over the whole API (429 with Retry-After),
    counted in the shared cache. Read at each request, so the environment decides."""

    def get_rate(self):
        return settings.API_RATE_PER_USER

    def get_ident(self, request):
        return client_address(request)


class AnonymousThrottle(AnonRateThrottle):
    """``API_RATE_ANONYMOUS`` requests per client address for anonymous callers (the schema)."""

    def get_rate(self):
        return settings.API_RATE_ANONYMOUS

    def get_ident(self, request):
        return client_address(request)
