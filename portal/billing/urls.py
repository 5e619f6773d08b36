from django.urls import path

from portal.billing import views

app_name = "billing"

urlpatterns = [
    path("billing/invoices/", views.invoice_list, name="invoices"),
    path("billing/invoices/<int:invoice_id>/", views.invoice_detail, name="invoice"),
    path("billing/invoices/<int:invoice_id>/pay/", views.invoice_pay, name="invoice_pay"),
    path("billing/payment-methods/", views.payment_method_list, name="payment_methods"),
    path("billing/payment-methods/add/", views.payment_method_add, name="payment_method_add"),
    # WHMCS's client area links back here after a card is added (docs/whmcs.md, section 2).
    path("billing/payment-methods/added/", views.payment_method_added, name="payment_method_added"),
    path("subscriptions/", views.subscription_list, name="subscriptions"),
    path("subscriptions/<int:service_id>/", views.subscription_detail, name="subscription"),
    path("subscriptions/<int:service_id>/cancel/", views.subscription_cancel, name="subscription_cancel"),
    path("subscriptions/<int:service_id>/cancel/withdraw/", views.subscription_cancel_withdraw,
         name="subscription_cancel_withdraw"),
]
