from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from domain.catalog.types import ProductCategory
from domain.orders.fees import is_fee, required_fees
from portal.catalog import selectors


def catalog_index(request: HttpRequest) -> HttpResponse:
    category = _category(request.GET.get("category"))
    found = selectors.catalog()
    order = list(ProductCategory)
    groups = sorted(found.value.grouped(), key=lambda group: order.index(group[0]))
    if category:
        groups = tuple((c, products) for c, products in groups if c == category)
    categories = sorted(found.value.categories, key=order.index)
    context = {"groups": groups, "categories": categories, "category": category, "stale": found.stale}
    return render(request, "catalog/index.html", context)


def product_detail(request: HttpRequest, product_id: str) -> HttpResponse:
    found = selectors.catalog()
    product = found.value.find(product_id)
    if product is None:
        raise Http404("No such product")
    fees = () if is_fee(product) else required_fees(found.value, [(product, 1)]).lines
    return render(request, "catalog/product.html", {"product": product, "fees": fees, "stale": found.stale,
                                                    "is_fee": is_fee(product)})


def _category(value: str | None) -> ProductCategory | None:
    try:
        return ProductCategory(value) if value else None
    except ValueError:
        return None
