"""Opening a case, adding a comment, attaching a file: each written to Salesforce exactly once.

Every write follows the house rule for writes whose answer can be lost (docs/support.md):

1. It is recorded before it is sent (``SupportWrite``, keyed by the form's request id, committed).
   A submit holds it for ``SUPPORT_SEND_LEASE_SECONDS`` while it sends; another submit of the same
   form meanwhile is told to wait (``StillSending``) rather than send a second copy.
2. What it creates carries a marker it can be found by: ``Case.Portal_Request_Id__c`` (unique in
   Salesforce), ``ContentVersion.Portal_Request_Id__c``; a comment (which can carry no custom
   field) is recognised by its case, its author (the portal) and its exact text.
3. After a lost answer (a timeout, a 5xx) the write is looked for and adopted; a later submit of
   the same form looks before it sends again. A repeated submit of a form that was written answers
   what it created (``Written.created`` False).

The views run outside ``ATOMIC_REQUESTS`` (``transaction.non_atomic_requests``) so that step 1
is committed before anything is sent.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from domain.shared import clock
from domain.support.attachments import NewAttachment
from domain.support.providers.salesforce import same_comment
from domain.support.requests import SPECS
from domain.support.types import (
    CaseCategory,
    CaseDetails,
    NewCase,
    NewComment,
    RelatedRecord,
    RequestDetails,
    RequestType,
)
from integrations.salesforce.cases import SalesforceCaseClient
from integrations.salesforce.errors import SalesforceApiError, SalesforceError
from portal.accounts.models import Customer
from portal.core import throttle
from portal.core.connections import salesforce_connection
from portal.core.errors import ProviderUnavailable, Refused
from portal.core.reads import ProviderReads
from portal.support import selectors
from portal.support.models import CaseView, SupportWrite

logger = logging.getLogger(__name__)
SALESFORCE = ProviderReads(selectors.AREA, "Salesforce", (SalesforceError,), logger)
COMMENT_LOOKBACK = timedelta(minutes=5)
"""How far before a comment was first sent its copy is looked for (clocks differ a little)."""


class TooManyCases(Refused):
    def __init__(self, retry_after: int) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(_("You have opened several cases in a short time. Please add to one of your open cases, "
                           "or try again in %(minutes)d minutes.") % {"minutes": minutes})
        self.retry_after = retry_after


class StillSending(Refused):
    def __init__(self) -> None:
        super().__init__(_("We are still sending what you submitted a moment ago. Please reload this page in a "
                           "few seconds."))


@dataclass(frozen=True)
class Written:
    salesforce_id: str
    case_id: str
    created: bool
    """False: this form had been written already (a repeated submit), nothing new was sent."""


# -- opening a case --------------------------------------------------------------------------------


def case_open(*, customer: Customer, request_id: str, request_type: RequestType, category: CaseCategory | None,
              subject: str, description: str, related: RelatedRecord | None = None,
              details: RequestDetails | None = None) -> Written:
    """Open a case in Salesforce for the customer, once per ``request_id``.

    Checks that the related record is the customer's (404 otherwise), files a structured request
    under its own category and priority, and counts new cases against ``SUPPORT_CASE_RATE``.
    Raises ``Refused`` (``TooManyCases``, ``StillSending``) with a message for the customer,
    ``ProviderUnavailable`` when Salesforce cannot be reached and nothing was written.
    """
    spec = SPECS[RequestType(request_type)]
    if related is not None:
        selectors.related_record(customer, related.kind, related.id)  # 404 unless it is theirs
    previous = SupportWrite.objects.filter(request_id=request_id, customer=customer).first()
    if previous is None or not previous.sent_at:
        retry_after = throttle.hit("support-case", str(customer.pk), settings.SUPPORT_CASE_RATE)
        if retry_after is not None:
            raise TooManyCases(retry_after)
    record_types = selectors.record_type_ids()
    if request_type not in record_types:
        logger.warning("the org has no Case record type for %s requests: the case is opened without one",
                       request_type)
    user = customer.user
    try:
        new_case = NewCase(
            account_id=customer.salesforce_account_id, request_id=request_id, request_type=spec.request_type,
            category=category if not spec.is_structured and category else spec.category,
            subject=subject, description=description or "", related=related, details=details or RequestDetails(),
            contact_name=user.get_full_name()[:80], contact_email=user.email,
            record_type_id=record_types.get(spec.request_type),
        )
    except ValueError as exc:  # the forms check all of this first: a client of the API skipped them
        logger.info("refused a case for customer %s: %s", customer.pk, exc)
        raise Refused(_("Some details of this request are missing or not valid.")) from None
    cases = SalesforceCaseClient(salesforce_connection())
    account = customer.salesforce_account_id
    written = _write_once(
        customer=customer, request_id=request_id, kind=SupportWrite.Kind.CASE, case_id="",
        digest=_digest(new_case.model_dump_json(exclude={"record_type_id", "contact_name", "contact_email"})),
        send=lambda: cases.create_case(new_case),
        find=lambda write: cases.find_case_by_request_id(request_id, account),
        duplicate_means_sent=True,
    )
    selectors.forget_cases(customer.user_id)
    logger.info("case %s for customer %s (%s)", written.salesforce_id, customer.pk,
                "opened" if written.created else "already opened by this form")
    return Written(written.salesforce_id, written.salesforce_id, written.created)


# -- the conversation ----------------------------------------------------------------------------------


def case_comment_add(*, customer: Customer, case_id: str, body: str, request_id: str) -> Written:
    """Add the customer's comment to their open case, once per ``request_id``."""
    case = _open_case(customer, case_id)
    comment = NewComment(case_id=case.id, body=body)
    cases = SalesforceCaseClient(salesforce_connection())

    def find(write: SupportWrite) -> str | None:
        since = (write.sent_at or clock.now()) - COMMENT_LOOKBACK
        return next((found.id for found in reversed(cases.recent_comments(case.id, since))
                     if same_comment(found, comment.body)), None)

    written = _write_once(customer=customer, request_id=request_id, kind=SupportWrite.Kind.COMMENT,
                          case_id=case.id, digest=_digest(comment.body), send=lambda: cases.add_comment(comment),
                          find=find)
    selectors.forget_cases(customer.user_id)
    return written


