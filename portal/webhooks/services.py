"""Inbound webhooks: receive (verify, store, queue) and process (claim, map, act).

Receiving does the least that is safe before answering: check the signature over the raw bytes,
store the event exactly as received, and queue its processing once the row is committed. All the
work happens later in ``webhook_process``, run by the Celery task, which claims the event with a
conditional update so that two workers never process one event.
"""
from __future__ import annotations

import ipaddress
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from domain.shared.errors import MappingError
from domain.webhooks.providers import whmcs as whmcs_webhooks
from domain.webhooks.types import EVENT_ID_PATTERN, ClientProfile, WebhookTopic, WhmcsWebhookEvent
from portal.accounts.models import Customer
from portal.core.cache import invalidate_customer
from portal.webhooks import selectors, signing
from portal.webhooks.models import WebhookEvent

logger = logging.getLogger(__name__)
Status = WebhookEvent.Status

_EVENT_ID = re.compile(EVENT_ID_PATTERN)
_TIMESTAMP = re.compile(r"\d{1,12}")
_NOT_STORED_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})


class WebhookProcessingError(Exception):
    """Processing an event failed and will be tried again (the task retries on this)."""


@dataclass(frozen=True)
class ReceiveResult:
    """What the receiver answers: an HTTP status and a small JSON body."""

    status_code: int
    body: dict = field(default_factory=dict)
    event: WebhookEvent | None = None


# -- receive ---------------------------------------------------------------------------------------


