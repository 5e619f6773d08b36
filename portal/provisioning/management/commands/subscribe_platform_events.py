"""``python manage.py subscribe_platform_events``: turn OrderProvisionRequested__e into jobs."""
import signal

from django.core.management.base import BaseCommand

from portal.provisioning.subscriber import build_subscriber


class Command(BaseCommand):
    help = ("Subscribe to the provisioning Platform Event over the Pub/Sub API and record a provisioning "
            "job per event; resumes from the stored replay id. Stops cleanly on SIGTERM or Ctrl+C.")

    def handle(self, *args, **options):
        subscriber = build_subscriber()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: subscriber.stop())
        self.stdout.write(f"Subscribing to {subscriber.settings.topic} at {subscriber.settings.target}")
        subscriber.run()
        self.stdout.write("Subscriber stopped.")