def case_attachment_add(*, customer: Customer, case_id: str, attachment: NewAttachment, request_id: str) -> Written:
    """Store the file in Salesforce Files, linked to the customer's open case, once per
    ``request_id``. The bytes live in memory for the request only: never on the portal's disk."""
    case = _open_case(customer, case_id)
    if len(case.attachments) >= settings.SUPPORT_ATTACHMENTS_PER_CASE:
        raise Refused(_("This case already has %(count)d files, the most it can hold. Please describe the "
                        "rest in a comment.") % {"count": settings.SUPPORT_ATTACHMENTS_PER_CASE},
                      field="file")
    cases = SalesforceCaseClient(salesforce_connection())
    written = _write_once(
        customer=customer, request_id=request_id, kind=SupportWrite.Kind.ATTACHMENT, case_id=case.id,
        digest=hashlib.sha256(attachment.content).hexdigest(),
        send=lambda: cases.attach_file(case.id, request_id, attachment),
        find=lambda write: cases.find_file_by_request_id(request_id, case.id),
    )
    selectors.forget_cases(customer.user_id)
    logger.info("file %s (%s, %d bytes) on case %s for customer %s", written.salesforce_id, attachment.kind,
                attachment.size, case.id, customer.pk)
    return written


def case_mark_seen(customer: Customer, case: CaseDetails) -> None:
    """The customer has seen the case as it is now (the list stops calling it changed)."""
    CaseView.objects.update_or_create(customer=customer, case_id=case.id,
                                      defaults={"seen_updated_at": case.updated_at})


def _open_case(customer: Customer, case_id: str) -> CaseDetails:
    case = selectors.case_detail(customer, case_id).value  # 404 unless it is theirs
    if not case.is_open:
        raise Refused(_("This case is solved, so nothing more can be added to it. If you still need help, "
                        "please open a new case."))
    return case


# -- exactly once ---------------------------------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _write_once(*, customer: Customer, request_id: str, kind: str, case_id: str, digest: str,
                send: Callable[[], str], find: Callable[[SupportWrite], str | None],
                duplicate_means_sent: bool = False) -> Written:
    write, resend = _claim(customer, request_id, kind, case_id, digest)
    if write.salesforce_id:
        return Written(write.salesforce_id, write.case_id, created=False)
    try:
        if resend:  # sent before and no answer recorded: look for it before sending again
            found = SALESFORCE.guard(lambda: find(write))
            if found:
                return _done(write, found, created=False)
        try:
            created_id = send()
        except SalesforceApiError as exc:
            if duplicate_means_sent and any(e.get("errorCode") == "DUPLICATE_VALUE" for e in exc.errors):
                found = SALESFORCE.guard(lambda: find(write))
                if found:
                    return _done(write, found, created=False)
            logger.error("Salesforce refused the %s of request %s: %s", kind, request_id, exc)
            raise Refused(_("We could not save this. Please try again, or contact us by phone if it keeps "
                            "happening.")) from exc
        except SalesforceError as exc:
            logger.error("sending the %s of request %s failed: %s", kind, request_id, exc)
            try:
                found = find(write)  # a timeout may hide a success
            except SalesforceError:
                found = None
            if found:
                return _done(write, found, created=False)
            raise ProviderUnavailable(selectors.AREA) from exc
        return _done(write, created_id, created=True)
    finally:
        SupportWrite.objects.filter(pk=write.pk).update(sending_until=None)


def _claim(customer: Customer, request_id: str, kind: str, case_id: str, digest: str) -> tuple[SupportWrite, bool]:
    """The write's row, committed, held by this submit; and whether it was sent before."""
    now = clock.now()
    lease = now + timedelta(seconds=settings.SUPPORT_SEND_LEASE_SECONDS)
    try:
        with transaction.atomic():
            write, _created = SupportWrite.objects.select_for_update().get_or_create(
                request_id=request_id,
                defaults={"customer": customer, "kind": kind, "case_id": case_id, "content_digest": digest},
            )
            if write.customer_id != customer.pk or write.kind != kind or write.case_id != case_id:
                raise Refused(_("This form cannot be used for this. Please reload the page and try again."))
            if write.salesforce_id:
                if write.content_digest != digest:
                    raise Refused(_("This form was sent already. Please reload the page to send something "
                                    "new."))
                return write, False
            if write.sending_until is not None and write.sending_until > now:
                raise StillSending()
            resend = write.sent_at is not None  # an earlier submit's answer was lost (its content may differ)
            write.sent_at, write.sending_until, write.content_digest = write.sent_at or now, lease, digest
            write.save(update_fields=["sent_at", "sending_until", "content_digest"])
            return write, resend
    except IntegrityError:  # another submit created the row first: it is sending
        raise StillSending() from None


def _done(write: SupportWrite, salesforce_id: str, *, created: bool) -> Written:
    write.salesforce_id = salesforce_id
    SupportWrite.objects.filter(pk=write.pk).update(salesforce_id=salesforce_id, sending_until=None)
    return Written(salesforce_id, write.case_id or salesforce_id, created)

