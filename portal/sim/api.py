"""``/api/v1/sims``: the customer's SIMs, details, usage, top-up and plan change."""
from datetime import timedelta

from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from domain.shared import clock
from domain.shared.calendar import current_month
from domain.sim.usage_range import UsageRangeError, validate_usage_range
from portal.core.api import CustomerApi
from portal.sim import selectors, services
from portal.sim.models import TopUp


class QuotaSerializer(serializers.Serializer):
    mb = serializers.IntegerField()
    display = serializers.CharField(source="format")


class SimLinkSerializer(serializers.Serializer):
    iccid = serializers.CharField()
    service_id = serializers.IntegerField()
    product_name = serializers.CharField()
    service_status = serializers.CharField()


class SimDetailsSerializer(serializers.Serializer):
    iccid = serializers.CharField()
    msisdn = serializers.CharField()
    status = serializers.CharField()
    plan_code = serializers.CharField()
    plan_name = serializers.CharField()
    data_only = serializers.BooleanField()
    remaining = QuotaSerializer()
    total = QuotaSerializer()
    usage_started = serializers.SerializerMethodField(
        help_text="False for a SIM activated this month that has used nothing yet: it has no usage to show")
    used_percent = serializers.SerializerMethodField(help_text="Share of this month's data used; null until "
                                                               "usage has started")
    activation_date = serializers.DateField()
    voice_options = serializers.SerializerMethodField()

    def get_usage_started(self, sim) -> bool:
        return sim.usage_started(clock.today())

    def get_used_percent(self, sim) -> int | None:
        return sim.used_percent_on(clock.today())

    def get_voice_options(self, sim) -> dict[str, bool]:
        return {str(option): enabled for option, enabled in sim.voice_options}


class UsagePointSerializer(serializers.Serializer):
    date = serializers.DateField()
    used = QuotaSerializer()


class SimUsageSerializer(serializers.Serializer):
    iccid = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    total_used = QuotaSerializer()
    points = UsagePointSerializer(many=True)


class TopUpSerializer(serializers.ModelSerializer):
    done = serializers.BooleanField(source="is_done", help_text=(
        "True once the top-up is applied or failed; false while it is still being charged or added (it goes on by "
        "itself: repeat the request with the same request_id to see how far it got)"))
    message = serializers.SerializerMethodField(help_text="What happened, in words for the customer")

    class Meta:
        model = TopUp
        fields = ["request_id", "iccid", "quota_mb", "amount", "currency", "status", "done", "message",
                  "whmcs_invoice_id", "created_at"]

    def get_message(self, topup: TopUp) -> str:
        return services.topup_message(topup)[1]


class SimListApi(CustomerApi):
    @extend_schema(operation_id="sims_list", responses=SimLinkSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response({"data": SimLinkSerializer(selectors.customer_sims(request.user.customer), many=True).data})


class SimDetailApi(CustomerApi):
    @extend_schema(operation_id="sims_retrieve", responses=SimDetailsSerializer)
    def get(self, request: Request, iccid: str) -> Response:
        details = selectors.sim_details(request.user.customer, iccid)
        return Response({"data": SimDetailsSerializer(details.value).data, "stale": details.stale})


USAGE_HISTORY_DAYS = 366
"""How far back a usage range may start. Freebit keeps about two months; older ranges (year 1, say)
are refused here rather than sent, so a bad query string is a 400, not a provider error."""


class SimUsageApi(CustomerApi):
    class UsageRangeSerializer(serializers.Serializer):
        start = serializers.DateField(required=False)
        end = serializers.DateField(required=False)

    @extend_schema(operation_id="sims_usage", responses=SimUsageSerializer,
                   parameters=[OpenApiParameter("start", str, description="YYYY-MM-DD (default: 1st of this month; "
                                                f"within the last {USAGE_HISTORY_DAYS} days)"),
                               OpenApiParameter("end", str, description="YYYY-MM-DD (default: today)")])
    def get(self, request: Request, iccid: str) -> Response:
        form = self.UsageRangeSerializer(data=request.query_params)
        form.is_valid(raise_exception=True)
        today = clock.today()
        default_start, _ = current_month(today)
        try:
            start, end = validate_usage_range(form.validated_data.get("start", default_start),
                                              form.validated_data.get("end", today), today=today)
        except UsageRangeError as exc:
            raise ValidationError({"range": [str(exc)]}) from None
        earliest = today - timedelta(days=USAGE_HISTORY_DAYS)
        if start < earliest:
            raise ValidationError({"range": [f"usage is kept for {USAGE_HISTORY_DAYS} days: the start date may be "
                                             f"{earliest.isoformat()} at the earliest"]})
        usage = selectors.sim_usage(request.user.customer, iccid, start, end)
        return Response({"data": SimUsageSerializer(usage.value).data, "stale": usage.stale})


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class SimTopUpApi(CustomerApi):
    class TopUpInputSerializer(serializers.Serializer):
        quota_mb = serializers.IntegerField()
        request_id = serializers.UUIDField(help_text="Idempotency key: repeat it to get the same top-up back")

    @extend_schema(operation_id="sims_topup", request=TopUpInputSerializer, responses={
        201: OpenApiResponse(TopUpSerializer, description="Recorded by this request (its state in the body)"),
        200: OpenApiResponse(TopUpSerializer, description="A repeat of a request id: the same top-up, done"),
        202: OpenApiResponse(TopUpSerializer, description="A repeat of a request id whose top-up is still in "
                                                          "flight (being charged or added): ask again later"),
    })
    def post(self, request: Request, iccid: str) -> Response:
        form = self.TopUpInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            answer = services.topup_request(customer=request.user.customer, iccid=iccid,
                                            quota_mb=form.validated_data["quota_mb"],
                                            request_id=str(form.validated_data["request_id"]))
        except services.SimActionRefused as refused:
            raise ValidationError({"top_up": [refused.message]}) from None
        if answer.created:
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_202_ACCEPTED if answer.in_flight else status.HTTP_200_OK
        return Response({"data": TopUpSerializer(answer.topup).data}, status=code)


class SimPlanChangeApi(CustomerApi):
    class PlanChangeInputSerializer(serializers.Serializer):
        plan_code = serializers.CharField(max_length=40)
        immediate = serializers.BooleanField(default=False)

    class PlanChangeSerializer(serializers.Serializer):
        plan_code = serializers.CharField()
        plan_name = serializers.CharField()
        previous_plan_code = serializers.CharField()
        status = serializers.CharField()
        effective_date = serializers.DateField()

    @extend_schema(operation_id="sims_plan_change", request=PlanChangeInputSerializer, responses=PlanChangeSerializer)
    def post(self, request: Request, iccid: str) -> Response:
        form = self.PlanChangeInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            change = services.plan_change(customer=request.user.customer, iccid=iccid, **form.validated_data)
        except services.SimActionRefused as refused:
            raise ValidationError({"plan_code": [refused.message]}) from None
        return Response({"data": self.PlanChangeSerializer(change).data})
