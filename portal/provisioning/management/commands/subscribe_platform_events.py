"""``python manage.py subscribe_platform_events``: turn OrderProvisionRequested__e into jobs, and
Case_Status_Update__e into forgotten case caches (one subscription per topic, one cursor each)."""
import signal

from django.core.management.base import BaseCommand

from portal.provisioning.subscriber import build_subscribers, run_subscribers


class Command(BaseCommand):
    help = ("Subscribe to the portal's Platform Events over the Pub/Sub API: provisioning requests become "
            "provisioning jobs, case updates forget the customer's cached cases. Each topic resumes from its own "
            "stored replay id. Stops cleanly on SIGTERM or Ctrl+C.")

    def handle(self, *args, **options):
        subscribers = build_subscribers()

        def stop(*_):
            for subscriber in subscribers:
                subscriber.stop()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, stop)
        for subscriber in subscribers:
            self.stdout.write(f"Subscribing to {subscriber.settings.topic} at {subscriber.settings.target}")
        run_subscribers(subscribers)
        self.stdout.write("Subscriber stopped.")
