"""Webhook event domain types: "something changed at the billing system for this client".

An event says *what* changed and *for whom*; it is a notification, not the new state: the portal
reacts by forgetting what it cached (and, for a client's profile, by copying the new name/email).
"""
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, Field, model_validator

from domain.shared.model import DomainModel

EVENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{7,99}$"
"""8 to 100 characters: the sender's random id (32 hex digits from the WHMCS hook module)."""
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

PositiveId = Annotated[int, Field(gt=0)]


class WebhookTopic(StrEnum):
    """What an event is about, which decides what the portal refreshes."""

    INVOICE = "invoice"
    SERVICE = "service"
    CLIENT = "client"


class WebhookEventType(StrEnum):
    """The WHMCS hook points the hook module (``contrib/whmcs``) forwards, by their WHMCS names."""

    INVOICE_PAID = "InvoicePaid"
    INVOICE_CREATED = "InvoiceCreated"
    INVOICE_CANCELLED = "InvoiceCancelled"
    INVOICE_REFUNDED = "InvoiceRefunded"
    SERVICE_ACTIVATED = "AfterModuleCreate"
    SERVICE_SUSPENDED = "AfterModuleSuspend"
    SERVICE_UNSUSPENDED = "AfterModuleUnsuspend"
    SERVICE_TERMINATED = "AfterModuleTerminate"
    CLIENT_EDITED = "ClientEdit"

    @property
    def topic(self) -> WebhookTopic:
        if self.value.startswith("Invoice"):
            return WebhookTopic.INVOICE
        if self.value.startswith("AfterModule"):
            return WebhookTopic.SERVICE
        return WebhookTopic.CLIENT


class ClientProfile(DomainModel):
    """The client's name and email as the billing system now has them ("" = not sent)."""

    first_name: Annotated[str, Field(max_length=150)] = ""
    last_name: Annotated[str, Field(max_length=150)] = ""
    email: Annotated[str, Field(max_length=254, pattern=EMAIL_PATTERN)] | None = None
    company_name: str = ""


class WhmcsWebhookEvent(DomainModel):
    event_id: Annotated[str, Field(pattern=EVENT_ID_PATTERN)]
    type: WebhookEventType
    occurred_at: AwareDatetime
    client_id: PositiveId
    invoice_id: PositiveId | None = None
    service_id: PositiveId | None = None
    product_id: PositiveId | None = None
    profile: ClientProfile | None = None

    @property
    def topic(self) -> WebhookTopic:
        return self.type.topic

    @model_validator(mode="after")
    def _subject_present(self) -> "WhmcsWebhookEvent":
        needed = {
            WebhookTopic.INVOICE: ("invoice_id", self.invoice_id),
            WebhookTopic.SERVICE: ("service_id", self.service_id),
            WebhookTopic.CLIENT: ("profile", self.profile),
        }[self.topic]
        if needed[1] is None:
            raise ValueError(f"a {self.type.value} event needs {needed[0]}")
        return self

