"""``/api/v1/``: invoices, subscriptions and payment methods of the signed-in customer."""
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from domain.shared import clock
from portal.billing import selectors
from portal.billing.forms import InvoiceFilterForm
from portal.core.api import CustomerApi, MoneySerializer
from portal.core.formats import payment_kind


class InvoiceSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    overdue = serializers.SerializerMethodField()
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    paid_at = serializers.DateTimeField(allow_null=True)
    total = MoneySerializer()
    balance = MoneySerializer(allow_null=True)

    def get_overdue(self, invoice) -> bool:
        return invoice.is_overdue(self.context["today"])


class InvoiceItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    description = serializers.CharField()
    amount = MoneySerializer()
    taxed = serializers.BooleanField()


class InvoiceTransactionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateTimeField()
    method = serializers.SerializerMethodField(help_text=(
        "How it was paid: card, bank_transfer, paypal, convenience_store, account_credit or other"))
    amount_in = MoneySerializer()
    amount_out = MoneySerializer()

    def get_method(self, payment) -> str:
        return payment_kind(payment.gateway)


class InvoiceDetailSerializer(InvoiceSummarySerializer):
    subtotal = MoneySerializer()
    credit = MoneySerializer()
    tax = MoneySerializer()
    tax2 = MoneySerializer()
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=2)
    items = InvoiceItemSerializer(many=True)
    transactions = InvoiceTransactionSerializer(many=True)


class SubscriptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product_id = serializers.IntegerField()
    product_name = serializers.CharField()
    group_name = serializers.CharField()
    domain = serializers.CharField()
    status = serializers.CharField()
    billing_cycle = serializers.CharField()
    recurring_amount = MoneySerializer()
    first_payment_amount = MoneySerializer()
    registration_date = serializers.DateField()
    next_due_date = serializers.DateField(allow_null=True)
    custom_fields = serializers.SerializerMethodField()
    config_options = serializers.SerializerMethodField()

    def get_custom_fields(self, sub) -> dict[str, str]:
        return dict(sub.custom_fields)

    def get_config_options(self, sub) -> dict[str, str]:
        return dict(sub.config_options)


class PaymentMethodSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    description = serializers.CharField()
    is_default = serializers.BooleanField()
    last_four = serializers.CharField(allow_null=True)
    card_brand = serializers.CharField(allow_null=True)
    expiry_month = serializers.IntegerField(allow_null=True)
    expiry_year = serializers.IntegerField(allow_null=True)
    bank_name = serializers.CharField(allow_null=True)


class InvoiceListApi(CustomerApi):
    """Your invoices, newest first, ten a page (`page`, from 1); `status` filters them (Unpaid, Overdue,
    Paid, Cancelled, Refunded). Amounts are integers in the currency's smallest unit; `overdue` is true
    for an unpaid invoice past its due date (Japan time)."""

    class InvoicePageSerializer(serializers.Serializer):
        data = InvoiceSummarySerializer(many=True)
        stale = serializers.BooleanField()
        page = serializers.IntegerField()
        total_results = serializers.IntegerField()
        has_more = serializers.BooleanField()

    @extend_schema(
        operation_id="invoices_list",
        parameters=[OpenApiParameter("page", int), OpenApiParameter("status", str)],
        responses=InvoicePageSerializer,
    )
    def get(self, request: Request) -> Response:

        page_number, status = InvoiceFilterForm(request.query_params).selected()
        page = selectors.invoice_list(request.user.customer, page=page_number, status=status)
        data = InvoiceSummarySerializer(page.value.invoices, many=True, context={"today": clock.today()}).data
        return self.envelope(data, page.stale, page=page_number, total_results=page.value.total_results,
                             has_more=page.value.has_more)


class InvoiceDetailApi(CustomerApi):
    """One of your invoices with its lines (before tax), subtotal, consumption tax, total and payments.
    Another customer's invoice, or one that does not exist, is a 404."""

    @extend_schema(operation_id="invoices_retrieve", responses=InvoiceDetailSerializer)
    def get(self, request: Request, invoice_id: int) -> Response:

        invoice = selectors.invoice_detail(request.user.customer, invoice_id)
        data = InvoiceDetailSerializer(invoice.value, context={"today": clock.today()}).data
        return self.envelope(data, invoice.stale)


class SubscriptionListApi(CustomerApi):
    """Your services (internet lines, SIM plans...) with their status, billing cycle, recurring price
    (tax included) and next due date."""

    @extend_schema(operation_id="subscriptions_list", responses=SubscriptionSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = selectors.subscription_list(request.user.customer)
        return self.envelope(SubscriptionSerializer(page.value.subscriptions, many=True).data, page.stale)


class SubscriptionDetailApi(CustomerApi):
    """One of your services, with its options and fields (a SIM's ICCID and phone number, for instance).
    Another customer's service is a 404."""

    @extend_schema(operation_id="subscriptions_retrieve", responses=SubscriptionSerializer)
    def get(self, request: Request, service_id: int) -> Response:
        sub = selectors.subscription_detail(request.user.customer, service_id)
        return self.envelope(SubscriptionSerializer(sub.value).data, sub.stale)


class PaymentMethodListApi(CustomerApi):
    """The payment methods on file: the card brand and last four digits, or the bank; never a full
    number."""

    @extend_schema(operation_id="payment_methods_list", responses=PaymentMethodSerializer(many=True))
    def get(self, request: Request) -> Response:
        methods = selectors.payment_methods(request.user.customer)
        return self.envelope(PaymentMethodSerializer(methods.value, many=True).data, methods.stale)
