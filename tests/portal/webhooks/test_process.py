"""Processing a stored event (the Celery task, eager here): claim, map, act, retry, fail."""
from datetime import timedelta

import pytest
from django.core.cache import cache

from portal.webhooks import services, tasks
from portal.webhooks.models import WebhookEvent
from tests.portal.webhooks.conftest import ALICE_CLIENT_ID, UNKNOWN_CLIENT_ID, make_event, signed
from tests.processes import wait_for

pytestmark = pytest.mark.django_db
Status = WebhookEvent.Status


@pytest.fixture
def invalidations(customer_user):
    """How many times the customer's cached data was forgotten since the test began, read from the
    cache itself (each invalidation bumps the customer's namespace version by one)."""
    def count() -> int:
        return (cache.get(f"user:{customer_user.pk}:ns") or 1) - 1

    return count


def refreshed(event: WebhookEvent) -> WebhookEvent:
    event.refresh_from_db()
    return event


# -- what each event does --------------------------------------------------------------------------


@pytest.mark.parametrize("event_type", ["InvoicePaid", "InvoiceCreated", "InvoiceCancelled", "InvoiceRefunded"])
def test_an_invoice_event_invalidates_the_customers_cached_billing_data(customer_user, invalidations, event_type):
    event = make_event(event_type, invoice_id=42)

    assert tasks.process_webhook_event.delay(event.pk).get() == Status.PROCESSED

    event = refreshed(event)
    assert event.status == Status.PROCESSED and event.attempts == 1
    assert event.processed_at is not None and event.last_error == ""
    assert "invoice 42" in event.outcome
    assert invalidations() == 1  # what it does to cached pages: test_cache_invalidation.py


@pytest.mark.parametrize("event_type", ["AfterModuleCreate", "AfterModuleSuspend", "AfterModuleUnsuspend",
                                        "AfterModuleTerminate"])
def test_a_service_event_invalidates_the_customers_cached_subscriptions_and_sims(customer_user, invalidations,
                                                                               event_type):
    event = make_event(event_type, service_id=9)

    tasks.process_webhook_event.delay(event.pk)

    event = refreshed(event)
    assert event.status == Status.PROCESSED
    assert "service 9" in event.outcome
    assert invalidations() == 1


def test_client_edit_copies_the_name_and_keeps_the_email_as_the_billing_contact(customer_user, invalidations):
    event = make_event("ClientEdit", firstname="Alicia", lastname="Anders", email="Alicia@Example.com")

    tasks.process_webhook_event.delay(event.pk)

    customer_user.refresh_from_db()
    assert (customer_user.first_name, customer_user.last_name) == ("Alicia", "Anders")
    assert customer_user.email == "alice@example.com"  # the sign-in email is the portal's own
    assert customer_user.customer.billing_email == "alicia@example.com"
    assert customer_user.customer.billing_email_updated_at is not None
    event = refreshed(event)
    assert event.status == Status.PROCESSED and "billing email, first_name, last_name" in event.outcome
    assert invalidations() == 1


def test_client_edit_with_an_email_another_user_signs_in_with_is_only_a_billing_contact(customer_user,
                                                                                         other_customer_user):
    event = make_event("ClientEdit", firstname="Alicia", email=other_customer_user.email.upper())

    tasks.process_webhook_event.delay(event.pk)

    customer_user.refresh_from_db()
    other_customer_user.refresh_from_db()
    assert customer_user.first_name == "Alicia"
    assert (customer_user.email, other_customer_user.email) == ("alice@example.com", "bob@example.com")
    assert customer_user.customer.billing_email == "bob@example.com"
    assert refreshed(event).status == Status.PROCESSED


def test_client_edit_with_blank_names_keeps_the_names_the_portal_has(customer_user):
    event = make_event("ClientEdit", firstname="", lastname="", email="")

    tasks.process_webhook_event.delay(event.pk)

    customer_user.refresh_from_db()
    assert (customer_user.first_name, customer_user.last_name) == ("Alice", "Andersen")
    assert refreshed(event).outcome == "profile unchanged"


def test_an_older_client_edit_arriving_late_does_not_undo_a_newer_one(customer_user):
    newer = make_event("ClientEdit", firstname="Newest")
    older = make_event("ClientEdit", firstname="Outdated",
                       occurred_at=(newer.occurred_at - timedelta(minutes=5)).isoformat())
    older.occurred_at = newer.occurred_at - timedelta(minutes=5)
    older.save(update_fields=["occurred_at"])

    tasks.process_webhook_event.delay(newer.pk)
    tasks.process_webhook_event.delay(older.pk)

    customer_user.refresh_from_db()
    assert customer_user.first_name == "Newest"
    assert refreshed(older).status == Status.PROCESSED
    assert "later was already applied" in older.outcome


