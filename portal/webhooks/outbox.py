"""The webhook outbox: the committed row is the durable record; the workers hand it to Celery.

The receiver answers as soon as the event's row is committed: it sends nothing to the broker (the
publish was about 30% of a webhook's cost, docs/performance.md), and not even a signal: the row's
INSERT does (a trigger, migration ``0004_announce_trigger``, ``NOTIFY``s :data:`CHANNEL` for a row
stored as received; delivered on commit, lost harmlessly when nobody listens). Every Celery
worker runs a :class:`Dispatcher` (a thread in its main process) that ``LISTEN``s, and also looks
every ``WEBHOOK_DISPATCH_POLL_SECONDS`` in case a signal was missed: it marks the waiting rows it
takes (``queued_at``, one conditional statement with ``SKIP LOCKED``, so two workers never take one
row) and queues one processing task per row. Exactly once still rests on the claim
(``WebhookFlow.claim``); the beat's sweep still queues whatever is left waiting (a dispatcher that
died between marking and queueing, a lost task).

With in-process tasks (the demo, the tests) there is no worker to hand anything to: the event is
processed once the row is committed, as before.
"""
from __future__ import annotations

import logging
import threading

from celery import bootsteps
from django.conf import settings
from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
CHANNEL = "portal_webhook_events"  # also named in migration 0004_announce_trigger
BATCH = 500


def announce(pk: int) -> None:
    """The event ``pk`` was just stored as received (its row committed, or committing): with
    in-process tasks it is processed once committed; otherwise its INSERT has NOTIFYed already."""
    from portal.celery import app
    from portal.webhooks.services import WebhookFlow

    if app.conf.task_always_eager:
        WebhookFlow.enqueue(pk)


def dispatch(limit: int = BATCH) -> int:
    """Hand the stored events nobody has handed over yet to Celery, oldest first: how many."""
    from portal.webhooks.models import WebhookEvent
    from portal.webhooks.services import WebhookFlow

    waiting = WebhookEvent.objects.filter(status=WebhookEvent.Status.RECEIVED, queued_at__isnull=True,
                                          lease_until__isnull=True)
    with transaction.atomic():
        pks = list(waiting.select_for_update(skip_locked=True).order_by("pk").values_list("pk", flat=True)[:limit])
        now = timezone.now()
        WebhookEvent.objects.filter(pk__in=pks).update(queued_at=now, updated_at=now)
    for pk in pks:
        if not WebhookFlow.send(pk):  # the broker is down: the next round tries again
            waiting.filter(pk=pk).exclude(queued_at=None).update(queued_at=None)
    return len(pks)


def dispatch_all() -> int:
    """``dispatch`` until nothing is left waiting."""
    total = 0
    while handed := dispatch():
        total += handed
        if handed < BATCH:
            break
    return total


class Dispatcher(bootsteps.StartStopStep):
    """A Celery worker's dispatcher thread (the worker's main process; off with in-process tasks)."""

    requires = {"celery.worker.components:Pool"}  # started after the pool's processes are forked

    def __init__(self, worker, **kwargs) -> None:
        super().__init__(worker, **kwargs)
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def include_if(self, worker) -> bool:
        return settings.WEBHOOK_DISPATCHER and not worker.app.conf.task_always_eager

    def start(self, worker) -> None:
        self.thread = threading.Thread(target=self.run, name="webhook-dispatcher", daemon=True)
        self.thread.start()

    def stop(self, worker) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def run(self) -> None:
        poll = settings.WEBHOOK_DISPATCH_POLL_SECONDS
        while not self.stopping.is_set():
            listener = None
            try:
                listener = self._listen()
                while not self.stopping.is_set():
                    dispatch_all()
                    close_old_connections()
                    if listener is None:
                        self.stopping.wait(poll)
                    else:
                        for _ in listener.connection.notifies(timeout=poll, stop_after=1):
                            pass  # woken by one event: the next round takes every waiting one
                        for _ in listener.connection.notifies(timeout=0):
                            pass
            except Exception:
                logger.exception("the webhook dispatcher failed; starting again in %s s", poll)
                self.stopping.wait(poll)
            finally:
                if listener is not None:
                    listener.close()
                connection.close()

    @staticmethod
    def _listen():
        """A connection of its own that LISTENs (None on a database without LISTEN: polling only)."""
        if connections["default"].vendor != "postgresql":
            return None
        listener = connections.create_connection("default")
        listener.ensure_connection()
        listener.connection.autocommit = True
        listener.connection.execute(f"LISTEN {CHANNEL}")
        return listener
