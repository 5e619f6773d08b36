"""Running the Platform Event subscriber inside the web process (the demo only).

In the demo the provider sandboxes live in the web process, so the subscriber runs there too, as
a daemon thread started by gunicorn's ``post_worker_init`` hook (``portal/demo/gunicorn.py``).
Everywhere else it is its own process: ``python manage.py subscribe_platform_events``.
"""
import logging
import threading

from django.db import connections

logger = logging.getLogger(__name__)
_started = threading.Event()


def start_subscriber_thread() -> threading.Thread | None:
    if _started.is_set():
        return None
    _started.set()

    def run() -> None:
        from portal.provisioning.subscriber import PlatformEvents

        try:
            logger.info("platform event subscriber started in-process")
            PlatformEvents().run()  # with PostgreSQL, one process of several is active (the lease)
        except Exception:
            logger.exception("the in-process platform event subscriber stopped")
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="platform-events", daemon=True)
    thread.start()
    return thread
