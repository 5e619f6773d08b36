"""A new customer: their billing client, CRM Account and Contact, and the portal link, as ONE durable
job on ``portal.core.jobs`` (docs/jobs.md, docs/accounts.md).

The profile form records an ``AccountCreation`` row (already claimed) and makes the first attempt
in the request, so the customer usually lands on their dashboard at once; a provider that fails
leaves the row waiting for its next attempt (backoff, then the beat's sweep), and staff see and
retry it in the admin. The steps, each safe to run twice:

1. **check_email** (nothing sent yet): billing has no client with this email. One that does is an
   existing customer: the job fails (nothing created) and the page offers linking instead.
2. **add_client**: ``whmcs_requested_at`` is saved, then WHMCS ``AddClient`` is sent with the
   sign-up's marker (``portal-signup:<request id>``) in the client's notes; the client id is saved
   as soon as it is known. After a lost answer (or a run that died after sending), billing is
   searched by the email for the client carrying the marker, and that one is adopted. The email is
   unique in WHMCS, so even a second send cannot make a second client: it is refused, and the
   search adopts the first.
3. **create_account**: the Account (with ``WHMCS_Client_Id__c``) is looked up by the marker
   (``Portal_Request_Id__c``, unique) and made only when absent; a lost answer is looked up again.
4. **create_contact**: the same for the Contact on that Account.
5. **link**: the portal user's ``Customer`` row with both ids.

There is never a billing client without an Account for long, nor the reverse: the job does not stop
between them until its attempts run out, and then staff see it failed, with its error, and retry it.
"""
from __future__ import annotations

import logging
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from domain.customers.types import ContactDetails, JapaneseAddress, NewCustomer, PersonName
from domain.shared.providers.salesforce import SalesforceSaveError
from integrations.salesforce.customers import SalesforceCustomerClient
from integrations.salesforce.errors import SalesforceApiError, SalesforceError
from integrations.whmcs.clients import WhmcsCustomerClient, WhmcsDuplicateEmail
from integrations.whmcs.errors import WhmcsError
from portal.accounts.models import AccountCreation, Customer
from portal.core import jobs
from portal.core.cache import invalidate_customer
from portal.core.connections import salesforce_connection, whmcs_connection

logger = logging.getLogger(__name__)
Status = AccountCreation.Status
EXISTING_CLIENT = "billing already has a client with this email: link it instead"


class AccountCreationRetry(jobs.JobRetry):
    pass


class AccountCreationFailed(jobs.JobFailed):
    pass


def new_customer(job: AccountCreation) -> NewCustomer:
    return NewCustomer(
        email=job.email, marker=str(job.request_id),
        name=PersonName(first_name=job.first_name, last_name=job.last_name, first_name_local=job.first_name_local,
                        last_name_local=job.last_name_local),
        contact=ContactDetails(phone=job.phone, address=JapaneseAddress(
            postal_code=job.postal_code, prefecture=job.prefecture, city=job.city, street=job.street,
            building=job.building)),
    )


def start(*, user, name: PersonName, contact: ContactDetails) -> AccountCreation:
    """Record the new customer's creation for ``user`` and make its first attempt now. The row
    (its status says how far it went); a second call for the same user returns the first row."""
    existing = AccountCreation.objects.filter(user=user).first()
    if existing is not None:
        return existing
    address = contact.address
    job = AccountCreationFlow.claim_new(AccountCreation(
        user=user, request_id=uuid.uuid4(), email=user.email, first_name=name.first_name, last_name=name.last_name,
        first_name_local=name.first_name_local, last_name_local=name.last_name_local, phone=contact.phone,
        postal_code=address.postal_code, prefecture=address.prefecture, city=address.city, street=address.street,
        building=address.building))
    try:
        with transaction.atomic():
            job.save(force_insert=True)
    except IntegrityError:  # a second submit of the form won the race: its row stands
        return AccountCreation.objects.get(user=user)
    AccountCreationFlow.run_inline(job)
    return job


def resume(job: AccountCreation) -> AccountCreation:
    """The customer came back to the page: move a waiting job now if nobody holds it."""
    if job.status in AccountCreationFlow.waiting and (claimed := AccountCreationFlow.claim(job.pk)) is not None:
        AccountCreationFlow.run_inline(claimed)
        return claimed
    return job


