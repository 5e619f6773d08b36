from django.urls import path

from portal.support import views

app_name = "support"

urlpatterns = [
    path("cases/", views.case_list, name="cases"),
    path("cases/new/", views.case_new, name="new"),
    path("cases/<str:case_id>/", views.case_detail, name="detail"),
    path("cases/<str:case_id>/comment/", views.case_comment, name="comment"),
    path("cases/<str:case_id>/attachments/", views.case_attach, name="attach"),
]
