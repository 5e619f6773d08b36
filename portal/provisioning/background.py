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
        from portal.provisioning.subscriber import build_subscribers, run_subscribers

        try:
            subscribers = build_subscribers()
            logger.info("platform event subscriber started in-process at %s (%s)", subscribers[0].settings.target,
                        ", ".join(subscriber.settings.topic for subscriber in subscribers))
            run_subscribers(subscribers)
        except Exception:
            logger.exception("the in-process platform event subscriber stopped")
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="platform-events", daemon=True)
    thread.start()
    return thread
