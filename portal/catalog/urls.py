from django.urls import path

from portal.core.sections import pending_section

app_name = "catalog"

urlpatterns = [
    path("", pending_section("Catalog", "Salesforce", "Plans and products you can order."), name="index"),
]
