from django.urls import path

from portal.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.catalog_index, name="index"),
    path("<str:product_id>/", views.product_detail, name="product"),
]
