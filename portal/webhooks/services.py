"""Inbound webhooks: receive (verify, store) and process (claim, map, act).

Receiving does the least that is safe before answering: check the signature over the raw bytes and
store the event exactly as received; the committed row is the durable record, which the workers'
dispatchers hand to Celery (``portal.webhooks.outbox``: the request never waits on the broker).
All the work happens later in ``webhook_process``, run by the Celery task, which claims the event
with a conditional update so that two workers never process one event.
"""
from __future__ import annotations

import ipaddress
import logging
import re
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from domain.shared.errors import MappingError
from domain.webhooks.providers import whmcs as whmcs_webhooks
from domain.webhooks.types import EVENT_ID_PATTERN, ClientProfile, WebhookTopic, WhmcsWebhookEvent
from portal.accounts.models import Customer
from portal.core import jobs
from portal.core.cache import CacheUnavailable, invalidate_customer
from portal.core.compiled import CompiledInsert
from portal.webhooks import outbox, selectors, signing
from portal.webhooks.models import WebhookEvent

logger = logging.getLogger(__name__)
Status = WebhookEvent.Status

_EVENT_ID = re.compile(EVENT_ID_PATTERN)
_TIMESTAMP = re.compile(r"\d{1,12}")
_INSERT = CompiledInsert(WebhookEvent, unique_fields=("provider", "event_id"))
_NOT_STORED_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})


class WebhookProcessingError(jobs.JobRetry):
    """Processing an event failed and will be tried again (the task retries on this)."""


@dataclass(frozen=True)
class ReceiveResult:
    """What the receiver answers: an HTTP status and a small JSON body."""

    status_code: int
    body: dict = field(default_factory=dict)
    event: WebhookEvent | None = None


# -- receive ---------------------------------------------------------------------------------------


def webhook_receive(*, headers: Mapping[str, str], body: bytes, remote_addr: str) -> ReceiveResult:
    """Verify and store one WHMCS webhook delivery: :func:`webhook_refusal`, then :func:`webhook_store`."""
    refusal = webhook_refusal(headers=headers, body=body)
    if refusal is not None:
        log_refusal(refusal, headers=headers, remote_addr=remote_addr)
        return refusal
    return webhook_store(headers=headers, body=body, remote_addr=remote_addr)


def webhook_refusal(*, headers: Mapping[str, str], body: bytes) -> ReceiveResult | None:
    """None when WHMCS signed this delivery; else the 401 to answer (nothing stored, nothing logged:
    the caller logs it with :func:`log_refusal`, unless the address is over its limit).

    401: a signature header missing, a timestamp outside the tolerance, or a signature made with
    neither the current nor the previous secret.
    """
    signature = _header(headers, signing.SIGNATURE_HEADER)
    timestamp = _header(headers, signing.TIMESTAMP_HEADER)
    if not signature or not timestamp:
        return _refused(f"missing {signing.SIGNATURE_HEADER} or {signing.TIMESTAMP_HEADER}")
    tolerance = settings.WHMCS_WEBHOOK_TOLERANCE_SECONDS
    if not _TIMESTAMP.fullmatch(timestamp) or abs(time.time() - int(timestamp)) > tolerance:
        return _refused(f"timestamp missing or more than {tolerance} s away from the portal's clock")
    secrets = signing.whmcs_signing_secrets()
    if not secrets:
        logger.error("WHMCS_WEBHOOK_SECRET is not set: every WHMCS webhook is refused")
    matched = signing.matching_secret(secrets, timestamp, body, signature)
    if matched is None:
        return _refused("signature does not match")
    if matched == "previous":
        logger.info("WHMCS webhook %s was signed with the previous secret (rotation in progress)",
                    _header(headers, signing.EVENT_ID_HEADER))
    return None


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header's value, stripped, whatever the case of its name (``""`` when absent)."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), "").strip()


def _refused(reason: str) -> ReceiveResult:
    return ReceiveResult(401, {"error": reason})


