from django.contrib import admin
from django.urls import include, path

from portal.accounts.urls import auth_urlpatterns
from portal.core import views as core_views

admin.site.site_header = "Customer Portal administration"
admin.site.site_title = "Customer Portal admin"

urlpatterns = [
    path("", core_views.dashboard, name="dashboard"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    *auth_urlpatterns,
    path("account/", include("portal.accounts.urls")),
    path("", include("portal.billing.urls")),
    path("catalog/", include("portal.catalog.urls")),
    path("orders/", include("portal.orders.urls")),
    path("sims/", include("portal.sim.urls")),
    path("admin/", admin.site.urls),
]
