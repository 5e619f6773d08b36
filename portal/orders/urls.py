from django.urls import path

from portal.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="index"),
    path("cart/", views.cart_view, name="cart"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("<str:order_id>/", views.order_detail, name="detail"),
]
