"""``/api/v1/``: the catalog, the customer's orders, and placing an order."""
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from domain.catalog.types import Catalog, ProductCategory
from domain.orders.fees import is_fee
from domain.orders.types import MAX_LINE_QUANTITY, SimChoice
from domain.sim.types import SimKind
from portal.billing.api import MoneySerializer
from portal.catalog import selectors as catalog_selectors
from portal.core.api import CustomerApi
from portal.orders import selectors, services
from portal.orders.cart import Cart, with_required_fees


class ProductSerializer(serializers.Serializer):
    id = serializers.CharField()
    sku = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField()
    category = serializers.CharField()
    item_class = serializers.CharField()
    billing_cycle = serializers.CharField()
    price = MoneySerializer()
    is_sim = serializers.BooleanField()


class TimelineStepSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    state = serializers.CharField()


class OrderSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField()
    status = serializers.CharField()
    provisioning_status = serializers.CharField()
    effective_date = serializers.DateField()
    created_at = serializers.DateTimeField()
    total = MoneySerializer()


class OrderItemSerializer(serializers.Serializer):
    id = serializers.CharField()
    product_id = serializers.CharField()
    product_name = serializers.CharField()
    sku = serializers.CharField()
    billing_cycle = serializers.CharField()
    quantity = serializers.IntegerField()
    unit_price = MoneySerializer()
    total_price = MoneySerializer()
    sim_type = serializers.CharField(source="sim.kind", allow_null=True, default=None,
                                     help_text="A SIM plan's line: Physical (SIM cards) or eSIM; null otherwise")
    eids = serializers.ListField(child=serializers.CharField(), source="sim.eids", default=list,
                                 help_text="An eSIM line's phones, one EID per unit")


class CycleTotalSerializer(serializers.Serializer):
    billing_cycle = serializers.CharField()
    amount = MoneySerializer()


class OrderDetailSerializer(OrderSummarySerializer):
    items = OrderItemSerializer(many=True)
    totals_by_cycle = CycleTotalSerializer(many=True, help_text="Monthly and one-time amounts, each on its own")
    timeline = TimelineStepSerializer(many=True)
    failure_reason = serializers.SerializerMethodField(help_text="Why provisioning failed, in your language "
                                                                 "(null unless it failed)")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_failure_reason(self, order) -> str | None:
        return _(order.failure_reason) if order.failure_reason else None


class CatalogApi(CustomerApi):
    """The products you can order, by category (`category` filters), each with its price (tax included)
    and billing cycle. Required fees (a SIM's activation fee) are listed but are added to orders for
    you."""

    @extend_schema(operation_id="catalog_list", parameters=[OpenApiParameter("category", str)],
                   responses=ProductSerializer(many=True))
    def get(self, request: Request) -> Response:
        found = catalog_selectors.catalog()
        products = found.value.products
        category = request.query_params.get("category")
        if category:
            if category not in {c.value for c in ProductCategory}:
                raise ValidationError({"category": [f"Unknown category; one of {[c.value for c in ProductCategory]}."]})
            products = found.value.by_category(category)
        return Response({"data": ProductSerializer(products, many=True).data, "stale": found.stale})


class OrderListApi(CustomerApi):
    """GET: your orders, newest first, with their provisioning status. POST: place an order for `lines`
    (product ids and quantities) with your own `request_id` (a UUID): 201 the first time, 200 with the
    same order when the request id is sent again, so a retry never orders twice. A problem (no payment
    method, a second internet line...) is a 400 saying why."""

    refused_field = "order"

    class OrderInputSerializer(serializers.Serializer):
        class OrderLineSerializer(serializers.Serializer):
            product_id = serializers.CharField(max_length=18)
            quantity = serializers.IntegerField(min_value=1, max_value=MAX_LINE_QUANTITY)
            sim_type = serializers.ChoiceField(choices=[kind.value for kind in SimKind], required=False, help_text=(
                "A SIM plan only: Physical (SIM cards, the default) or eSIM"))
            eids = serializers.ListField(child=serializers.RegexField(r"^[0-9]{32}$"), required=False,
                                         max_length=MAX_LINE_QUANTITY, help_text=(
                                             "eSIM only: the EID of each phone (32 digits), one per unit"))

        request_id = serializers.RegexField(r"^[A-Za-z0-9-]{1,64}$", help_text="Idempotency key (e.g. a UUID)")
        lines = OrderLineSerializer(many=True, allow_empty=False)

    @extend_schema(operation_id="orders_list", responses=OrderSummarySerializer(many=True))
    def get(self, request: Request) -> Response:
        orders = selectors.order_list(request.user.customer)
        return Response({"data": OrderSummarySerializer(orders.value, many=True).data, "stale": orders.stale})

    @extend_schema(operation_id="orders_create", request=OrderInputSerializer, responses={201: OrderDetailSerializer})
    def post(self, request: Request) -> Response:
        form = self.OrderInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        cart = _cart(catalog_selectors.catalog().value, form.validated_data["lines"])
        placed = services.order_place(customer=request.user.customer, cart=cart,
                                      request_id=form.validated_data["request_id"])
        order = selectors.order_detail(request.user.customer, placed.order_id)
        return Response({"data": OrderDetailSerializer(order.value).data, "stale": False},
                        status=status.HTTP_201_CREATED if placed.created else status.HTTP_200_OK)


