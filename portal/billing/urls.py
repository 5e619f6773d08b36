from django.urls import path

from portal.core.sections import pending_section

app_name = "billing"

urlpatterns = [
    path(
        "billing/invoices/",
        pending_section("Invoices", "WHMCS", "Your invoices, what is due, and paying them online."),
        name="invoices",
    ),
    path(
        "billing/payment-methods/",
        pending_section("Payment methods", "WHMCS", "The cards and bank accounts on file."),
        name="payment_methods",
    ),
    path(
        "subscriptions/",
        pending_section("Subscriptions", "WHMCS", "Your services, their status and next due dates."),
        name="subscriptions",
    ),
]
