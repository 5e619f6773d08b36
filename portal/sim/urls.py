from django.urls import path

from portal.sim import views

app_name = "sim"

urlpatterns = [
    path("", views.sim_list, name="index"),
    path("<str:iccid>/", views.sim_detail, name="detail"),
    path("<str:iccid>/top-up/", views.sim_topup, name="topup"),
    path("<str:iccid>/plan/", views.sim_plan_change, name="plan"),
    path("<str:iccid>/plan/cancel/", views.sim_plan_cancel, name="plan_cancel"),
    path("<str:iccid>/voice/", views.sim_action, {"kind": "voice_options"}, name="voice"),
    path("<str:iccid>/network/", views.sim_action, {"kind": "network"}, name="network"),
    path("<str:iccid>/esim/", views.sim_action, {"kind": "esim_reissue"}, name="esim"),
    path("<str:iccid>/cancel/", views.sim_action, {"kind": "cancellation"}, name="cancel"),
    path("<str:iccid>/cancel/withdraw/", views.sim_cancel_withdraw, name="cancel_withdraw"),
]
