"""``python manage.py subscriber_lease``: which Platform Event subscriber process is the active one."""
import json

from django.core.management.base import BaseCommand

from portal.provisioning.lease import current_subscriber_lease


class Command(BaseCommand):
    help = ("Show which subscribe_platform_events process holds the subscriber lease (host:pid, epoch, since when) "
            "and whether it still holds it. Exits with status 1 when no process is active.")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="One JSON object (null when never taken).")

    def handle(self, *args, **options):
        lease = current_subscriber_lease()
        if options["json"]:
            self.stdout.write(json.dumps(None if lease is None else {
                "name": lease.name, "holder": lease.holder, "epoch": lease.epoch,
                "acquired_at": lease.acquired_at.isoformat(), "backend_pid": lease.backend_pid, "held": lease.held,
            }))
        else:
            self.stdout.write("no subscriber has taken the lease yet" if lease is None
                              else f"{lease.name}: {lease.describe()}")
        if lease is None or not lease.held:
            raise SystemExit(1)
