from django.urls import path

from portal.sim import views

app_name = "sim"

urlpatterns = [
    path("", views.sim_list, name="index"),
    path("<str:iccid>/", views.sim_detail, name="detail"),
    path("<str:iccid>/top-up/", views.sim_topup, name="topup"),
    path("<str:iccid>/plan/", views.sim_plan_change, name="plan"),
    path("<str:iccid>/plan/cancel/", views.sim_plan_cancel, name="plan_cancel"),
]
