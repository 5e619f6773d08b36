from django.urls import path

from portal.billing import views

app_name = "billing"

urlpatterns = [
    path("billing/invoices/", views.invoice_list, name="invoices"),
    path("billing/invoices/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("billing/invoices/<int:invoice_id>/pay/", views.invoice_pay, name="invoice_pay"),
    path("billing/payment-methods/", views.payment_method_list, name="payment_methods"),
    path("subscriptions/", views.subscription_list, name="subscriptions"),
    path("subscriptions/<int:service_id>/", views.subscription_detail, name="subscription"),
]
