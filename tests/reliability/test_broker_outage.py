"""Drill: the broker is down when a WHMCS webhook arrives.

The receiver must still store the event and answer 202 at once (WHMCS waits at most 5 s and never
sends again): it does not talk to the broker at all (the stored row is the outbox). The worker's
dispatcher hands the event to Celery once the broker is back, for a real worker to process it
exactly once; the beat's sweep never takes it again.
"""
from __future__ import annotations

import re
import time

import pytest

from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import SECRET, payload, signed

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Status = WebhookEvent.Status
SENDER_TIMEOUT_SECONDS = 5.0  # the WHMCS hook module's request timeout (docs/webhooks.md)


@pytest.mark.parametrize("outage", ["stopped", "frozen"])
def test_a_webhook_arriving_while_the_broker_is_down_is_kept_and_processed_once_after(
    outage, drill, broker, client, customer_user, settings, caplog
):
    """``stopped``: Redis is gone (connections refused). ``frozen``: Redis is SIGSTOPped, so the port
    still accepts connections but never answers, the case that used to hang the request."""
    settings.WHMCS_WEBHOOK_SECRET = SECRET
    settings.WHMCS_WEBHOOK_PREVIOUS_SECRET = ""
    worker = drill.worker(WEBHOOK_SWEEP_AFTER_SECONDS=2)
    beat = drill.beat(WEBHOOK_SWEEP_INTERVAL_SECONDS=1)

    if outage == "stopped":
        broker.stop()
    else:
        broker.freeze()
    delivery = signed(payload("InvoicePaid"))
    started = time.monotonic()
    response = delivery.post(client)
    elapsed = time.monotonic() - started

    assert response.status_code == 202, response.content
    assert response.json() == {"status": "accepted", "event_id": delivery.event_id}
    assert elapsed < SENDER_TIMEOUT_SECONDS, f"the receiver took {elapsed:.1f} s with the broker {outage}"
    event = WebhookEvent.objects.get(event_id=delivery.event_id)
    assert (event.status, event.attempts) == (Status.RECEIVED, 0)
    assert "could not queue" not in caplog.text  # the request never tried the broker

    if outage == "stopped":
        broker.start()  # the same port, empty: whatever was queued before is gone
    else:
        broker.thaw()

    drill.wait_for(lambda: WebhookEvent.objects.filter(pk=event.pk, status=Status.PROCESSED).exists(),
                   what="the worker's dispatcher to queue the event and the worker to process it")
    # Let the beat sweep run on the worker at least twice more: a processed event is never taken again.
    sweeps_done = _sweeps_done(worker)
    drill.wait_for(lambda: _sweeps_done(worker) >= sweeps_done + 2, what="two more sweeps", timeout=30)

    event.refresh_from_db()
    assert (event.status, event.attempts, event.last_error) == (Status.PROCESSED, 1, "")
    assert event.outcome.startswith("invoice 7 changed: cached billing data of alice@example.com")
    processed = [line for line in worker.log().splitlines()
                 if f"webhook event {delivery.event_id} (InvoicePaid): invoice 7 changed" in line]
    assert len(processed) == 1, drill.logs()
    assert beat.alive() and worker.alive()


def _sweeps_done(worker) -> int:
    return len(re.findall(r"Task portal\.webhooks\.sweep_webhook_events\[[^\]]+\] succeeded", worker.log()))
