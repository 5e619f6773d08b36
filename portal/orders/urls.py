from django.urls import path

from portal.core.sections import pending_section

app_name = "orders"

urlpatterns = [
    path("", pending_section("Orders", "Salesforce", "Your orders and where each one is."), name="index"),
]
