"""Drill: the webhook receiver sends nothing to the broker; a real worker (no beat) processes what
it stored, each event once (portal/webhooks/outbox.py)."""
from __future__ import annotations

import re

import pytest
import redis

from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import SECRET, payload, signed

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = WebhookEvent.Status


def test_stored_webhooks_are_processed_once_by_a_worker_without_the_request_publishing(
    drill, broker, client, customer_user, settings
):
    settings.WHMCS_WEBHOOK_SECRET = SECRET
    settings.WHMCS_WEBHOOK_PREVIOUS_SECRET = ""
    deliveries = [signed(payload("InvoicePaid", invoice_id=100 + i)) for i in range(6)]

    answers = [delivery.post(client).status_code for delivery in deliveries]
    answers.append(deliveries[0].post(client).status_code)  # a repeat

    assert answers == [202] * 6 + [200]
    assert redis.Redis.from_url(broker.url).keys("*") == []  # nothing was published by the requests
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {Status.RECEIVED}

    worker = drill.worker()  # its dispatcher finds the stored events; no beat, so no sweep either
    drill.wait_for(lambda: WebhookEvent.objects.filter(status=Status.PROCESSED).count() == len(deliveries),
                   what="the worker to process every stored event")

    assert list(WebhookEvent.objects.values_list("attempts", flat=True)) == [1] * len(deliveries)
    assert all(event.queued_at is not None for event in WebhookEvent.objects.all())
    log = worker.log()
    for delivery in deliveries:
        assert len(re.findall(rf"webhook event {delivery.event_id} \(InvoicePaid\): invoice \d+ changed", log)) == 1


@pytest.mark.parametrize(("status", "announced"), [(Status.RECEIVED, True), (Status.IGNORED, False),
                                                   (Status.REJECTED, False)])
def test_storing_an_event_that_waits_for_a_worker_notifies_the_dispatchers(status, announced):
    """The INSERT itself signals (a trigger): the receiver sends no statement of its own for it."""
    from django.db import connections

    from portal.webhooks.outbox import CHANNEL

    listener = connections.create_connection("default")
    listener.ensure_connection()
    listener.connection.autocommit = True
    listener.connection.execute(f"LISTEN {CHANNEL}")
    try:
        WebhookEvent.objects.create(provider=WebhookEvent.Provider.WHMCS, event_id=f"evt_trigger_{status}",
                                    event_type="InvoicePaid", status=status, headers={}, body=b"{}")
        received = [n.channel for n in listener.connection.notifies(timeout=2, stop_after=1)]
    finally:
        listener.close()
    assert received == ([CHANNEL] if announced else [])
