"""The sign-in backend: Django's, loading the customer with the user (one query per request, not two,
compiled once per process: ``portal.core.compiled``)."""
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from portal.core.compiled import CompiledLookup

user_with_customer = CompiledLookup(
    lambda pk: get_user_model()._default_manager.select_related("customer").filter(pk=pk))


class CustomerBackend(ModelBackend):
    def get_user(self, user_id):
        user = user_with_customer.first(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
