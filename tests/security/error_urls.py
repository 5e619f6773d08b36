"""The portal's URLs plus a page and an API endpoint that fail with a secret in the exception, as a
careless library might (``test_secrets.py``)."""
from django.conf import settings
from django.urls import path

from portal.urls import handler404, handler500  # noqa: F401 - the handlers
from portal.urls import urlpatterns as portal_urlpatterns


def explode(request):
    raise RuntimeError(f"provider refused oem_key {settings.FREEBIT_OEM_KEY} / {settings.WHMCS_API_SECRET}")


urlpatterns = [
    path("boom/", explode),
    path("api/v1/boom", explode),
    *portal_urlpatterns,
]
