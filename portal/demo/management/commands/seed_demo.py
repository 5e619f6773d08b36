"""Create (or refresh) the demo admin and the demo customers with their provider links."""
from django.core.management.base import BaseCommand
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import Customer, User
from sandbox.demo_identities import (
    DEMO_ADMIN_EMAIL,
    DEMO_ADMIN_PASSWORD,
    DEMO_ADMIN_TOTP_KEY,
    DEMO_CUSTOMERS,
    DEMO_PASSWORD,
    DEMO_UNLINKED,
)


class Command(BaseCommand):
    help = "Load the demo sign-ins: customers linked to their sandbox records, and an admin. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        admin, _ = User.objects.get_or_create(email=DEMO_ADMIN_EMAIL, defaults={"first_name": "Portal"})
        admin.is_staff = admin.is_superuser = admin.is_active = True
        admin.set_password(DEMO_ADMIN_PASSWORD)
        admin.save()
        # Staff sign in with a second factor: the demo admin's authenticator key is published too.
        TOTPDevice.objects.update_or_create(user=admin, name="authenticator",
                                            defaults={"key": DEMO_ADMIN_TOTP_KEY, "confirmed": True})
        for demo in DEMO_CUSTOMERS:
            user, _ = User.objects.get_or_create(email=demo.email)
            user.first_name, user.last_name, user.is_active = demo.first_name, demo.last_name, True
            user.set_password(DEMO_PASSWORD)
            user.save()
            Customer.objects.update_or_create(
                user=user,
                defaults={
                    "salesforce_account_id": demo.salesforce_account_id,
                    "whmcs_client_id": demo.whmcs_client_id,
                },
            )
        # Erin is a customer of billing and the CRM whose sign-in is not linked yet: she links it herself.
        erin, _ = User.objects.get_or_create(email=DEMO_UNLINKED.email)
        erin.first_name, erin.last_name, erin.is_active = DEMO_UNLINKED.first_name, DEMO_UNLINKED.last_name, True
        erin.set_password(DEMO_PASSWORD)
        erin.save()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(DEMO_CUSTOMERS)} customers, one not linked yet "
                                             f"and an admin."))
