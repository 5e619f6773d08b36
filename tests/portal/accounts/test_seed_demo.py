import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import Customer, User
from sandbox.demo_identities import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_ADMIN_TOTP_KEY, DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_linked_customers_and_an_admin_and_can_run_again():
    call_command("seed_demo")
    call_command("seed_demo")

    alice = User.objects.get(email="alice@example.com")
    assert alice.check_password(DEMO_PASSWORD) and not alice.is_staff
    assert alice.customer.whmcs_client_id == 1001
    assert alice.customer.salesforce_account_id == "001Dn00000AliceIAB"
    assert User.objects.get(email="bob@example.com").customer.whmcs_client_id == 1002
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    assert admin.is_superuser and admin.check_password(DEMO_ADMIN_PASSWORD)
    assert Customer.objects.count() == 2 and User.objects.count() == 4
    erin = User.objects.get(email="erin@example.com")  # a customer of billing whose sign-in is not linked yet
    assert erin.check_password(DEMO_PASSWORD) and not hasattr(erin, "customer")
    device = TOTPDevice.objects.get(user=admin)  # staff need a second factor: the demo's is published
    assert device.confirmed and device.key == DEMO_ADMIN_TOTP_KEY