def log_refusal(refusal: ReceiveResult, *, headers: Mapping[str, str], remote_addr: str) -> None:
    forwarded_for = _header(headers, "X-Forwarded-For")
    logger.warning("refused a WHMCS webhook from %s (X-Forwarded-For %r): %s",
                   remote_addr or "?", forwarded_for, refusal.body["error"])


def webhook_store(*, headers: Mapping[str, str], body: bytes, remote_addr: str) -> ReceiveResult:
    """Store a delivery :func:`webhook_refusal` accepted; its processing follows when it is a known
    event.

    400 (nothing stored): no usable event id. Otherwise the event is stored: 202 accepted (a worker
    processes it); 200 for a duplicate event id or an unknown event type (recorded as ignored); 400
    for a malformed body (recorded as rejected, with the reason).
    """
    event_id = _header(headers, signing.EVENT_ID_HEADER)
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
    if not _insert(row):
        return _duplicate(event_id, body)
    if status == Status.RECEIVED:
        logger.info("WHMCS webhook %s (%s, client %s) stored; a worker will process it",
                    event_id, row.event_type, row.client_id)
        outbox.announce(row.pk)

    if status == Status.REJECTED:
        logger.warning("WHMCS webhook %s rejected: %s", event_id, reason)
        return ReceiveResult(400, {"status": "rejected", "event_id": event_id, "reason": reason}, row)
    if status == Status.IGNORED:
        logger.info("WHMCS webhook %s ignored: %s", event_id, reason)
        return ReceiveResult(200, {"status": "ignored", "event_id": event_id, "reason": reason}, row)
    return ReceiveResult(202, {"status": "accepted", "event_id": event_id}, row)


def _insert(row: WebhookEvent) -> bool:
    """Store the row, committed on its own (one statement, in autocommit as the receiver runs): it
    is the durable record the workers pick up (``portal.webhooks.outbox``). False: a row with this
    event id is stored already (and nothing was written)."""
    return _INSERT.insert(row)


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
    tolerance = settings.WHMCS_WEBHOOK_TOLERANCE_SECONDS
    if event.occurred_at.timestamp() > time.time() + tolerance:
        # A time in the future is not when anything happened; kept, it would outrank every real
        # edit made before that moment (selectors.newer_profile_edit_applied).
        return Status.REJECTED, f"occurred_at is more than {tolerance} s ahead of the portal's clock", None
    return Status.RECEIVED, "", event


def _duplicate(event_id: str, body: bytes) -> ReceiveResult:
    stored = WebhookEvent.objects.filter(provider=WebhookEvent.Provider.WHMCS, event_id=event_id).first()
    if stored is not None and bytes(stored.body) != body:
        logger.warning("WHMCS webhook %s received again with a different body: kept the first", event_id)
    else:
        logger.info("WHMCS webhook %s received again: already stored", event_id)
    return ReceiveResult(200, {"status": "duplicate", "event_id": event_id}, stored)


# -- process ---------------------------------------------------------------------------------------


class WebhookFlow(jobs.JobFlow):
    """Processing one stored event, on the durable-job mechanism (``portal.core.jobs``): claimed
    (PROCESSING) with a lease, one step (map the stored body and act on it, which is safe to
    repeat: forgetting a cache twice, or copying the same name twice, changes nothing more), retried
    with backoff (RETRYING) until ``WEBHOOK_MAX_ATTEMPTS``, then FAILED; swept up when the broker
    lost it or its worker died."""

    model = WebhookEvent
    noun, sweep_label, unit = "webhook event", "webhook", "event"
    settings_prefix = "WEBHOOK"
    task = "portal.webhooks.tasks.process_webhook_event"
    waiting = WebhookEvent.CLAIMABLE
    running = Status.PROCESSING
    retrying = Status.RETRYING
    retrying_statuses = (Status.RETRYING,)
    failed = Status.FAILED
    retryable = WebhookEvent.REPROCESSABLE
    retry_to = Status.RECEIVED
    retry_error = WebhookProcessingError
    expected_errors = (CacheUnavailable,)
    steps = ("act",)

    def act(self) -> None:
        self.result = _act(self.job)

    def succeed(self) -> None:
        event = self.job
        status, outcome = self.result
        if status == Status.REJECTED:
            self.finish(status, last_error=outcome)
        else:
            self.finish(status, outcome=outcome, last_error="",
                        processed_at=timezone.now() if status == Status.PROCESSED else None)
        logger.info("webhook event %s (%s): %s", event.event_id, event.event_type, outcome)

    def describe(self) -> str:
        return f"webhook event {self.job.event_id} ({self.job.event_type})"

    @classmethod
    def retry_fields(cls, now) -> dict:
        return {"queued_at": now}  # a staff retry queues the event itself: no dispatcher takes it too


