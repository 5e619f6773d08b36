"""``/api/v1/dashboard``: the dashboard's panels, from the same concurrent fan-out as the page."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from domain.shared import clock
from portal.billing.api import InvoiceSummarySerializer, MoneySerializer, SubscriptionSerializer
from portal.core.api import CustomerApi
from portal.dashboard.selectors import dashboard_for
from portal.orders.api import OrderSummarySerializer
from portal.sim.api import QuotaSerializer


class BillingSummarySerializer(serializers.Serializer):
    amount_due = MoneySerializer(allow_null=True)
    unpaid_count = serializers.IntegerField()
    overdue_count = serializers.IntegerField()
    next_due = InvoiceSummarySerializer(allow_null=True)


class SimQuotaSerializer(serializers.Serializer):
    iccid = serializers.CharField()
    plan_name = serializers.CharField()
    remaining = QuotaSerializer(allow_null=True)
    total = QuotaSerializer(allow_null=True)
    used_percent = serializers.IntegerField(allow_null=True)
    usage_started = serializers.BooleanField()
    activation_date = serializers.DateField(allow_null=True)
    service_id = serializers.IntegerField(allow_null=True, help_text="The subscription this SIM belongs to")
    msisdn = serializers.CharField(help_text="The phone number, digits only (empty if unknown)")
    status = serializers.CharField(allow_null=True, help_text="active, suspended, pending or cancelled")


def _panel(name: str, value_serializer):
    return type(f"{name}PanelSerializer", (serializers.Serializer,), {
        "value": value_serializer, "stale": serializers.BooleanField(), "unavailable": serializers.BooleanField(),
    })


class DashboardSerializer(serializers.Serializer):
    billing = _panel("Billing", BillingSummarySerializer(allow_null=True))()
    subscriptions = _panel("Subscriptions", SubscriptionSerializer(many=True, allow_null=True))()
    orders = _panel("Orders", OrderSummarySerializer(many=True, allow_null=True))()
    sims = _panel("Sims", SimQuotaSerializer(many=True, allow_null=True))()


class DashboardApi(CustomerApi):
    """Everything the dashboard shows, read at once: what is due (amounts as integers with their
    currency), your services, your three latest orders and each SIM's data left. A panel whose system
    did not answer in time is empty with ``unavailable`` true, or its last copy with ``stale`` true."""

    @extend_schema(operation_id="dashboard_retrieve", responses=DashboardSerializer)
    def get(self, request: Request) -> Response:

        summary = dashboard_for(request.user.customer)
        serializer = DashboardSerializer(summary, context={"today": clock.today()})
        return Response({"data": serializer.data})
