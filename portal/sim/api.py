"""``/api/v1/sims``: the customer's SIMs, details, usage, top-up and plan change."""
from datetime import date, timedelta

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
from portal.billing import selectors as billing_selectors
from portal.billing.api import MoneySerializer
from portal.core.api import MINOR_UNITS_HELP, CustomerApi, minor_units_of
from portal.sim import actions, selectors, services
from portal.sim.models import PlanChange, SimAction, TopUp
from portal.support import selectors as support


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
    sim_type = serializers.CharField(source="kind", help_text="Physical (a SIM card) or eSIM")
    eid = serializers.CharField(allow_null=True, help_text="An eSIM's EID (the phone it is on); null for a SIM card")
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
        "True once the top-up is applied, failed or waiting for staff (needs_review: whether the data was added is "
        "being checked); false while it is still being charged or added (it goes on by itself: repeat the request "
        "with the same request_id to see how far it got)"))
    message = serializers.SerializerMethodField(help_text="What happened, in words for the customer")
    amount = serializers.SerializerMethodField(help_text="The price before tax. " + MINOR_UNITS_HELP)

    class Meta:
        model = TopUp
        fields = ["request_id", "iccid", "quota_mb", "amount", "currency", "status", "done", "message",
                  "whmcs_invoice_id", "created_at"]

    def get_message(self, topup: TopUp) -> str:
        return services.topup_message(topup)[1]

    def get_amount(self, topup: TopUp) -> int | None:
        return minor_units_of(topup.amount, topup.currency)