class OrderDetailApi(CustomerApi):
    """One of your orders with its items, its monthly and one-time totals and where its provisioning is
    (Pending Review, Approved, Activating, Active or Failed). Another customer's order is a 404."""

    @extend_schema(operation_id="orders_retrieve", responses=OrderDetailSerializer)
    def get(self, request: Request, order_id: str) -> Response:
        order = selectors.order_detail(request.user.customer, order_id)
        return Response({"data": OrderDetailSerializer(order.value).data, "stale": order.stale})


def _cart(catalog: Catalog, lines: list[dict]) -> Cart:
    """The order's cart: the products listed and the fees they require. A fee may be listed only with
    the quantity its products require (it is added anyway); alone, or in another quantity, it is a 400."""
    chosen, fees, seen, sims = [], {}, set(), {}
    for index, line in enumerate(lines):
        product = catalog.find(line["product_id"])
        if product is None:
            raise ValidationError({"lines": {index: {"product_id": [_("Not a product of the catalog.")]}}})
        if product.id in seen:
            raise ValidationError({"lines": {index: {"product_id": [_("Listed twice; use the quantity instead.")]}}})
        seen.add(product.id)
        if "sim_type" in line or "eids" in line:
            sims[product.id] = _sim_choice(index, product, line)
        if is_fee(product):
            fees[product.id] = (index, product, line["quantity"])
        else:
            chosen.append((product, line["quantity"]))
    cart = with_required_fees(catalog, chosen).with_sims(sims)
    eids = [eid for choice in sims.values() for eid in choice.eids]
    if len(set(eids)) != len(eids):
        raise ValidationError({"lines": [_("Each eSIM goes onto another phone: an EID is listed twice.")]})
    required = {line.product.id: line.quantity for line in cart.lines if line.required}
    for product_id, (index, fee, quantity) in fees.items():
        if product_id not in required:
            raise ValidationError({"lines": {index: {"product_id": [
                _("%(fee)s cannot be ordered on its own: it is added to the order of the products that require "
                  "it.") % {"fee": fee.name}]}}})
        if quantity != required[product_id]:
            raise ValidationError({"lines": {index: {"quantity": [
                _("This order requires %(fee)s %(count)d time(s), once per product that needs it; it is added "
                  "for you, you may leave it out.") % {"fee": fee.name, "count": required[product_id]}]}}})
    return cart


def _sim_choice(index: int, product, line: dict) -> SimChoice:
    """A SIM plan line's SIM: cards, or eSIMs with one phone's EID per unit (400 otherwise)."""
    if not product.is_sim:
        raise ValidationError({"lines": {index: {"sim_type": [_("Only a SIM plan takes a SIM type.")]}}})
    kind = SimKind(line.get("sim_type") or SimKind.PHYSICAL)
    eids = tuple(line.get("eids") or ())
    if kind is SimKind.PHYSICAL and eids:
        raise ValidationError({"lines": {index: {"eids": [_("A SIM card takes no EID; EIDs are for an eSIM.")]}}})
    if kind is SimKind.ESIM and len(eids) != line["quantity"]:
        raise ValidationError({"lines": {index: {"eids": [
            _("Give one EID per eSIM: the EID of each phone, %(count)d in all.") % {"count": line["quantity"]}]}}})
    if len(set(eids)) != len(eids):
        raise ValidationError({"lines": {index: {"eids": [
            _("Each eSIM goes onto another phone: an EID is listed twice.")]}}})
    return SimChoice(kind=kind, eids=eids)