class AccountCreationFlow(jobs.JobFlow):
    model = AccountCreation
    noun, sweep_label, unit = "account creation", "account creation", "account creation"
    settings_prefix = "ACCOUNT_CREATION"
    task = "portal.accounts.tasks.run_account_creation"
    waiting = (Status.REQUESTED,)
    running = Status.RUNNING
    retrying = Status.REQUESTED
    failed = Status.FAILED
    retryable = (Status.FAILED,)
    retry_to = Status.REQUESTED
    retry_error = AccountCreationRetry
    failure_error = AccountCreationFailed
    steps = ("check_email", "add_client", "create_account", "create_contact", "link")

    @classmethod
    def queryset(cls):
        return AccountCreation.objects.select_related("user")

    def describe(self) -> str:
        return f"account creation {self.job.request_id}"

    @property
    def customer(self) -> NewCustomer:
        return new_customer(self.job)

    @staticmethod
    def whmcs() -> WhmcsCustomerClient:
        return WhmcsCustomerClient(whmcs_connection())

    @staticmethod
    def salesforce() -> SalesforceCustomerClient:
        return SalesforceCustomerClient(salesforce_connection())

    # -- steps ----------------------------------------------------------------------------------------
    def check_email(self) -> None:
        job = self.job
        if job.whmcs_requested_at is not None or job.whmcs_client_id is not None:
            return
        if self.whmcs().clients_with_email(job.email):
            raise AccountCreationFailed(EXISTING_CLIENT)

    def add_client(self) -> None:
        job = self.job
        if job.whmcs_client_id is not None:
            return
        if job.whmcs_requested_at is not None and self._adopt_client():
            return
        job.whmcs_requested_at, job.whmcs_requests = timezone.now(), job.whmcs_requests + 1
        self.save("whmcs_requested_at", "whmcs_requests")
        try:
            job.whmcs_client_id = self.whmcs().add_client(self.customer)
        except WhmcsDuplicateEmail:
            # Sent before (a lost answer): WHMCS keeps emails unique, so the client is ours.
            if self._adopt_client():
                return
            raise AccountCreationFailed(EXISTING_CLIENT) from None
        except WhmcsError:
            if self._adopt_client():  # the answer was lost, the client made: adopt it at once
                return
            raise
        self.save("whmcs_client_id")
        logger.info("%s: WHMCS client %s created", self.describe(), job.whmcs_client_id)

    def _adopt_client(self) -> bool:
        job = self.job
        found = self.whmcs().find_client_with_marker(job.email, str(job.request_id))
        if found is None:
            return False
        job.whmcs_client_id = found
        self.save("whmcs_client_id")
        logger.warning("%s: adopted WHMCS client %s found by its marker (an earlier answer was lost)",
                       self.describe(), found)
        return True

    def create_account(self) -> None:
        job = self.job
        if job.salesforce_account_id:
            return
        salesforce = self.salesforce()
        marker = str(job.request_id)
        found = salesforce.find_account_by_request_id(marker)
        if found is None:
            try:
                found = salesforce.create_account(self.customer, whmcs_client_id=job.whmcs_client_id)
            except (SalesforceError, SalesforceSaveError) as exc:
                found = salesforce.find_account_by_request_id(marker) if _maybe_made(exc) else None
                if found is None:
                    raise
        job.salesforce_account_id = found
        self.save("salesforce_account_id")

    def create_contact(self) -> None:
        job = self.job
        if job.salesforce_contact_id:
            return
        salesforce = self.salesforce()
        marker = str(job.request_id)
        found = salesforce.find_contact_by_request_id(marker, job.salesforce_account_id)
        if found is None:
            try:
                found = salesforce.create_contact(self.customer, account_id=job.salesforce_account_id)
            except (SalesforceError, SalesforceSaveError) as exc:
                found = salesforce.find_contact_by_request_id(marker, job.salesforce_account_id) \
                    if _maybe_made(exc) else None
                if found is None:
                    raise
        job.salesforce_contact_id = found
        self.save("salesforce_contact_id")

    def link(self) -> None:
        job = self.job
        customer, created = Customer.objects.get_or_create(user=job.user, defaults={
            "whmcs_client_id": job.whmcs_client_id, "salesforce_account_id": job.salesforce_account_id})
        if customer.whmcs_client_id != job.whmcs_client_id:
            raise AccountCreationFailed(f"the user is linked to another WHMCS client ({customer.whmcs_client_id})")
        if created:
            invalidate_customer(job.user_id)

    def succeed(self) -> None:
        self.finish(Status.DONE, finished_at=timezone.now())
        logger.info("%s done: WHMCS client %s, Account %s", self.describe(), self.job.whmcs_client_id,
                    self.job.salesforce_account_id)

    def fail(self, failure: jobs.JobFailed) -> None:
        super().fail(failure)
        AccountCreation.objects.filter(pk=self.job.pk).update(finished_at=timezone.now())

    def give_up(self, error: str) -> None:
        super().give_up(error)
        logger.error("%s failed: staff must retry it (admin: Account creations); WHMCS client %s, Account %s",
                     self.describe(), self.job.whmcs_client_id, self.job.salesforce_account_id or "none")


def _maybe_made(exc: BaseException) -> bool:
    """Whether a failed create may have made the record anyway: a lost answer, or Salesforce saying
    the marker is taken (``DUPLICATE_VALUE``)."""
    if isinstance(exc, SalesforceSaveError):
        return exc.has_status("DUPLICATE_VALUE")
    if isinstance(exc, SalesforceApiError):
        return "DUPLICATE_VALUE" in exc.error_codes
    return True
