from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import customer_required
from portal.accounts.models import Customer
from portal.catalog import selectors as catalog_selectors
from portal.core.errors import refusals_shown
from portal.orders import cart as carts
from portal.orders import selectors, services
from portal.orders.forms import CartLineForm, CheckoutForm


@customer_required
def order_list(request: HttpRequest, customer: Customer) -> HttpResponse:
    orders = selectors.order_list(customer)
    return render(request, "orders/list.html", {"orders": orders.value, "stale": orders.stale})


@customer_required
def order_detail(request: HttpRequest, customer: Customer, order_id: str) -> HttpResponse:
    order = selectors.order_detail(customer, order_id)
    return render(request, "orders/detail.html", {"order": order.value, "stale": order.stale})


@require_POST
@customer_required
def cart_update(request: HttpRequest, customer: Customer) -> HttpResponse:
    form = CartLineForm(request.POST)
    product = form.is_valid() and catalog_selectors.catalog().value.find(form.cleaned_data["product_id"])
    if not product:
        messages.error(request, _("That product could not be added. Please choose a quantity from 0 to 10."))
        return redirect("catalog:index")
    try:
        carts.set_quantity(request.session, product, form.cleaned_data["quantity"])
    except carts.FeeNotChoosable:
        messages.error(request, _("%(fee)s is not ordered on its own: it is added to your cart with the products "
                                  "that require it.") % {"fee": product.name})
        return redirect("orders:cart")
    if form.cleaned_data["quantity"]:
        messages.success(request, _("%(product)s is in your cart.") % {"product": product.name})
    else:
        messages.info(request, _("%(product)s was removed from your cart.") % {"product": product.name})
    return redirect("orders:cart")


@customer_required
def cart_view(request: HttpRequest, customer: Customer) -> HttpResponse:
    cart = carts.build(request.session, catalog_selectors.catalog().value)
    return render(request, "orders/cart.html", {"cart": cart})


@customer_required
def checkout(request: HttpRequest, customer: Customer) -> HttpResponse:
    cart = carts.build(request.session, catalog_selectors.catalog().value)
    form = CheckoutForm(request.POST or None, sim_lines=cart.sim_lines)
    if request.method == "POST" and form.is_valid():
        with refusals_shown(request):
            placed = services.order_place(customer=customer, cart=cart.with_sims(form.sim_choices()),
                                          request_id=form.cleaned_data["request_id"])
            carts.clear(request.session)
            if placed.created:
                messages.success(request, _("Thank you: your order is placed and waiting for review."))
            return redirect("orders:detail", order_id=placed.order_id)
    problems = services.checkout_problems(customer=customer, cart=cart)
    return render(request, "orders/checkout.html", {"cart": cart, "form": form, "problems": problems})
