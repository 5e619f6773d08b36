from django.urls import path

from portal.core.sections import pending_section

app_name = "sim"

urlpatterns = [
    path("", pending_section("SIMs", "Freebit", "Your SIMs, their data usage, top-ups and plans."), name="index"),
]