def webhook_claim(*, event_pk: int) -> bool:
    """Take the event for processing: only one caller ever wins (a conditional update)."""
    return WebhookFlow.claim(event_pk) is not None


def webhook_process(*, event_pk: int) -> str | None:
    """Claim the event, map its stored body and act on it. Answers the final status, or None when
    the event was not there to claim (already taken, done, or gone).

    A failure leaves the event RETRYING and raises ``WebhookProcessingError`` (the task retries with
    backoff), until ``WEBHOOK_MAX_ATTEMPTS``: then the event is FAILED and nothing is raised.
    """
    return WebhookFlow.run(event_pk)


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
    """Record a client's edit in WHMCS: the email becomes the customer's billing contact
    (``Customer.billing_email``) and the name is copied to the portal user.

    Never the sign-in email or the password: the portal owns the sign-in identity, and whoever can
    make WHMCS send this event (its admins, its API, a client editing their details there) would
    otherwise own the portal account (docs/security.md). Nothing at all is copied to a staff user.
    An edit older than one already applied is skipped, so out-of-order deliveries cannot undo a
    newer change.
    """
    if selectors.newer_profile_edit_applied(event):
        return "an edit made later was already applied: nothing changed"
    profile: ClientProfile = mapped.profile  # the domain type guarantees it for ClientEdit
    changed: list[str] = []
    notes: list[str] = []
    with transaction.atomic():
        billing = Customer.objects.select_for_update().get(pk=customer.pk)
        if profile.email and profile.email != billing.billing_email:
            if _valid_email(profile.email):
                billing.billing_email = profile.email
                billing.billing_email_updated_at = timezone.now()
                billing.save(update_fields=["billing_email", "billing_email_updated_at", "updated_at"])
                changed.append("billing email")
            else:
                logger.warning("ClientEdit for WHMCS client %s: billing email not stored (not a valid address)",
                               mapped.client_id)
                notes.append("billing email not stored: not a valid address")
        user = get_user_model().objects.select_for_update().get(pk=customer.user_id)
        if user.is_staff or user.is_superuser:
            notes.append("the linked user is staff: nothing copied to it")
        else:
            names = [attribute for attribute, value in (("first_name", profile.first_name),
                                                        ("last_name", profile.last_name))
                     if value and getattr(user, attribute) != value]
            for attribute in names:
                setattr(user, attribute, getattr(profile, attribute))
            if names:
                user.save(update_fields=names)
                changed.extend(names)
    summary = (f"profile of customer {customer.pk} refreshed ({', '.join(changed)})" if changed
               else "profile unchanged")
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
    return WebhookFlow.retry(events)


def webhook_sweep() -> int:
    """Queue again the events nobody is working on (the broker was down when they arrived, a retry
    was lost, a worker died mid-way): ``JobFlow.sweep``."""
    return WebhookFlow.sweep()


__all__ = [
    "ReceiveResult",
    "WebhookFlow",
    "WebhookProcessingError",
    "webhook_claim",
    "webhook_process",
    "webhook_receive",
    "webhook_reprocess",
    "webhook_sweep",
]
