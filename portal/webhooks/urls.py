from django.urls import path

from portal.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("whmcs/", views.whmcs_webhook, name="whmcs"),
]
