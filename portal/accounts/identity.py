"""The identity check Japanese law requires before a voice SIM contract.

The customer uploads both sides of their residence card (each a PNG, JPEG, GIF or PDF, recognised
by its content, at most ``IDENTITY_DOCUMENT_MAX_BYTES``); the files go to Salesforce Files on their
Account (kept in memory, never on the portal's disk) and the Account's status becomes Under Review.
Staff look at them in Salesforce and set Verified, or Rejected with a reason the customer reads;
the portal reads the status (cached ``CACHE_TTL_IDENTITY``; the customer's own upload forgets it).

An upload is recorded (``IdentitySubmission``, under the form's request id) before anything is
sent; each side carries its own marker, so a submit repeated after a lost answer finds the file
already sent instead of sending it twice.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from domain.catalog.types import Product
from domain.customers.types import IdentityStatus, IdentityVerification
from domain.shared.errors import MappingError
from domain.sim.plans import PlanKind, plan_kind
from domain.support.attachments import AttachmentRefused, NewAttachment, check_attachment
from integrations.salesforce.customers import SalesforceCustomerClient
from integrations.salesforce.errors import SalesforceError
from portal.accounts.models import Customer, IdentitySubmission
from portal.core.cache import invalidate_customer
from portal.core.connections import salesforce_connection
from portal.core.errors import ProviderUnavailable
from portal.core.reads import ProviderReads

logger = logging.getLogger(__name__)
AREA = "identity verification"
SALESFORCE = ProviderReads(AREA, "Salesforce", (SalesforceError, MappingError), logger)
SIDES = ("front", "back")


class IdentityRefused(Exception):
    """The upload cannot be taken: ``side`` (or None for the whole) and ``reason`` (``empty``,
    ``too_large``, ``type``, ``not_now``)."""

    def __init__(self, side: str | None, reason: str) -> None:
        super().__init__(f"{side or 'upload'}: {reason}")
        self.side = side
        self.reason = reason


@dataclass(frozen=True)
class Documents:
    front: NewAttachment
    back: NewAttachment


def _service() -> SalesforceCustomerClient:
    return SalesforceCustomerClient(salesforce_connection())


def identity_status(customer: Customer) -> IdentityVerification:
    """Where the customer's identity check stands (a friendly 503 when the CRM cannot say)."""
    def read() -> IdentityVerification:
        found = _service().identity(customer.salesforce_account_id)
        if found is None:
            raise MappingError(provider="salesforce", entity="account identity", field="Id",
                               reason="the customer's Account was not found")
        return found

    return SALESFORCE.for_customer(customer, "identity", settings.CACHE_TTL_IDENTITY, read).value


def check_documents(front: UploadedFile | None, back: UploadedFile | None) -> Documents:
    """Both sides as attachments, or ``IdentityRefused`` naming the side and why."""
    checked = {}
    for side, upload in (("front", front), ("back", back)):
        if upload is None:
            raise IdentityRefused(side, "empty")
        limit = settings.IDENTITY_DOCUMENT_MAX_BYTES
        content = upload.read(limit + 1)
        try:
            checked[side] = check_attachment(f"residence-card-{side}-{upload.name or side}", content, max_bytes=limit)
        except AttachmentRefused as exc:
            raise IdentityRefused(side, exc.reason) from None
    return Documents(**checked)


def submit(*, customer: Customer, request_id: str, documents: Documents) -> IdentitySubmission:
    """Send both sides to the customer's Account and mark it Under Review. A repeat of the same
    ``request_id`` finishes what the first left (``ProviderUnavailable`` when the CRM fails: the
    customer submits again, nothing is sent twice)."""
    with transaction.atomic():
        submission, _ = IdentitySubmission.objects.select_for_update().get_or_create(
            request_id=request_id, defaults={"customer": customer})
        if submission.customer_id != customer.pk:
            raise IdentityRefused(None, "not_now")
        if submission.status == IdentitySubmission.Status.SUBMITTED:
            return submission
        if not identity_status(customer).can_submit:
            raise IdentityRefused(None, "not_now")
    service = _service()
    try:
        for side in SIDES:
            field = f"{side}_version_id"
            if getattr(submission, field):
                continue
            marker = submission.marker(side)
            version = service.find_file_by_request_id(marker, customer.salesforce_account_id)
            if version is None:
                try:
                    version = service.attach_identity_document(customer.salesforce_account_id, marker,
                                                               getattr(documents, side))
                except SalesforceError:
                    version = service.find_file_by_request_id(marker, customer.salesforce_account_id)
                    if version is None:
                        raise
            setattr(submission, field, version)
            IdentitySubmission.objects.filter(pk=submission.pk).update(**{field: version})
        service.mark_identity_submitted(customer.salesforce_account_id)
    except (SalesforceError, MappingError) as exc:
        logger.error("identity documents %s of user %s not sent: %s", request_id, customer.user_id, exc)
        raise ProviderUnavailable(AREA) from exc
    submission.status, submission.submitted_at = IdentitySubmission.Status.SUBMITTED, timezone.now()
    IdentitySubmission.objects.filter(pk=submission.pk).update(status=submission.status,
                                                               submitted_at=submission.submitted_at)
    invalidate_customer(customer.user_id)
    logger.info("identity documents %s of user %s sent for review", request_id, customer.user_id)
    return submission


def needs_identity(product: Product) -> bool:
    """Whether ordering the product is a voice SIM contract (its plan, the SKU, is a voice plan)."""
    return product.is_sim and plan_kind(product.sku) is PlanKind.VOICE


def voice_sim_problems(customer: Customer) -> list[str]:
    """Why the customer cannot order a voice SIM yet (sentences for them); empty when verified."""
    check = identity_status(customer)
    if check.status is IdentityStatus.VERIFIED:
        return []
    if check.status is IdentityStatus.UNDER_REVIEW:
        return [_("A voice SIM needs your identity verified first. We are checking the residence card you sent "
                  "(usually within one working day); you can order it once it is verified.")]
    if check.status is IdentityStatus.REJECTED:
        return [_("A voice SIM needs your identity verified first. The residence card you sent was not accepted: "
                  "%(reason)s Please send it again under Account, Identity verification.")
                % {"reason": check.rejection_reason}]
    return [_("A voice SIM needs your identity verified first (Japanese law asks us to check it before a voice "
              "contract): please send your residence card under Account, Identity verification.")]
