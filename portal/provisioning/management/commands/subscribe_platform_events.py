"""``python manage.py subscribe_platform_events``: turn OrderProvisionRequested__e into jobs, and
Case_Status_Update__e into forgotten case caches (one subscription per topic, one cursor each).
Start it on several hosts: one process holds the subscriber lease and is active, the others wait as
hot standbys and take over when it dies (docs/pubsub.md, "One active subscriber")."""
import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from portal.provisioning.subscriber import PlatformEvents


class Command(BaseCommand):
    help = ("Subscribe to the portal's Platform Events over the Pub/Sub API: provisioning requests become "
            "provisioning jobs, case updates forget the customer's cached cases. Each topic resumes from its own "
            "stored replay id. One process is active at a time (the subscriber lease); others wait as standbys. "
            "Stops cleanly on SIGTERM or Ctrl+C.")

    def handle(self, *args, **options):
        events = PlatformEvents()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: events.stop())
        topics = [topic for topic in (settings.SALESFORCE_PUBSUB_TOPIC, settings.SALESFORCE_PUBSUB_CASE_TOPIC) if topic]
        self.stdout.write(f"Subscribing to {', '.join(topics)} once this process holds the subscriber lease "
                          f"({events.lease.name})")
        self.stdout.flush()
        events.run()
        self.stdout.write("Subscriber stopped.")
