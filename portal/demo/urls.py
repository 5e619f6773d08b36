"""The demo's pages: the operator pages that play Salesforce's staff (a 404 without the Salesforce
sandbox) and Freebit's operator console (a 404 without the Freebit sandbox), and the clock the
browser tests move (only with ``DEMO_CLOCK_CONTROL``)."""
from django.conf import settings
from django.urls import path

from portal.demo import cases, identity, orders, sims
from portal.demo.clock import clock_control

urlpatterns = [
    path("admin/sandbox/orders/", orders.sandbox_orders, name="sandbox-orders"),
    path("admin/sandbox/cases/", cases.sandbox_cases, name="sandbox-cases"),
    path("admin/sandbox/cases/<str:case_id>/", cases.sandbox_case, name="sandbox-case"),
    path("admin/sandbox/identity/", identity.sandbox_identity, name="sandbox-identity"),
    path("admin/sandbox/identity/<str:account_id>/", identity.sandbox_identity_account,
         name="sandbox-identity-account"),
    path("admin/sandbox/sims/", sims.sandbox_sims, name="sandbox-sims"),
]
if settings.DEMO_CLOCK_CONTROL:
    urlpatterns.append(path("__demo__/clock", clock_control, name="demo-clock"))
