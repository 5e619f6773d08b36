"""Create (or refresh) the demo admin and the demo customers with their provider links."""
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.accounts.models import Customer, User
from sandbox.demo_identities import DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_CUSTOMERS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Load the demo sign-ins: customers linked to their sandbox records, and an admin. Idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        admin, _ = User.objects.get_or_create(email=DEMO_ADMIN_EMAIL, defaults={"first_name": "Portal"})
        admin.is_staff = admin.is_superuser = admin.is_active = True
        admin.set_password(DEMO_ADMIN_PASSWORD)
        admin.save()
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
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(DEMO_CUSTOMERS)} customers and an admin."))
