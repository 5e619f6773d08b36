from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.accounts.urls import auth_urlpatterns
from portal.accounts.views import AdminSignInView
from portal.core import views as core_views
from portal.core.i18n import set_language

handler404 = "portal.core.views.not_found"
handler500 = "portal.core.views.server_error"

admin.site.site_header = _("Customer Portal administration")
admin.site.site_title = _("Customer Portal admin")

urlpatterns = [
    path("", include("portal.dashboard.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    # Browsers ask for /favicon.ico on pages that name no icon (the API docs, a raw error).
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("readyz", core_views.readyz, name="readyz"),
    *auth_urlpatterns,
    path("account/", include("portal.accounts.urls")),
    path("", include("portal.billing.urls")),
    path("catalog/", include("portal.catalog.urls")),
    path("orders/", include("portal.orders.urls")),
    path("sims/", include("portal.sim.urls")),
    path("support/", include("portal.support.urls")),
    path("webhooks/", include("portal.webhooks.urls")),
    path("", include("portal.demo.urls")),  # the demo's operator pages (under admin/sandbox/) and clock
    # Staff sign in through the portal's sign-in, which asks for their second factor (docs/accounts.md).
    path("admin/login/", AdminSignInView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api_urls")),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="api-schema"),
    path("api/docs/", login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]