class SimListApi(CustomerApi):
    """Your SIMs: each one's ICCID, the service it belongs to and that service's status."""

    @extend_schema(operation_id="sims_list", responses=SimLinkSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response({"data": SimLinkSerializer(selectors.customer_sims(request.user.customer), many=True).data})


class SimDetailApi(CustomerApi):
    """One SIM: phone number, status (active, suspended...), plan, data left and this month's allowance
    in kilobytes, and whether it has any usage yet. A SIM that is not yours is a 404."""

    @extend_schema(operation_id="sims_retrieve", responses=SimDetailsSerializer)
    def get(self, request: Request, iccid: str) -> Response:
        customer = request.user.customer
        details = selectors.sim_details(customer, selectors.owned_sim(customer, iccid))
        return Response({"data": SimDetailsSerializer(details.value).data, "stale": details.stale})


USAGE_HISTORY_DAYS = 366
"""How far back a usage range may start: the figures are the ones the portal recorded when the SIM
was looked at (docs/freebit.md); older ranges (year 1, say) are refused, a 400."""


class SimUsageApi(CustomerApi):
    """Daily data use of one SIM between `start` and `end` (ISO dates, Japan time, at most 62 days, not
    in the future), in kilobytes."""

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
        usage = selectors.sim_usage(selectors.owned_sim(request.user.customer, iccid), start, end)
        return Response({"data": SimUsageSerializer(usage.value).data, "stale": usage.stale})


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class SimTopUpApi(CustomerApi):
    """Add data to a SIM for the rest of this month: `quota_mb` (100 MB to 50 GB) and your own
    `request_id`. It is charged on an invoice first, then added; 201 when it is recorded, 200 with the
    same top-up when the request id repeats and it is done, 202 while it is still going. A suspended SIM
    is a 400."""

    refused_field = "top_up"

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
        answer = services.topup_request(customer=request.user.customer, iccid=iccid,
                                        quota_mb=form.validated_data["quota_mb"],
                                        request_id=str(form.validated_data["request_id"]))
        if answer.created:
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_202_ACCEPTED if answer.in_flight else status.HTTP_200_OK
        return Response({"data": TopUpSerializer(answer.topup).data}, status=code)


class PlanChangeSerializer(serializers.ModelSerializer):
    done = serializers.SerializerMethodField(help_text=(
        "True once the change is made, failed or cancelled; false while it is scheduled or being made"))
    cancellable = serializers.SerializerMethodField(help_text="It has not taken effect: plan/cancel cancels it")
    message = serializers.SerializerMethodField(help_text="What happened, in words for the customer")
    quoted_charge = serializers.SerializerMethodField(help_text="Shown for a change made now. " + MINOR_UNITS_HELP)
    charged_amount = serializers.SerializerMethodField(help_text="What billing charged. " + MINOR_UNITS_HELP)
    old_monthly = serializers.SerializerMethodField(help_text=MINOR_UNITS_HELP)
    new_monthly = serializers.SerializerMethodField(help_text=MINOR_UNITS_HELP)

    class Meta:
        model = PlanChange
        fields = ["request_id", "iccid", "from_plan_code", "to_plan_code", "to_plan_name", "immediate",
                  "effective_date", "status", "done", "cancellable", "message", "currency", "quoted_charge",
                  "charged_amount", "old_monthly", "new_monthly", "whmcs_invoice_id", "created_at"]

    def get_done(self, change: PlanChange) -> bool:
        return not change.is_open

    def get_cancellable(self, change: PlanChange) -> bool:
        return change.status == PlanChange.Status.SCHEDULED

    def get_message(self, change: PlanChange) -> str:
        return services.plan_change_message(change)[1]

    def get_quoted_charge(self, change: PlanChange) -> int | None:
        return minor_units_of(change.quoted_charge, change.currency)

    def get_charged_amount(self, change: PlanChange) -> int | None:
        return minor_units_of(change.charged_amount, change.currency)

    def get_old_monthly(self, change: PlanChange) -> int | None:
        return minor_units_of(change.old_monthly, change.currency)

    def get_new_monthly(self, change: PlanChange) -> int | None:
        return minor_units_of(change.new_monthly, change.currency)


class PlanChoiceSerializer(serializers.Serializer):
    plan_code = serializers.CharField(max_length=40)
    immediate = serializers.BooleanField(default=False, help_text=(
        "true: now (a dearer plan only, charged pro rata at once); false: from the first of next month"))


class PlanQuoteSerializer(serializers.Serializer):
    iccid = serializers.CharField()
    current_plan_code = serializers.CharField()
    plan_code = serializers.CharField(source="plan.sku")
    plan_name = serializers.CharField(source="plan.name")
    immediate = serializers.BooleanField()
    effective_date = serializers.DateField()
    charge_now = MoneySerializer(allow_null=True, help_text="Charged at once (pro rata, tax included); null from "
                                                            "next month")
    current_monthly = MoneySerializer()
    new_monthly = MoneySerializer()
    next_due_date = serializers.DateField(allow_null=True)


class SimPlanQuoteApi(CustomerApi):
    refused_field = "plan_code"

    @extend_schema(operation_id="sims_plan_quote", request=PlanChoiceSerializer, responses=PlanQuoteSerializer)
    def post(self, request: Request, iccid: str) -> Response:
        """The price of a plan change, as billing will charge it; changes nothing."""
        customer = request.user.customer
        sim = selectors.owned_sim(customer, iccid)  # another customer's SIM: 404 whatever the body
        form = PlanChoiceSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        quote = services.plan_change_quote(customer=customer, sim=sim, **form.validated_data)
        return Response({"data": PlanQuoteSerializer(quote).data})


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class SimPlanChangeApi(CustomerApi):
    refused_field = "plan_code"

    class PlanChangeInputSerializer(PlanChoiceSerializer):
        request_id = serializers.UUIDField(help_text="Idempotency key: repeat it to get the same change back")

    @extend_schema(operation_id="sims_plan_change", request=PlanChangeInputSerializer, responses={
        201: OpenApiResponse(PlanChangeSerializer, description="Recorded by this request: made now, or scheduled"),
        200: OpenApiResponse(PlanChangeSerializer, description="A repeat of a request id: the same change"),
        202: OpenApiResponse(PlanChangeSerializer, description="A repeat of a request id whose change is still "
                                                               "being made: ask again later"),
    })
    def post(self, request: Request, iccid: str) -> Response:
        """Confirm a plan change (see ``plan/quote`` for its price first). A plan the SIM cannot move to
        (another kind of SIM, its own plan, one not offered) is a 400 saying why."""
        customer = request.user.customer
        sim = selectors.owned_sim(customer, iccid)  # another customer's SIM: 404 whatever the body
        form = self.PlanChangeInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        answer = services.plan_change_request(
            customer=customer, sim=sim, plan_code=form.validated_data["plan_code"],
            immediate=form.validated_data["immediate"], request_id=str(form.validated_data["request_id"]))
        if answer.created:
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_202_ACCEPTED if answer.in_flight else status.HTTP_200_OK
        return Response({"data": PlanChangeSerializer(answer.change).data}, status=code)


class SimPlanChangeListApi(CustomerApi):
    """The plan changes of one SIM, newest first, with their status and prices."""

    @extend_schema(operation_id="sims_plan_changes", responses=PlanChangeSerializer(many=True))
    def get(self, request: Request, iccid: str) -> Response:
        link = selectors.owned_sim(request.user.customer, iccid)
        changes = services.plan_change_history(request.user.customer, link.iccid)
        return Response({"data": PlanChangeSerializer(changes, many=True).data})


class SimPlanCancelApi(CustomerApi):
    refused_status = status.HTTP_409_CONFLICT  # it has taken effect or is being made

    class PlanCancelInputSerializer(serializers.Serializer):
        request_id = serializers.UUIDField(required=False, help_text=(
            "The request id the change was confirmed with (default: the SIM's change waiting to be made)"))

    @extend_schema(operation_id="sims_plan_cancel", request=PlanCancelInputSerializer, responses={
        200: OpenApiResponse(PlanChangeSerializer, description="Cancelled (or cancelled before)"),
        404: OpenApiResponse(description="No such plan change of this SIM (or none waiting)"),
        409: OpenApiResponse(description="It has taken effect or is being made: it can no longer be cancelled"),
    })
    def post(self, request: Request, iccid: str) -> Response:
        """Cancel a plan change that has not taken effect yet."""
        customer = request.user.customer
        sim = selectors.owned_sim(customer, iccid)  # another customer's SIM: 404 whatever the body
        form = self.PlanCancelInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        request_id = form.validated_data.get("request_id")
        try:
            change = services.plan_change_cancel(customer=customer, sim=sim,
                                                 request_id=str(request_id) if request_id else None)
        except services.PlanChangeNotFound as missing:
            return Response({"message": missing.message, "extra": {}}, status=status.HTTP_404_NOT_FOUND)
        return Response({"data": PlanChangeSerializer(change).data})


class SimActionSerializer(serializers.ModelSerializer):
    done = serializers.BooleanField(source="is_done", help_text=(
        "True once the action is done, failed or withdrawn; false while it is scheduled, requested or in progress "
        "(it goes on by itself)"))
    message = serializers.SerializerMethodField(help_text="What happened, in words for the customer")
    fee = serializers.SerializerMethodField(help_text="The fee before tax, charged first (an eSIM reissue). "
                                                      + MINOR_UNITS_HELP)
    withdraw_until = serializers.SerializerMethodField(help_text="A scheduled cancellation may be withdrawn until "
                                                                 "this day (Japan time)")

    class Meta:
        model = SimAction
        fields = ["request_id", "iccid", "kind", "status", "failure", "done", "message", "params", "end_date",
                  "withdraw_until", "fee", "currency", "whmcs_invoice_id", "created_at"]

    def get_message(self, action: SimAction) -> str:
        return actions.action_message(action)[1]

    def get_fee(self, action: SimAction) -> int | None:
        return minor_units_of(action.fee, action.currency) if action.fee is not None else None

    def get_withdraw_until(self, action: SimAction) -> date | None:
        return actions.withdraw_until(action) if action.status == SimAction.Status.SCHEDULED else None


class SimActionListApi(CustomerApi):
    """The SIM's lifecycle actions (voice options, network type, eSIM reissue, cancellation), newest
    first, with their state, the end dates a cancellation asked now may have, and the MNP
    reservation number staff recorded for the SIM (`mnp_reservation`: `number`, `expires_on`; null
    when none holds: a SIM with one cannot be cancelled, the port cancels it)."""

    @extend_schema(operation_id="sims_actions", responses=SimActionSerializer(many=True))
    def get(self, request: Request, iccid: str) -> Response:
        link = selectors.owned_sim(request.user.customer, iccid)
        actions.refresh_actions(request.user.customer, link.iccid)
        found = actions.sim_actions(request.user.customer, link.iccid, limit=50)
        port = support.sim_cases(request.user.customer, link.iccid).mnp
        return Response({"data": SimActionSerializer(found, many=True).data,
                         "cancellation_end_dates": actions.cancellation_end_dates(clock.today()),
                         "mnp_reservation": {"number": port.number, "expires_on": port.expires_on} if port else None})


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class SimActionApi(CustomerApi):
    """Ask for a change to the SIM with your own `request_id`: 201 when recorded (its state in the
    body), 200 with the same action for a repeat once done, 202 while it is still going. What cannot
    be done (a data-only SIM's voice options, a line locked by a network switch...) is a 400 saying why."""

    kind: str = ""
    refused_field = "action"

    class ActionInputSerializer(serializers.Serializer):
        request_id = serializers.UUIDField(help_text="Idempotency key: repeat it to get the same action back")
        voice_options = serializers.DictField(child=serializers.BooleanField(), required=False, help_text=(
            "voice-options: {\"Voicemail\": true, \"Call waiting\": false, \"International roaming\": true}"))
        network = serializers.ChoiceField(choices=["4G", "5G"], required=False, help_text="network: 4G or 5G")
        eid = serializers.CharField(required=False, help_text="esim-reissue (an eSIM only; a SIM card is refused): "
                                                              "the new phone's EID (32 digits)")
        end_date = serializers.DateField(required=False, help_text="cancellation: the last day of service, one of "
                                                                   "the actions list's cancellation_end_dates")

    @extend_schema(request=ActionInputSerializer, responses={201: SimActionSerializer, 200: SimActionSerializer,
                                                            202: SimActionSerializer})
    def post(self, request: Request, iccid: str) -> Response:
        customer = request.user.customer
        sim = selectors.owned_sim(customer, iccid)  # another customer's SIM: 404 whatever the body
        form = self.ActionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        details = selectors.sim_details(customer, sim).value
        answer = actions.action_request(customer=customer, sim=sim, details=details, kind=self.kind,
                                        request_id=str(data["request_id"]), voice=data.get("voice_options"),
                                        network=data.get("network"), eid=data.get("eid"),
                                        end_date=data.get("end_date"))
        if answer.created:
            code = status.HTTP_201_CREATED
        else:
            code = status.HTTP_202_ACCEPTED if answer.in_flight else status.HTTP_200_OK
        return Response({"data": SimActionSerializer(answer.action).data}, status=code)


class SimVoiceOptionsApi(SimActionApi):
    kind = SimAction.Kind.VOICE_OPTIONS


class SimNetworkApi(SimActionApi):
    kind = SimAction.Kind.NETWORK


class SimEsimReissueApi(SimActionApi):
    kind = SimAction.Kind.ESIM_REISSUE


class SimCancellationApi(SimActionApi):
    kind = SimAction.Kind.CANCELLATION


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ServiceCancellationApi(CustomerApi):
    """Book the cancellation of one of your Internet services (`SERVICE_CANCELLATION_GROUPS`) for an
    end date the SIM rules allow (`end_date`, one of `cancellation_end_dates`), with your own
    `request_id`: 201 when booked, 200 for a repeat. WHMCS is asked (AddCancelRequest) a few days
    before the last day; until then it may be withdrawn. Another customer's service is a 404."""

    refused_field = "action"

    class ServiceCancelInputSerializer(serializers.Serializer):
        request_id = serializers.UUIDField(help_text="Idempotency key: repeat it to get the same cancellation back")
        end_date = serializers.DateField(help_text="The last day of service")

    @extend_schema(operation_id="subscriptions_cancellation", request=ServiceCancelInputSerializer,
                   responses={201: SimActionSerializer, 200: SimActionSerializer})
    def post(self, request: Request, service_id: int) -> Response:
        customer = request.user.customer
        service = billing_selectors.subscription_detail(customer, service_id).value  # another's: 404
        form = self.ServiceCancelInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        answer = actions.service_cancellation_request(customer=customer, service=service,
                                                      end_date=form.validated_data["end_date"],
                                                      request_id=str(form.validated_data["request_id"]))
        return Response({"data": SimActionSerializer(answer.action).data},
                        status=status.HTTP_201_CREATED if answer.created else status.HTTP_200_OK)


class ServiceCancellationWithdrawApi(CustomerApi):
    refused_status = status.HTTP_409_CONFLICT

    class ServiceWithdrawInputSerializer(serializers.Serializer):
        request_id = serializers.UUIDField(required=False)

    @extend_schema(operation_id="subscriptions_cancellation_withdraw", request=ServiceWithdrawInputSerializer,
                   responses=SimActionSerializer)
    def post(self, request: Request, service_id: int) -> Response:
        """Withdraw the service's cancellation before it is sent: nothing is cancelled (409 once sent)."""
        customer = request.user.customer
        billing_selectors.subscription_detail(customer, service_id)  # another customer's: 404
        form = self.ServiceWithdrawInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        request_id = form.validated_data.get("request_id")
        action = actions.service_cancellation_withdraw(customer=customer, service_id=service_id,
                                                       request_id=str(request_id) if request_id else None)
        return Response({"data": SimActionSerializer(action).data})


class SimCancellationWithdrawApi(CustomerApi):
    refused_status = status.HTTP_409_CONFLICT

    class WithdrawInputSerializer(serializers.Serializer):
        request_id = serializers.UUIDField(required=False)

    @extend_schema(operation_id="sims_cancellation_withdraw", request=WithdrawInputSerializer,
                   responses=SimActionSerializer)
    def post(self, request: Request, iccid: str) -> Response:
        """Withdraw the SIM's cancellation before it is sent: nothing is cancelled (409 once sent)."""
        customer = request.user.customer
        sim = selectors.owned_sim(customer, iccid)
        form = self.WithdrawInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        request_id = form.validated_data.get("request_id")
        action = actions.action_withdraw(customer=customer, sim=sim, request_id=str(request_id) if request_id else None)
        return Response({"data": SimActionSerializer(action).data})
