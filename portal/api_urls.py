"""``/api/v1/``. API views answer 401/403 themselves, so they opt out of the sign-in redirect."""
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from portal.billing import api as billing_api
from portal.dashboard.api import DashboardApi
from portal.orders import api as orders_api
from portal.sim import api as sim_api
from portal.support import api as support_api


def api(view_class):
    return login_not_required(view_class.as_view())


urlpatterns = [
    path("dashboard", api(DashboardApi), name="api-dashboard"),
    path("invoices", api(billing_api.InvoiceListApi), name="api-invoices"),
    path("invoices/<int:invoice_id>", api(billing_api.InvoiceDetailApi), name="api-invoice"),
    path("subscriptions", api(billing_api.SubscriptionListApi), name="api-subscriptions"),
    path("subscriptions/<int:service_id>", api(billing_api.SubscriptionDetailApi), name="api-subscription"),
    path("subscriptions/<int:service_id>/cancellation", api(sim_api.ServiceCancellationApi),
         name="api-subscription-cancellation"),
    path("subscriptions/<int:service_id>/cancellation/withdraw", api(sim_api.ServiceCancellationWithdrawApi),
         name="api-subscription-cancellation-withdraw"),
    path("payment-methods", api(billing_api.PaymentMethodListApi), name="api-payment-methods"),
    path("catalog", api(orders_api.CatalogApi), name="api-catalog"),
    path("orders", api(orders_api.OrderListApi), name="api-orders"),
    path("orders/<str:order_id>", api(orders_api.OrderDetailApi), name="api-order"),
    path("sims", api(sim_api.SimListApi), name="api-sims"),
    path("sims/<str:iccid>", api(sim_api.SimDetailApi), name="api-sim"),
    path("sims/<str:iccid>/usage", api(sim_api.SimUsageApi), name="api-sim-usage"),
    path("sims/<str:iccid>/top-up", api(sim_api.SimTopUpApi), name="api-sim-topup"),
    path("sims/<str:iccid>/plan", api(sim_api.SimPlanChangeApi), name="api-sim-plan"),
    path("sims/<str:iccid>/plan/quote", api(sim_api.SimPlanQuoteApi), name="api-sim-plan-quote"),
    path("sims/<str:iccid>/plan/cancel", api(sim_api.SimPlanCancelApi), name="api-sim-plan-cancel"),
    path("sims/<str:iccid>/plan-changes", api(sim_api.SimPlanChangeListApi), name="api-sim-plan-changes"),
    path("sims/<str:iccid>/actions", api(sim_api.SimActionListApi), name="api-sim-actions"),
    path("sims/<str:iccid>/voice-options", api(sim_api.SimVoiceOptionsApi), name="api-sim-voice-options"),
    path("sims/<str:iccid>/network", api(sim_api.SimNetworkApi), name="api-sim-network"),
    path("sims/<str:iccid>/esim-reissue", api(sim_api.SimEsimReissueApi), name="api-sim-esim-reissue"),
    path("sims/<str:iccid>/cancellation", api(sim_api.SimCancellationApi), name="api-sim-cancellation"),
    path("sims/<str:iccid>/cancellation/withdraw", api(sim_api.SimCancellationWithdrawApi),
         name="api-sim-cancellation-withdraw"),
    path("cases", api(support_api.CaseListApi), name="api-cases"),
    path("case-types", api(support_api.CaseTypesApi), name="api-case-types"),
    path("cases/<str:case_id>", api(support_api.CaseDetailApi), name="api-case"),
    path("cases/<str:case_id>/comments", api(support_api.CaseCommentsApi), name="api-case-comments"),
    path("cases/<str:case_id>/attachments", api(support_api.CaseAttachmentsApi), name="api-case-attachments"),
]
