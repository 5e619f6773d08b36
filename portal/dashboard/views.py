from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.dashboard.selectors import dashboard_for


def dashboard(request: HttpRequest) -> HttpResponse:
    customer = getattr(request.user, "customer", None)
    summary = dashboard_for(customer) if customer else None
    return render(request, "dashboard/index.html", {"customer": customer, "dashboard": summary})
