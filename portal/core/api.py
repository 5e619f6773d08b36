"""API plumbing: one error body shape for every failure (HackSoft styleguide)."""
import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_guid import get_guid
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from domain.shared.money import to_minor_units
from portal.core.errors import ProviderUnavailable, Refused
from portal.core.formats import area_name
from portal.core.middleware import mark_logged

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    """``{"message": ..., "extra": {...}}``; provider failures are a 503 with a reference."""
    if isinstance(exc, ProviderUnavailable):
        body = {"message": _("Your %(area)s details are temporarily unavailable. Please try again shortly.")
                % {"area": area_name(exc.area)},
                "extra": {"reference": get_guid()}}
        # The guard logged the cause at ERROR already: not once more as "Service Unavailable".
        return mark_logged(Response(body, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": "60"}))
    if isinstance(exc, Refused):
        view = context.get("view")
        refused_status = getattr(view, "refused_status", status.HTTP_400_BAD_REQUEST)
        if refused_status != status.HTTP_400_BAD_REQUEST:
            return Response({"message": exc.message, "extra": {}}, status=refused_status)
        exc = exceptions.ValidationError({exc.field or getattr(view, "refused_field", "non_field_errors"):
                                          [str(message) for message in exc.messages]})
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(detail, dict) and "detail" in detail:
        response.data = {"message": str(detail["detail"]), "extra": {}}
    else:
        response.data = {"message": _("Validation error"), "extra": {"fields": detail}}
    return response


class IsLinkedCustomer(BasePermission):
    message = gettext_lazy("Your sign-in is not linked to a customer account yet. Please contact support.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and hasattr(request.user, "customer"))


class CustomerApi(APIView):
    """An endpoint for the signed-in, linked customer (``request.user.customer``).

    A ``portal.core.errors.Refused`` from a service is answered by the exception handler: 400 with
    its messages under ``extra.fields[refused_field]`` (unless the refusal names its own field), or,
    with another ``refused_status``, that status with the message alone."""

    permission_classes = [IsAuthenticated, IsLinkedCustomer]
    refused_field = "non_field_errors"
    refused_status = status.HTTP_400_BAD_REQUEST

    @staticmethod
    def envelope(data, stale: bool, **extra) -> Response:
        return Response({"data": data, "stale": stale, **extra})


MINOR_UNITS_HELP = ("An integer in the currency's smallest unit: yen for JPY (6980 is ¥6,980), cents for USD "
                    "(1250 is $12.50). Prices a consumer sees include consumption tax unless a field says otherwise.")


class MoneySerializer(serializers.Serializer):
    """Money as machine values: an integer ``amount`` in the currency's smallest unit and its ISO 4217
    ``currency`` (never a formatted or decimal string)."""

    amount = serializers.SerializerMethodField(help_text=MINOR_UNITS_HELP)
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. JPY")

    def get_amount(self, money) -> int:
        return to_minor_units(money.amount, money.currency)


def minor_units_of(amount, currency: str) -> int | None:
    """For a model's decimal amount beside its currency: the integer the API answers (None stays None)."""
    return None if amount is None else to_minor_units(amount, currency)
