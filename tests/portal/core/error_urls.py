"""The portal's URLs plus views that fail on purpose, for the error page tests."""
from django.core.exceptions import PermissionDenied
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def explode(request):
    raise RuntimeError("database password is hunter2-very-secret")  # must never reach the page


def forbidden(request):
    raise PermissionDenied("internal reason: rule 42")


urlpatterns = [
    path("boom/", explode),
    path("forbidden/", forbidden),
    *portal_urlpatterns,
]
