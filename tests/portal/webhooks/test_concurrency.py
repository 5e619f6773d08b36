"""Two deliveries of one event at the same moment, and two workers on one event: processed once.

These tests commit for real (``transaction=True``) so that each thread has its own connection and
the database's unique constraint and row locks do the deciding, as in production.
"""
import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from portal.webhooks import services, tasks
from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import make_event, payload, signed

pytestmark = pytest.mark.django_db(transaction=True)
Status = WebhookEvent.Status


def in_threads(target, count: int = 2) -> list:
    """Run ``target()`` in ``count`` threads released together; their results (or exceptions)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=10)
            results[index] = target()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def invalidations(customer_user):
    """How many times the customer's cached data was forgotten, read from the cache itself."""
    def count() -> int:
        return (cache.get(f"user:{customer_user.pk}:ns") or 1) - 1

    return count


def test_the_same_event_posted_twice_at_once_is_stored_and_processed_once(customer_user, invalidations):
    body = payload("InvoicePaid")

    statuses = in_threads(lambda: signed(body).post(Client()).status_code, count=4)

    assert sorted(statuses) == [200, 200, 200, 202]
    [event] = WebhookEvent.objects.all()
    assert (event.status, event.attempts) == (Status.PROCESSED, 1)
    assert invalidations() == 1


def test_two_workers_on_one_event_process_it_once(customer_user, invalidations):
    event = make_event("InvoicePaid")

    outcomes = in_threads(lambda: tasks.process_webhook_event.apply(args=[event.pk]).result, count=2)

    assert outcomes.count(Status.PROCESSED) == 1 and outcomes.count(None) == 1
    event.refresh_from_db()
    assert (event.status, event.attempts) == (Status.PROCESSED, 1)
    assert invalidations() == 1


def test_many_concurrent_claims_have_exactly_one_winner(db):
    event = make_event("InvoicePaid")

    claims = in_threads(lambda: services.webhook_claim(event_pk=event.pk), count=6)

    assert claims.count(True) == 1 and claims.count(False) == 5
    event.refresh_from_db()
    assert event.attempts == 1
