"""Event times are bounded (issue 15, finding 2): the sender chooses ``occurred_at``, and a
``ClientEdit`` dated 2200 used to make the portal skip every later genuine edit of that client.
Now a webhook whose timestamp or ``occurred_at`` is later than the portal's clock plus the
tolerance is refused, and profile edits are ordered by what the portal can trust (``occurred_at``,
but never later than when the portal received the event).
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from portal.accounts.models import Customer
from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import payload, signed, webhook_settings  # noqa: F401 - autouse settings

pytestmark = pytest.mark.django_db
Status = WebhookEvent.Status
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)


def deliver(body: dict, captured, **signing):
    with captured(execute=True):
        return signed(body, **signing).post(Client())


def edit(customer_user, occurred_at: datetime, **fields) -> dict:
    return payload("ClientEdit", client_id=customer_user.customer.whmcs_client_id,
                   occurred_at=occurred_at.isoformat(), **fields)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def test_an_edit_dated_in_the_future_is_refused_and_cannot_block_later_edits(clock, customer_user,
                                                                             django_capture_on_commit_callbacks):
    forged = deliver(edit(customer_user, datetime(2200, 1, 1, tzinfo=UTC), firstname="Frozen",
                          email="frozen@evil.example"), django_capture_on_commit_callbacks)

    assert forged.status_code == 400 and forged.json()["status"] == "rejected"
    assert "occurred_at" in forged.json()["reason"]
    clock.shift(60)
    genuine = deliver(edit(customer_user, NOW + timedelta(seconds=60), firstname="Alicia", email="billing@example.org"),
                      django_capture_on_commit_callbacks)

    assert genuine.status_code == 202
    customer_user.refresh_from_db()
    assert customer_user.first_name == "Alicia"
    assert Customer.objects.get(user=customer_user).billing_email == "billing@example.org"
    assert list(WebhookEvent.objects.order_by("id").values_list("status", flat=True)) == [Status.REJECTED,
                                                                                         Status.PROCESSED]


def test_an_edit_dated_just_past_the_tolerance_is_refused(clock, customer_user, settings,
                                                           django_capture_on_commit_callbacks):
    ahead = NOW + timedelta(seconds=settings.WHMCS_WEBHOOK_TOLERANCE_SECONDS + 2)

    response = deliver(edit(customer_user, ahead, firstname="Early"), django_capture_on_commit_callbacks)

    assert response.status_code == 400
    customer_user.refresh_from_db()
    assert customer_user.first_name == "Alice"


def test_a_signature_timestamp_in_the_future_is_refused(clock, customer_user, settings,
                                                         django_capture_on_commit_callbacks):
    stamp = int(NOW.timestamp()) + settings.WHMCS_WEBHOOK_TOLERANCE_SECONDS + 1

    response = deliver(edit(customer_user, NOW, firstname="Early"), django_capture_on_commit_callbacks,
                       timestamp=stamp)

    assert response.status_code == 401
    assert WebhookEvent.objects.count() == 0


def test_ordering_trusts_the_portals_clock_over_a_slightly_future_occurred_at(clock, customer_user, settings,
                                                                               django_capture_on_commit_callbacks):
    """An ``occurred_at`` still within the tolerance is accepted, but counts as no later than when
    the portal received it: an edit made a few seconds after it is applied, not skipped."""
    within = NOW + timedelta(seconds=settings.WHMCS_WEBHOOK_TOLERANCE_SECONDS - 10)
    first = deliver(edit(customer_user, within, firstname="Ahead"), django_capture_on_commit_callbacks)
    clock.shift(5)
    second = deliver(edit(customer_user, NOW + timedelta(seconds=5), firstname="Alicia"),
                     django_capture_on_commit_callbacks)

    assert (first.status_code, second.status_code) == (202, 202)
    customer_user.refresh_from_db()
    assert customer_user.first_name == "Alicia"