def webhook_receive(*, headers: Mapping[str, str], body: bytes, remote_addr: str) -> ReceiveResult:
    """Verify and store one WHMCS webhook delivery; queue its processing when it is a known event.

    401 (nothing stored): a signature header missing, a timestamp outside the tolerance, or a
    signature made with neither the current nor the previous secret. 400 (nothing stored): signed,
    but no usable event id. Otherwise the event is stored: 202 accepted and queued; 200 for a
    duplicate event id or an unknown event type (recorded as ignored); 400 for a malformed body
    (recorded as rejected, with the reason).
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    signature = lowered.get(signing.SIGNATURE_HEADER.lower(), "").strip()
    timestamp = lowered.get(signing.TIMESTAMP_HEADER.lower(), "").strip()
    event_id = lowered.get(signing.EVENT_ID_HEADER.lower(), "").strip()
    forwarded_for = lowered.get("x-forwarded-for", "")

    def refuse(reason: str) -> ReceiveResult:
        logger.warning("refused a WHMCS webhook from %s (X-Forwarded-For %r): %s",
                       remote_addr or "?", forwarded_for, reason)
        return ReceiveResult(401, {"error": reason})

    if not signature or not timestamp:
        return refuse(f"missing {signing.SIGNATURE_HEADER} or {signing.TIMESTAMP_HEADER}")
    tolerance = settings.WHMCS_WEBHOOK_TOLERANCE_SECONDS
    if not _TIMESTAMP.fullmatch(timestamp) or abs(time.time() - int(timestamp)) > tolerance:
        return refuse(f"timestamp missing or more than {tolerance} s away from the portal's clock")
    secrets = signing.whmcs_signing_secrets()
    if not secrets:
        logger.error("WHMCS_WEBHOOK_SECRET is not set: every WHMCS webhook is refused")
    matched = signing.matching_secret(secrets, timestamp, body, signature)
    if matched is None:
        return refuse("signature does not match")
    if matched == "previous":
        logger.info("WHMCS webhook %s was signed with the previous secret (rotation in progress)", event_id)
    if not _EVENT_ID.fullmatch(event_id):
        logger.warning("signed WHMCS webhook from %s without a usable %s: not stored",
                       remote_addr, signing.EVENT_ID_HEADER)
        return ReceiveResult(400, {"error": f"missing or invalid {signing.EVENT_ID_HEADER}"})

    status, reason, event = _classify(body, event_id)
    row = WebhookEvent(
        provider=WebhookEvent.Provider.WHMCS,
        event_id=event_id,
        event_type=event.type.value if event else whmcs_webhooks.whmcs_webhook_event_name(body),
        status=status,
        headers={name: value for name, value in headers.items() if name.lower() not in _NOT_STORED_HEADERS},
        body=body,
        remote_addr=_ip_or_none(remote_addr),
        client_id=event.client_id if event else None,
        occurred_at=event.occurred_at if event else None,
        last_error=reason if status == Status.REJECTED else "",
        outcome=reason if status == Status.IGNORED else "",
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
            if status == Status.RECEIVED:
                logger.info("WHMCS webhook %s (%s, client %s) stored; processing queued on commit",
                            event_id, row.event_type, row.client_id)
                transaction.on_commit(partial(_queue, row.pk))
    except IntegrityError:
        return _duplicate(event_id, body)

    if status == Status.REJECTED:
        logger.warning("WHMCS webhook %s rejected: %s", event_id, reason)
        return ReceiveResult(400, {"status": "rejected", "event_id": event_id, "reason": reason}, row)
    if status == Status.IGNORED:
        logger.info("WHMCS webhook %s ignored: %s", event_id, reason)
        return ReceiveResult(200, {"status": "ignored", "event_id": event_id, "reason": reason}, row)
    return ReceiveResult(202, {"status": "accepted", "event_id": event_id}, row)


def _ip_or_none(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _classify(body: bytes, event_id: str) -> tuple[str, str, WhmcsWebhookEvent | None]:
    try:
        event = whmcs_webhooks.transform_whmcs_webhook(body)
    except whmcs_webhooks.UnknownWebhookEvent as exc:
        return Status.IGNORED, str(exc), None
    except MappingError as exc:
        return Status.REJECTED, str(exc), None
    if event.event_id != event_id:
        reason = f"the body's event_id does not match {signing.EVENT_ID_HEADER}"
        return Status.REJECTED, reason, None
    return Status.RECEIVED, "", event


def _duplicate(event_id: str, body: bytes) -> ReceiveResult:
    stored = WebhookEvent.objects.filter(provider=WebhookEvent.Provider.WHMCS, event_id=event_id).first()
    if stored is not None and bytes(stored.body) != body:
        logger.warning("WHMCS webhook %s received again with a different body: kept the first", event_id)
    else:
        logger.info("WHMCS webhook %s received again: already stored", event_id)
    return ReceiveResult(200, {"status": "duplicate", "event_id": event_id}, stored)


def _queue(event_pk: int) -> None:
    """Hand the event to Celery. A broker outage is not the sender's problem: the event is stored,
    and the sweep (Celery beat) queues it again. Queueing to a broker that is down or hung gives up
    within about two seconds (the broker socket timeouts and publish retry policy in the settings),
    so the sender still gets its answer in time."""
    from portal.webhooks.tasks import process_webhook_event

    try:
        process_webhook_event.delay(event_pk)
    except Exception:
        logger.exception("could not queue (or, with in-process tasks, run) webhook event %s; "
                         "the sweep will queue it again", event_pk)


# -- process ---------------------------------------------------------------------------------------


def webhook_claim(*, event_pk: int) -> bool:
    """Take the event for processing: only one caller ever wins (a conditional update)."""
    now = timezone.now()
    claimed = WebhookEvent.objects.filter(pk=event_pk, status__in=WebhookEvent.CLAIMABLE).update(
        status=Status.PROCESSING, attempts=F("attempts") + 1, last_attempt_at=now, updated_at=now,
    )
    return claimed == 1


def webhook_process(*, event_pk: int) -> str | None:
    """Claim the event, map its stored body and act on it. Answers the final status, or None when
    the event was not there to claim (already taken, done, or gone).

    A failure leaves the event RETRYING and raises ``WebhookProcessingError`` (the task retries with
    backoff), until ``WEBHOOK_MAX_ATTEMPTS``: then the event is FAILED and nothing is raised.
    """
    if not webhook_claim(event_pk=event_pk):
        logger.info("webhook event %s is not waiting for processing (claimed elsewhere or done)", event_pk)
        return None
    event = WebhookEvent.objects.get(pk=event_pk)
    try:
        status, outcome = _act(event)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if event.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            _finish(event, Status.FAILED, last_error=error)
            logger.error("webhook event %s (%s) failed after %s attempts: %s",
                         event.event_id, event.event_type, event.attempts, error)
            return Status.FAILED
        _finish(event, Status.RETRYING, last_error=error)
        logger.warning("webhook event %s (%s) attempt %s failed, will retry: %s",
                       event.event_id, event.event_type, event.attempts, error)
        raise WebhookProcessingError(error) from exc
    if status == Status.REJECTED:
        _finish(event, status, last_error=outcome)
    else:
        _finish(event, status, outcome=outcome, last_error="",
                processed_at=timezone.now() if status == Status.PROCESSED else None)
    logger.info("webhook event %s (%s): %s", event.event_id, event.event_type, outcome)
    return status


def _finish(event: WebhookEvent, status: str, **fields) -> None:
    """Record the end of our attempt; only while we hold the claim (status PROCESSING)."""
    WebhookEvent.objects.filter(pk=event.pk, status=Status.PROCESSING).update(
        status=status, updated_at=timezone.now(), **fields
    )


def _act(event: WebhookEvent) -> tuple[str, str]:
    try:
        mapped = whmcs_webhooks.transform_whmcs_webhook(bytes(event.body))
    except whmcs_webhooks.UnknownWebhookEvent as exc:
        return Status.IGNORED, str(exc)
    except MappingError as exc:
        return Status.REJECTED, str(exc)
    customer = Customer.objects.select_related("user").filter(whmcs_client_id=mapped.client_id).first()
    if customer is None:
        return Status.NO_CUSTOMER, f"no portal customer is linked to WHMCS client {mapped.client_id}"
    if mapped.topic is WebhookTopic.INVOICE:
        invalidate_customer(customer.user_id, must_reach_cache=True)
        return Status.PROCESSED, (f"invoice {mapped.invoice_id} changed: cached billing data of "
                                  f"{customer.user.email} invalidated")
    if mapped.topic is WebhookTopic.SERVICE:
        invalidate_customer(customer.user_id, must_reach_cache=True)
        return Status.PROCESSED, (f"service {mapped.service_id} changed: cached subscriptions and SIMs of "
                                  f"{customer.user.email} invalidated")
    outcome = _refresh_profile(customer, mapped, event)
    invalidate_customer(customer.user_id, must_reach_cache=True)
    return Status.PROCESSED, outcome


def _refresh_profile(customer: Customer, mapped: WhmcsWebhookEvent, event: WebhookEvent) -> str:
    """Copy the client's new name (and email, when no other user has it) to the portal user.

    An edit older than one already applied is skipped, so out-of-order deliveries cannot undo a
    newer change.
    """
    if selectors.newer_profile_edit_applied(event):
        return "an edit made later was already applied: nothing changed"
    profile: ClientProfile = mapped.profile  # the domain type guarantees it for ClientEdit
    user_model = get_user_model()
    notes = []
    with transaction.atomic():
        user = user_model.objects.select_for_update().get(pk=customer.user_id)
        changed = []
        for attribute, value in (("first_name", profile.first_name), ("last_name", profile.last_name)):
            if value and getattr(user, attribute) != value:
                setattr(user, attribute, value)
                changed.append(attribute)
        if profile.email and profile.email != user.email:
            taken = user_model.objects.filter(email__iexact=profile.email).exclude(pk=user.pk).exists()
            if taken or not _valid_email(profile.email):
                logger.warning("ClientEdit for WHMCS client %s: email not copied (%s)", mapped.client_id,
                               "another user has it" if taken else "not a valid address")
                notes.append("email not copied: " + ("another user has it" if taken else "not a valid address"))
            else:
                user.email = profile.email
                changed.append("email")
        if changed:
            user.save(update_fields=changed)
    summary = f"profile of user {user.pk} refreshed ({', '.join(changed)})" if changed else "profile unchanged"
    return "; ".join([summary, *notes])


def _valid_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


# -- operations -----------------------------------------------------------------------------------


def webhook_reprocess(*, events: Iterable[WebhookEvent]) -> int:
    """Queue finished events again (admin action, ``reprocess_webhooks``): back to RECEIVED with a
    fresh set of attempts. Events in flight (RECEIVED, PROCESSING, RETRYING) are left alone."""
    pks = [event.pk for event in events]
    queued = 0
    with transaction.atomic():
        for pk in pks:
            now = timezone.now()
            if WebhookEvent.objects.filter(pk=pk, status__in=WebhookEvent.REPROCESSABLE).update(
                status=Status.RECEIVED, attempts=0, last_error="", updated_at=now,
            ):
                transaction.on_commit(partial(_queue, pk))
                queued += 1
    return queued


def webhook_sweep() -> int:
    """Queue again the events nobody is working on (the broker was down when they arrived, a retry
    was lost, a worker died mid-way). Processing claims each event, so a spare queueing is harmless.
    """
    now = timezone.now()
    waited = timedelta(seconds=settings.WEBHOOK_SWEEP_AFTER_SECONDS)
    retry_wait = waited + timedelta(seconds=settings.WEBHOOK_RETRY_BACKOFF_MAX_SECONDS)
    stuck_for = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + waited
    queued = 0
    with transaction.atomic():
        for event in selectors.stale_processing_events(older_than=now - stuck_for):
            # The worker died holding it (its time limit is long gone): release the claim.
            final = event.attempts >= settings.WEBHOOK_MAX_ATTEMPTS
            WebhookEvent.objects.filter(pk=event.pk, status=Status.PROCESSING).update(
                status=Status.FAILED if final else Status.RETRYING, updated_at=now,
                last_error="the worker processing it stopped before finishing",
            )
            if not final:
                transaction.on_commit(partial(_queue, event.pk))
                queued += 1
        for event in selectors.waiting_events(received_before=now - waited, retrying_before=now - retry_wait):
            WebhookEvent.objects.filter(pk=event.pk, status=event.status).update(updated_at=now)
            transaction.on_commit(partial(_queue, event.pk))
            queued += 1
    if queued:
        logger.warning("webhook sweep queued %s waiting event(s) again", queued)
    return queued


__all__ = [
    "ReceiveResult",
    "WebhookProcessingError",
    "webhook_claim",
    "webhook_process",
    "webhook_receive",
    "webhook_reprocess",
    "webhook_sweep",
]