def test_an_event_for_a_client_with_no_portal_customer_is_recorded_as_such_not_as_an_error(db, invalidations):
    event = make_event("InvoicePaid", client_id=UNKNOWN_CLIENT_ID)

    assert tasks.process_webhook_event.delay(event.pk).get() == Status.NO_CUSTOMER

    event = refreshed(event)
    assert event.status == Status.NO_CUSTOMER and event.attempts == 1
    assert event.last_error == ""
    assert f"WHMCS client {UNKNOWN_CLIENT_ID}" in event.outcome
    assert invalidations() == 0


def test_a_stored_body_that_no_longer_maps_is_rejected_without_retrying(db):
    event = make_event("InvoicePaid")
    event.body = b'{"event": "InvoicePaid"}'
    event.save(update_fields=["body"])

    tasks.process_webhook_event.delay(event.pk)

    event = refreshed(event)
    assert event.status == Status.REJECTED and event.attempts == 1
    assert "field 'event_id'" in event.last_error


# -- claiming ----------------------------------------------------------------------------------------


def test_only_one_claim_of_an_event_wins(db):
    event = make_event()

    assert services.webhook_claim(event_pk=event.pk) is True
    assert services.webhook_claim(event_pk=event.pk) is False
    assert refreshed(event).status == Status.PROCESSING and event.attempts == 1


@pytest.mark.parametrize("status", [Status.PROCESSING, Status.PROCESSED, Status.FAILED, Status.REJECTED,
                                    Status.IGNORED, Status.NO_CUSTOMER])
def test_an_event_that_is_not_waiting_is_not_processed_again(customer_user, invalidations, status):
    event = make_event(status=status)

    assert tasks.process_webhook_event.delay(event.pk).get() is None

    assert refreshed(event).status == status and event.attempts == 0
    assert invalidations() == 0


def test_a_missing_event_is_nothing_to_do(db):
    assert services.webhook_process(event_pk=987654) is None


# -- failures and retries ----------------------------------------------------------------------------


@pytest.fixture
def retries_run_inline():
    """Eager tasks that retry as a worker would, at once: Celery re-runs a retried eager task only
    when eager exceptions do not propagate (the test settings make them propagate)."""
    conf = tasks.process_webhook_event.app.conf
    propagates, conf.task_eager_propagates = conf.task_eager_propagates, False
    yield
    conf.task_eager_propagates = propagates


def run_with_retries(event_pk: int):
    return tasks.process_webhook_event.delay(event_pk)


def test_a_failing_attempt_is_retried_until_it_succeeds(customer_user, cache_redis, invalidations):
    event = make_event("InvoicePaid")
    cache_redis.stop()

    for attempt in (1, 2):
        with pytest.raises(services.WebhookProcessingError):
            services.webhook_process(event_pk=event.pk)
        event = refreshed(event)
        assert (event.status, event.attempts) == (Status.RETRYING, attempt)
        assert event.last_error.startswith("CacheUnavailable: the cache could not be reached")
    cache_redis.start()  # empty, as a restarted Redis is
    wait_for(lambda: cache.set("probe", 1) or cache.get("probe") == 1,  # after the client's skip window
             what="the cache to answer again", timeout=20)

    assert services.webhook_process(event_pk=event.pk) == Status.PROCESSED
    event = refreshed(event)
    assert event.status == Status.PROCESSED and event.attempts == 3
    assert event.last_error == ""
    assert invalidations() == 1


def test_after_the_last_attempt_the_event_is_failed_with_the_error(customer_user, cache_redis, settings, caplog,
                                                                  retries_run_inline):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    cache_redis.stop()
    event = make_event("InvoicePaid")

    assert run_with_retries(event.pk).get() == Status.FAILED

    event = refreshed(event)
    assert event.status == Status.FAILED and event.attempts == 4
    assert event.last_error == ("CacheUnavailable: the cache could not be reached to invalidate "
                                f"user {customer_user.pk}'s data")
    assert event.processed_at is None
    assert "failed after 4 attempts" in caplog.text


def test_the_task_retries_with_exponential_backoff_from_the_settings(settings):
    task = tasks.process_webhook_event
    assert task.autoretry_for == (services.WebhookProcessingError,)
    assert task.retry_backoff == settings.WEBHOOK_RETRY_BACKOFF_SECONDS
    assert task.retry_backoff_max == settings.WEBHOOK_RETRY_BACKOFF_MAX_SECONDS
    assert task.retry_jitter is True
    assert task.max_retries == settings.WEBHOOK_MAX_ATTEMPTS - 1
    assert task.acks_late is True


def test_a_queued_event_posted_through_the_receiver_ends_processed(client, customer_user,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed().post(client)

    assert response.status_code == 202
    [event] = WebhookEvent.objects.all()
    assert (event.status, event.attempts, event.client_id) == (Status.PROCESSED, 1, ALICE_CLIENT_ID)
