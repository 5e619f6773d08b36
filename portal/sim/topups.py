"""Data top-ups: charged on a WHMCS invoice first, then added by Freebit, exactly once.

A top-up is a durable job (``portal.core.jobs``, docs/jobs.md) that moves through
``TopUp.Status``: REQUESTED → CHARGED → APPLIED (or FAILED, or NEEDS_REVIEW when nobody can tell
whether Freebit added the data). Its steps, each safe to run twice:

1. **create_invoice**: CreateInvoice exactly once. The top-up records that it is about to send it
   (``invoice_requested_at``) and the invoice carries the request's marker in its notes
   (``portal-request:<request id>``). When an earlier attempt sent it but no invoice id was
   recorded (a lost answer, a process killed between the call and the save), the client's recent
   invoices are searched for the marker (GetInvoices) and the invoice found is adopted instead of
   creating another; after a lost answer the search is made at once, and again by the next attempt.
2. **capture_payment**: the invoice is read back (GetInvoice); a paid one is adopted (a capture whose
   answer was lost), else the top-up records ``capture_requested_at`` and CapturePayment charges the
   card on file. A refusal fails the top-up and cancels its invoice.
3. **add_quota**: Freebit's quota addition (PA04-04) has **no idempotency key**: every call adds
   the data again. So the top-up records that it is about to send it (``quota_requested_at``) and
   the call carries the request id as its ``quotaCode``. A refusal (an error code: nothing was
   added) clears the record. After a lost answer (a timeout, a 5xx, a malformed answer, a worker
   killed mid-call) it is never sent again blindly: the next attempt looks for the ``quotaCode`` in
   Freebit's quota history (PA05-02); found, the top-up is applied; absent once the lost call has
   had ``SIM_TOPUP_QUOTA_SETTLE_SECONDS`` to finish, it is sent again (at most
   ``SIM_TOPUP_QUOTA_MAX_SENDS`` times in all). When the history cannot tell (it cannot be read, or
   its answer is not understood), or the attempts run out while a call's outcome is unknown, the
   top-up stops in **needs review**: staff check Freebit and decide in the admin (the data was
   added; add it once; refund), and nothing adds the data twice.

Orphans: an invoice carrying the marker that is not the one charged (CreateInvoice sent more than
once), or every unpaid one of a top-up that failed before its charge, is cancelled, so WHMCS's
daily cron never charges the card for it. The first attempt runs in the customer's request (the
row is created already claimed); a transient failure is retried by the Celery task with backoff
(``SIM_TOPUP_*``), and the sweep resumes what a broker outage or a killed process left.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from domain.shared import clock
from domain.shared.calendar import month_end
from domain.shared.errors import MappingError
from domain.sim.commands import InvalidSimCommand, require_top_up_mb
from domain.sim.types import DataQuota
from integrations.freebit.errors import (
    FreebitApiError,
    FreebitAuthError,
    FreebitCircuitOpen,
    FreebitError,
    FreebitInvalidRequest,
    FreebitLineLocked,
    FreebitRateLimited,
    FreebitSimSuspended,
    FreebitTransportError,
    FreebitUnknownSim,
)
from integrations.freebit.sims import FreebitSimClient
from portal.accounts.models import Customer
from portal.billing import selectors as billing
from portal.billing.own_invoices import ChargedOnOwnInvoice
from portal.core import formats, jobs
from portal.core.cache import invalidate_customer
from portal.core.connections import freebit_connection
from portal.core.errors import ProviderUnavailable, Refused
from portal.core.i18n import customer_language
from portal.sim import selectors
from portal.sim.actions import refuse_while_network_switches
from portal.sim.models import TopUp

logger = logging.getLogger(__name__)
Status = TopUp.Status


@dataclass(frozen=True)
class TopUpQuote:
    quota: DataQuota
    amount: Decimal  # before tax
    currency: str


@dataclass(frozen=True)
class TopUpAnswer:
    """What a top-up request did: the top-up, and whether this request recorded it."""

    topup: TopUp
    created: bool

    @property
    def in_flight(self) -> bool:
        """Not applied or failed yet: another request is working on it, or a retry will."""
        return not self.topup.is_done


class TopUpRetry(jobs.JobRetry):
    """A top-up attempt failed transiently; its task retries it with backoff."""


class TopUpFailed(jobs.JobFailed):
    """The top-up cannot go on (the card was refused, the SIM is suspended)."""


class QuotaUnknown(TopUpFailed):
    """Whether Freebit added the quota cannot be found out: the top-up needs review, not a guess."""


class QuotaPending(Exception):
    """A lost quota addition is not in the history yet: look again later (a transient failure)."""


def topup_quote(quota_mb: int, customer: Customer) -> TopUpQuote:
    """The price of ``quota_mb`` in the currency WHMCS bills the customer in: ``SIM_TOPUP_PRICE_PER_GB``
    (set in the default currency) pro rata, converted at WHMCS's own rate, rounded up to the
    currency's smallest unit."""
    try:
        quota_mb = require_top_up_mb(quota_mb)
    except InvalidSimCommand as exc:
        raise Refused(str(exc)) from None
    if not settings.SIM_TOPUP_MIN_MB <= quota_mb <= settings.SIM_TOPUP_MAX_MB:
        raise Refused(_("Choose from %(min)d MB to %(max)d GB.") % {
            "min": settings.SIM_TOPUP_MIN_MB, "max": settings.SIM_TOPUP_MAX_MB // 1024})
    currency = billing.client_currency(customer)
    amount = currency.convert(settings.SIM_TOPUP_PRICE_PER_GB * Decimal(quota_mb) / Decimal(1024))
    return TopUpQuote(quota=DataQuota.from_mb(quota_mb), amount=amount, currency=currency.code)


def topup_request(*, customer: Customer, iccid: str, quota_mb: int, request_id: str) -> TopUpAnswer:
    """Charge and add a top-up to the customer's SIM ``iccid`` once per ``request_id``.

    The first request records the top-up already claimed and makes its first attempt at once
    (``created``). A repeat answers the same top-up: it makes another attempt when the top-up is
    waiting for one, and leaves it alone while another request or a worker holds it (in flight).
    Raises ``Refused`` (nothing recorded or charged) for what the customer can fix. A repeat is
    answered from the database alone; a first request checks the SIM is the customer's (404), once.
    """
    existing = TopUp.objects.filter(request_id=request_id).first()
    if existing is not None:
        return _repeat(existing, customer)
    sim = selectors.owned_sim(customer, iccid)
    refuse_while_network_switches(sim.iccid)
    details = selectors.sim_details(customer, sim).value
    if not details.can_top_up:
        raise Refused(_("This SIM is not active, so data cannot be added to it. Please contact support."))
    quote = topup_quote(quota_mb, customer)
    if not billing.payment_methods(customer).value:
        raise Refused(_("Please add a payment method first: Billing, then Payment methods."))
    topup = TopUpFlow.claim_new(TopUp(
        request_id=request_id, customer=customer, iccid=sim.iccid, msisdn=sim.msisdn, quota_mb=quote.quota.mb,
        amount=quote.amount, currency=quote.currency,
    ))
    try:
        with transaction.atomic():
            topup.save(force_insert=True)
    except IntegrityError:  # the same request recorded a moment ago by a parallel one
        return _repeat(TopUp.objects.get(request_id=request_id), customer)
    TopUpFlow.run_inline(topup)
    topup.refresh_from_db()
    return TopUpAnswer(topup, created=True)


def _repeat(topup: TopUp, customer: Customer) -> TopUpAnswer:
    if topup.customer_id != customer.pk:
        raise Refused(_("This form is no longer valid; please reload the page."))
    if not topup.is_done:
        claimed = TopUpFlow.claim(topup.pk)
        if claimed is not None:
            TopUpFlow.run_inline(claimed)
    topup.refresh_from_db()
    return TopUpAnswer(topup, created=False)


def topup_process(*, topup_id: int) -> None:
    """Move a top-up as far as it can go now (when nobody else holds it). Safe to call any number
    of times, from anywhere; a transient failure queues the next attempt."""
    claimed = TopUpFlow.claim(topup_id)
    if claimed is not None:
        TopUpFlow.run_inline(claimed)


def topup_message(topup: TopUp) -> tuple[str, str]:
    """What the customer is told about the top-up: a message level and the words."""
    amount = DataQuota.from_mb(topup.quota_mb).format()
    if topup.status == Status.APPLIED:
        return "success", _("%(amount)s was added to your SIM. Its invoice, already paid, is in Billing.") % {
            "amount": amount}
    if topup.status == Status.CHARGED and topup.waiting_since is not None:  # Freebit's line lock (JobWait)
        return "warning", _("Your payment went through. Your SIM's network is being switched, which takes about 30 "
                            "minutes; %(amount)s will be added once that is done. You don't need to do anything.") % {
            "amount": amount}
    if topup.status == Status.CHARGED:
        return "warning", _("Your payment went through; %(amount)s will be added to your SIM within a few minutes. "
                            "You don't need to do anything.") % {"amount": amount}
    if topup.status == Status.REQUESTED:
        return "warning", _("We could not confirm your payment just now. We are checking and will add the data once "
                            "it is confirmed; you will not be charged twice.")
    if topup.status == Status.NEEDS_REVIEW:
        return "warning", _("Your payment went through. We are confirming with the network that %(amount)s was "
                            "added; our support team will finish it, and you will not be charged twice.") % {
            "amount": amount}
    if topup.charged_at is None:
        return "error", _("Your payment could not be taken, so nothing was charged or added. Please check your "
                          "payment method and try again.")
    return "error", _("The top-up could not be completed. Your payment is safe: support has been told and will add "
                      "the data or refund you.")


class TopUpFlow(ChargedOnOwnInvoice, jobs.JobFlow):
    """One attempt at one top-up (the steps: see the module docstring)."""

    model = TopUp
    noun, sweep_label, unit = "top-up", "top-up", "top-up"
    settings_prefix = "SIM_TOPUP"
    task = "portal.sim.tasks.process_topup"
    waiting = (Status.REQUESTED, Status.CHARGED)
    failed = Status.FAILED
    retry_to = Status.CHARGED
    retry_error = TopUpRetry
    failure_error = TopUpFailed
    expected_errors = (ProviderUnavailable,)
    steps = ("create_invoice", "capture_payment", "add_quota")

    @classmethod
    def queryset(cls):
        return TopUp.objects.select_related("customer")

    @classmethod
    def retry_filter(cls) -> Q:
        """Staff retry only top-ups that failed after the customer paid: their quota is added again.
        One refused before any charge is not charged again by staff: the customer asks again; one
        staff chose to refund is not added after all. (A failed top-up never has a quota addition
        of unknown outcome: that one needs review instead.)"""
        return (Q(status=Status.FAILED, charged_at__isnull=False, quota_requested_at__isnull=True)
                & ~Q(review_outcome=TopUp.ReviewOutcome.REFUND))

    def describe(self) -> str:
        return f"top-up {self.job.request_id}"

    def describe_error(self, exc: BaseException) -> str:
        return f"{'quota' if self.step == 'add_quota' else 'charge'}: {exc}"

    # --- the steps ------------------------------------------------------------------------------
    def create_invoice(self) -> None:
        if self.job.status == Status.REQUESTED:
            self.send_create_invoice()

    def capture_payment(self) -> None:
        topup = self.job
        if topup.status != Status.REQUESTED:
            return
        self.capture_invoice()
        topup.status, topup.charged_at = Status.CHARGED, timezone.now()
        self.save("status", "charged_at")
        logger.info("top-up %s charged on WHMCS invoice %s", topup.request_id, topup.whmcs_invoice_id)
        if topup.invoice_requests > 1:  # an earlier CreateInvoice may have made an invoice after all
            self.cancel_unwanted_invoices(keep=topup.whmcs_invoice_id)

    def add_quota(self) -> None:
        topup = self.job
        if topup.status != Status.CHARGED:
            return
        sims = FreebitSimClient(freebit_connection())
        msisdn = topup.msisdn or self._msisdn()
        if topup.quota_requested_at is not None and self._settled_from_history(sims, msisdn):
            return
        if topup.quota_requests >= int(self.setting("QUOTA_MAX_SENDS")):
            raise QuotaUnknown(f"quota: sent {topup.quota_requests} time(s) and never seen added; not sent again")
        topup.quota_requested_at, topup.quota_requests = timezone.now(), topup.quota_requests + 1
        self.save("quota_requested_at", "quota_requests")
        try:
            sims.add_quota(msisdn, topup.quota_mb, quota_code=str(topup.request_id), expires=month_end(clock.today()))
        except FreebitLineLocked as locked:  # a 4G/5G switch made elsewhere: nothing added; ask again once done
            topup.quota_requested_at, topup.quota_requests = None, topup.quota_requests - 1
            self.save("quota_requested_at", "quota_requests")
            raise jobs.JobWait(f"quota: {locked}") from locked
        except (FreebitApiError, FreebitRateLimited, FreebitCircuitOpen) as refused:
            # An answer with an error code (or a call never sent): Freebit added nothing.
            topup.quota_requested_at = None
            self.save("quota_requested_at")
            if isinstance(refused, (FreebitSimSuspended, FreebitUnknownSim, FreebitInvalidRequest)):
                raise TopUpFailed(f"quota: {refused}") from refused
            raise
        # Anything else (a timeout, a 5xx, an answer we cannot read) leaves quota_requested_at set:
        # the next attempt settles it from the quota history.
        self._applied()

    def invoice_amount(self) -> Decimal:
        return self.job.amount

    def payment_refused(self, reason: str) -> Exception:
        return TopUpFailed(reason)

    def invoice_line(self) -> str:
        """What the customer reads on the invoice, in their language: the data and the phone number."""
        topup = self.job
        with customer_language(topup.customer.user):
            return _("Data top-up %(amount)s for %(phone)s") % {
                "amount": formats.data_amount(DataQuota.from_mb(topup.quota_mb)),
                "phone": formats.phone(topup.msisdn) if topup.msisdn else topup.iccid}

    def _settled_from_history(self, sims: FreebitSimClient, msisdn: str) -> bool:
        """After a call whose answer was lost: True when the history shows the data added (the
        top-up is applied); False when it shows it was not, and the call may be sent again. Raises
        ``QuotaUnknown`` when the history cannot tell, and a transient error to look again later."""
        topup = self.job
        sent_on = clock.local_date(topup.quota_requested_at)
        try:
            found = sims.find_quota_addition(msisdn, str(topup.request_id), start=sent_on, end=clock.today())
        except (FreebitTransportError, FreebitAuthError):
            raise  # look again on the next attempt
        except (FreebitError, MappingError) as exc:
            raise QuotaUnknown(f"quota: the quota history cannot tell whether the data was added: {exc}") from exc
        if found is not None:
            logger.warning("top-up %s: Freebit added the quota (its answer was lost); adopted, not sent again",
                           topup.request_id)
            self._applied()
            return True
        settle = timedelta(seconds=int(self.setting("QUOTA_SETTLE_SECONDS")))
        if timezone.now() - topup.quota_requested_at < settle:
            raise QuotaPending(f"quota: not in the quota history yet (sent at {topup.quota_requested_at:%H:%M:%S}); "
                               "looking again before sending anything")
        logger.warning("top-up %s: the quota history shows no addition %s s after a lost answer: sending it again",
                       topup.request_id, settle.seconds)
        return False

    def _applied(self) -> None:
        topup = self.job
        topup.status, topup.applied_at = Status.APPLIED, timezone.now()
        self.save("status", "applied_at")

    def _msisdn(self) -> str:
        """The SIM's number for a top-up recorded without it (before numbers were recorded)."""
        from portal.sim import selectors

        return selectors.owned_sim(self.job.customer, self.job.iccid).msisdn

    # --- outcomes -------------------------------------------------------------------------------
    def succeed(self) -> None:
        self.finish(None, last_error="")
        logger.info("top-up %s applied to SIM %s", self.job.request_id, self.job.iccid)

    def fail(self, failure: jobs.JobFailed) -> None:
        if isinstance(failure, QuotaUnknown):
            self._needs_review(str(failure))
        else:
            self._fail(str(failure))

    def give_up(self, error: str) -> None:
        if self.job.quota_requested_at is not None:  # a quota addition's outcome is not known: never guess
            self._needs_review(error)
        else:
            self._fail(error)

    def _needs_review(self, error: str) -> None:
        topup = self.job
        self.finish(Status.NEEDS_REVIEW, last_error=error[:jobs.MAX_ERROR_LENGTH])
        logger.error("top-up %s needs review: paid on invoice %s, and whether Freebit added %s MB to %s is not "
                     "known (%s). Check the SIM's quota history with Freebit, then decide in the admin.",
                     topup.request_id, topup.whmcs_invoice_id, topup.quota_mb, topup.msisdn or topup.iccid, error)

    def _fail(self, error: str) -> None:
        topup = self.job
        charged = topup.charged_at is not None
        if not charged:
            self.cancel_unwanted_invoices(keep=None)
        self.finish(Status.FAILED, last_error=error[:jobs.MAX_ERROR_LENGTH])
        if charged:
            logger.error("top-up %s gave up after the charge (invoice %s): %s", topup.request_id,
                         topup.whmcs_invoice_id, error)
        else:
            logger.warning("top-up %s failed before any charge: %s", topup.request_id, error)

    def after_attempt(self) -> None:
        invalidate_customer(self.job.customer.user_id)


# --- staff review of a top-up whose quota addition's outcome is unknown ---------------------------
def topup_review(*, topup_id: int, outcome: str, staff_user) -> bool:
    """Settle a top-up that needs review, as the staff member who checked Freebit decided:

    - ``confirmed_added``: the data is on the SIM (Freebit's records show it): the top-up is applied;
    - ``add_once``: the data is not on the SIM: the quota addition is sent once more (recorded
      first, like any other; its outcome is settled the same way);
    - ``refund``: the data is not on the SIM and the customer is refunded (in WHMCS, by staff):
      the top-up is failed and can no longer be retried.

    One decision per top-up: whether this call made it (a conditional update; a second click, or
    a colleague's, finds it decided).
    """
    outcome = TopUp.ReviewOutcome(outcome)
    now = timezone.now()
    fields = {"reviewed_at": now, "reviewed_by": staff_user, "review_outcome": outcome, "updated_at": now,
              "lease_until": None}
    if outcome is TopUp.ReviewOutcome.CONFIRMED_ADDED:
        fields.update(status=Status.APPLIED, applied_at=now, quota_requested_at=None)
    elif outcome is TopUp.ReviewOutcome.ADD_ONCE:
        fields.update(status=Status.CHARGED, quota_requested_at=None, quota_requests=0, attempts=0, last_error="")
    else:
        fields.update(status=Status.FAILED, quota_requested_at=None,
                      last_error="not added; refund the invoice in WHMCS (staff review)")
    decided = TopUp.objects.filter(pk=topup_id, status=Status.NEEDS_REVIEW).update(**fields) == 1
    if decided:
        topup = TopUp.objects.select_related("customer").get(pk=topup_id)
        logger.warning("top-up %s reviewed by %s: %s", topup.request_id, getattr(staff_user, "email", staff_user),
                       outcome.value)
        invalidate_customer(topup.customer.user_id)
        if outcome is TopUp.ReviewOutcome.ADD_ONCE:
            TopUpFlow.enqueue(topup_id)
    return decided


__all__ = ["TopUpAnswer", "TopUpFlow", "TopUpQuote", "topup_message", "topup_process",
           "topup_quote", "topup_request", "topup_review"]
