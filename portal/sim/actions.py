"""A SIM's lifecycle in self-service: voice options, 4G/5G, eSIM reissue and cancellation; and an
Internet service's cancellation (``SERVICE_CANCELLATION``: the same rules and flow, WHMCS alone).

Each is a ``SimAction`` row and a durable job (``portal.core.jobs``, docs/sim-lifecycle.md) moving
through SCHEDULED (a cancellation waiting for its day, which the customer may withdraw) →
REQUESTED → IN_PROGRESS → DONE, or FAILED with a reason, or WITHDRAWN. Its steps, each safe to run
twice:

1. **create_invoice**, **capture_payment** (an action with a fee: the eSIM reissue): the fee is
   charged first, exactly once, like a top-up: CreateInvoice recorded before it is sent and marked
   with the request's marker (adopted by it after a lost answer), the invoice read back before any
   capture; a refusal fails the action and cancels the invoice. Nothing is sent to Freebit unpaid.
2. **send_change**: the Freebit call (PA05-06, PA05-38, PA05-41 "R", PA02-04). None has an
   idempotency key, so ``provider_requested_at`` is recorded before it is sent; after a lost answer
   the SIM's details (PA03-02) are read first and a change they show is adopted; only when they do
   not after ``SIM_ACTION_RESEND_AFTER_SECONDS`` is it sent again (at most ``SIM_ACTION_MAX_SENDS``).
   For a 4G/5G switch, "line locked" after our own lost call means it was accepted.
3. **cancel_billing** (a cancellation): WHMCS ``AddCancelRequest`` at the end of the billing
   period; "a request exists already" is adopted.
4. **note_salesforce** (a cancellation, a reissue): a case for staff, marked with a request id
   derived from the action's (``Portal_Request_Id__c``), looked up before it is created.
5. **confirm**: Freebit applies voice options and the 4G/5G switch later: the action stays in
   progress until the SIM's details show the change (read again when the page is opened and by
   the sweep), failed for staff after ``SIM_ACTION_CONFIRM_TIMEOUT_SECONDS``.

A SIM has at most one action in flight (a database constraint), so nothing else is accepted while
its line is locked by a 4G/5G switch. A cancellation is sent ``SIM_CANCELLATION_SEND_DAYS_BEFORE``
days before its last day by a beat task; before that, withdrawing it sends nothing anywhere.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from domain.shared import clock
from domain.shared.calendar import add_months, month_end
from domain.sim.commands import InvalidSimCommand, require_eid
from domain.sim.types import NetworkType, SimDetails, SimStatus, VoiceOption
from domain.subscriptions.types import Subscription, SubscriptionStatus
from domain.support.types import CaseCategory, NewCase, RelatedKind, RelatedRecord, RequestType
from integrations.freebit.errors import (
    FreebitApiError,
    FreebitCircuitOpen,
    FreebitLineLocked,
    FreebitRateLimited,
)
from integrations.freebit.sims import FreebitSimClient
from integrations.salesforce.cases import SalesforceCaseClient
from integrations.whmcs.errors import WhmcsApiError, WhmcsAuthError
from integrations.whmcs.subscriptions import WhmcsSubscriptionClient
from portal.accounts.models import Customer
from portal.billing import selectors as billing
from portal.billing.own_invoices import ChargedOnOwnInvoice
from portal.core import formats, jobs
from portal.core.cache import invalidate_customer
from portal.core.connections import freebit_connection, salesforce_connection, whmcs_connection
from portal.core.errors import ProviderUnavailable, Refused
from portal.core.i18n import customer_language
from portal.sim.models import SimAction
from portal.sim.selectors import SimLink
from portal.support import selectors as support

logger = logging.getLogger(__name__)
Kind, Status, Failure = SimAction.Kind, SimAction.Status, SimAction.Failure
CHARGED_KINDS = (Kind.ESIM_REISSUE,)
NOTED_KINDS = (Kind.ESIM_REISSUE, *SimAction.CANCELLATIONS)
CONFIRMED_KINDS = (Kind.VOICE_OPTIONS, Kind.NETWORK, Kind.ESIM_REISSUE)


# --- the rules (settings, never templates) ------------------------------------------------------------
@dataclass(frozen=True)
class ActionRules:
    """What the SIM page offers for one SIM, from the settings and its details."""

    voice_options: tuple[VoiceOption, ...]
    """The options the customer may switch (none on a data-only SIM)."""
    networks: tuple[NetworkType, ...]
    """The network types it may switch to (not its current one)."""
    reissue_fee: Decimal | None
    replacement_fee: Decimal | None
    """None (with no currency) while billing cannot say which currency the customer pays in."""
    currency: str
    end_dates: tuple[date, ...]
    cutoff_day: int


def voice_options_for(sim: SimDetails) -> tuple[VoiceOption, ...]:
    if sim.data_only:
        return ()
    offered = [VoiceOption(name) for name in settings.SIM_VOICE_OPTIONS]
    if sim.plan_code in settings.SIM_PLANS_WITHOUT_ROAMING:
        offered = [option for option in offered if option is not VoiceOption.INTERNATIONAL_ROAMING]
    return tuple(offered)


def networks_for(sim: SimDetails) -> tuple[NetworkType, ...]:
    if sim.network is NetworkType.NR:
        return (NetworkType.LTE,)
    return (NetworkType.NR,) if sim.plan_code in settings.SIM_5G_PLANS else ()


def cancellation_end_dates(today: date) -> tuple[date, ...]:
    """The last days of service a cancellation asked ``today`` may have: this month's end when asked
    by the cutoff day (``SIM_CANCELLATION_CUTOFF_DAY``, Japan time), else next month's, and the
    month ends after it (``SIM_CANCELLATION_MONTHS_OFFERED`` in all)."""
    first = month_end(today) if today.day <= settings.SIM_CANCELLATION_CUTOFF_DAY else month_end(
        add_months(today.replace(day=1), 1))
    return tuple(month_end(add_months(first.replace(day=1), months))
                 for months in range(settings.SIM_CANCELLATION_MONTHS_OFFERED))


def action_rules(sim: SimDetails, customer: Customer) -> ActionRules:
    """What the SIM page offers; the fees (set in WHMCS's default currency) in the customer's."""
    try:
        currency = billing.client_currency(customer)
    except ProviderUnavailable:
        currency = None
    return ActionRules(voice_options=voice_options_for(sim), networks=networks_for(sim),
                       reissue_fee=currency.convert(settings.SIM_ESIM_REISSUE_FEE) if currency else None,
                       replacement_fee=currency.convert(settings.SIM_REPLACEMENT_FEE) if currency else None,
                       currency=currency.code if currency else "", end_dates=cancellation_end_dates(clock.today()),
                       cutoff_day=settings.SIM_CANCELLATION_CUTOFF_DAY)


# --- reads ----------------------------------------------------------------------------------------------
def sim_actions(customer: Customer, iccid: str, *, limit: int = 10) -> list[SimAction]:
    return list(SimAction.objects.filter(customer=customer, iccid=iccid)[:limit])


def in_flight_action(iccid: str) -> SimAction | None:
    return SimAction.objects.filter(iccid=iccid, status__in=SimAction.IN_FLIGHT).first()


def open_cancellation(customer: Customer, iccid: str) -> SimAction | None:
    return SimAction.objects.filter(customer=customer, iccid=iccid, kind=Kind.CANCELLATION,
                                    status__in=SimAction.OPEN).first()


def refresh_actions(customer: Customer, iccid: str) -> None:
    """Move the SIM's actions in progress on (the page is being opened): one attempt each, when
    nobody holds it; a change Freebit has applied shows as done."""
    for pk in SimAction.objects.filter(customer=customer, iccid=iccid, status__in=SimAction.IN_FLIGHT,
                                       lease_until__isnull=True).values_list("pk", flat=True):
        claimed = SimActionFlow.claim(pk)
        if claimed is not None:
            SimActionFlow.run_inline(claimed)


# --- requests ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ActionAnswer:
    action: SimAction
    created: bool

    @property
    def in_flight(self) -> bool:
        return self.action.status in SimAction.IN_FLIGHT


def action_request(*, customer: Customer, sim: SimLink, details: SimDetails, kind: str, request_id: str,
                   voice: dict | None = None, network: str | None = None, eid: str | None = None,
                   end_date: date | None = None) -> ActionAnswer:
    """Record the customer's action on their SIM (``sim`` from ``owned_sim``) once per ``request_id``
    and make its first attempt at once (a cancellation waits for its day). Raises ``Refused`` with
    the customer's words for what cannot be done; nothing is recorded then."""
    existing = SimAction.objects.filter(request_id=request_id).first()
    if existing is not None:
        return _repeat(existing, customer)
    kind = Kind(kind)
    action = SimAction(request_id=request_id, customer=customer, kind=kind, iccid=sim.iccid, msisdn=sim.msisdn,
                       whmcs_service_id=sim.service_id)
    if kind is Kind.CANCELLATION:
        refuse_while_network_switches(sim.iccid)
        _check_cancellation(customer, sim, details, end_date)
        action.status, action.end_date = Status.SCHEDULED, end_date
        action.send_on = max(clock.today(), end_date - timedelta(days=settings.SIM_CANCELLATION_SEND_DAYS_BEFORE))
    else:
        if kind is Kind.ESIM_REISSUE:
            refuse_reissue_of_a_card(details)
        _check_change(sim, details)
        if kind is Kind.VOICE_OPTIONS:
            action.params = {"voice": _voice_changes(details, voice)}
        elif kind is Kind.NETWORK:
            action.params = {"network": _network(details, network)}
        else:
            action.params = {"eid": _eid(details, eid), "old_eid": details.eid}
            if not billing.payment_methods(customer).value:
                raise Refused(_("Please add a payment method first: Billing, then Payment methods."))
            currency = billing.client_currency(customer)
            action.fee, action.currency = currency.convert(settings.SIM_ESIM_REISSUE_FEE), currency.code
    due_now = action.status == Status.REQUESTED or action.send_on <= clock.today()
    if due_now:
        action.status = Status.REQUESTED
        SimActionFlow.claim_new(action)
    try:
        with transaction.atomic():
            action.save(force_insert=True)
    except IntegrityError:
        again = SimAction.objects.filter(request_id=request_id).first()
        if again is not None:
            return _repeat(again, customer)
        raise Refused(_("Another change to this SIM is still being made. Please wait until it is done.")) from None
    logger.info("SIM action %s (%s) recorded for SIM %s", action.request_id, kind, sim.iccid)
    if due_now:
        SimActionFlow.run_inline(action)
        action.refresh_from_db()
    invalidate_customer(customer.user_id)
    return ActionAnswer(action, created=True)


def _repeat(action: SimAction, customer: Customer) -> ActionAnswer:
    if action.customer_id != customer.pk:
        raise Refused(_("This form is no longer valid; please reload the page."))
    if action.status in SimAction.IN_FLIGHT:
        claimed = SimActionFlow.claim(action.pk)
        if claimed is not None:
            SimActionFlow.run_inline(claimed)
    action.refresh_from_db()
    return ActionAnswer(action, created=False)


def refuse_while_network_switches(iccid: str) -> None:
    """Freebit locks a line for about 30 minutes while it switches its network (PA05-38): no other
    change to that SIM (data, plan, options, cancellation) is accepted meanwhile."""
    if SimAction.objects.filter(iccid=iccid, kind=Kind.NETWORK, status__in=SimAction.IN_FLIGHT).exists():
        raise Refused(_("This SIM's network is being switched, which takes about 30 minutes; no other change "
                        "can be made to it meanwhile. Please try again later."))


def refuse_reissue_of_a_card(details: SimDetails) -> None:
    """Only an eSIM is reissued (PA05-41 "R"); a SIM card is replaced by a new card, a structured
    request (``sim_replacement``) a person handles."""
    if not details.is_esim:
        raise Refused(_("This is a physical SIM card, not an eSIM, so there is no eSIM to reissue. For a new card, "
                        "ask for a replacement SIM card."), field="eid")


def _check_change(sim: SimLink, details: SimDetails) -> None:
    if details.status is not SimStatus.ACTIVE:
        raise Refused(_("This SIM is not active, so it cannot be changed. Please contact support."))
    refuse_while_network_switches(sim.iccid)
    if in_flight_action(sim.iccid) is not None:
        raise Refused(_("Another change to this SIM is still being made. Please wait until it is done."))
    if SimAction.objects.filter(iccid=sim.iccid, kind=Kind.CANCELLATION, status__in=SimAction.OPEN).exists():
        raise Refused(_("This SIM is being cancelled, so it cannot be changed. Withdraw the cancellation first."))


def _voice_changes(details: SimDetails, voice: dict | None) -> dict[str, bool]:
    allowed = voice_options_for(details)
    if not allowed:
        raise Refused(_("This is a data-only SIM: it has no phone service, so it has no voice options."))
    changes = {}
    for name, enabled in (voice or {}).items():
        try:
            option = VoiceOption(name)
        except ValueError:
            raise Refused(_("Please choose one of the voice options offered."), field="voice") from None
        if option not in allowed:
            raise Refused(_("This option is not available on this SIM's plan."), field="voice")
        if details.voice_option(option) is not bool(enabled):
            changes[option.value] = bool(enabled)
    if not changes:
        raise Refused(_("Nothing to change: the options are already set like this."), field="voice")
    return changes


def _network(details: SimDetails, network: str | None) -> str:
    try:
        wanted = NetworkType(network)
    except ValueError:
        raise Refused(_("Please choose 4G or 5G."), field="network") from None
    if wanted is details.network:
        raise Refused(_("This SIM is on %(network)s already.") % {"network": wanted.value}, field="network")
    if wanted not in networks_for(details):
        raise Refused(_("5G is not available on this SIM's plan."), field="network")
    return wanted.value


def _eid(details: SimDetails, eid: str | None) -> str:
    try:
        eid = require_eid((eid or "").replace(" ", ""))
    except InvalidSimCommand:
        raise Refused(_("Enter the EID of your new phone: 32 digits, shown in its settings."), field="eid") from None
    if eid == details.eid:
        raise Refused(_("This eSIM is on that phone already."), field="eid")
    return eid


def _check_cancellation(customer: Customer, sim: SimLink, details: SimDetails, end_date: date | None) -> None:
    if details.status not in (SimStatus.ACTIVE, SimStatus.SUSPENDED):
        raise Refused(_("This SIM cannot be cancelled now. Please contact support."))
    if open_cancellation(customer, sim.iccid) is not None:
        raise Refused(_("This SIM's cancellation is requested already."))
    port = support.sim_cases(customer, sim.iccid)
    if port.mnp is not None:
        raise Refused(_("This SIM's number has an MNP reservation (valid until %(day)s): moving the number to the new "
                        "carrier cancels this SIM by itself, so it cannot be cancelled here.") % {
            "day": _day(port.mnp.expires_on)})
    if port.unknown:
        raise Refused(_("We could not check this SIM's number transfer just now. Please try again in a few minutes."))
    if end_date not in cancellation_end_dates(clock.today()):
        raise Refused(_("Please choose one of the end dates offered."), field="end_date")


def action_withdraw(*, customer: Customer, sim: SimLink, request_id: str | None = None) -> SimAction:
    """Withdraw the SIM's cancellation before it is sent: nothing is cancelled anywhere. A
    cancellation already told to Freebit and WHMCS cannot be withdrawn (``Refused``)."""
    found = SimAction.objects.filter(customer=customer, iccid=sim.iccid, kind=Kind.CANCELLATION)
    return _withdraw(customer, found, request_id, _("This SIM has no cancellation to withdraw."))


def _withdraw(customer: Customer, found, request_id: str | None, none_text: str) -> SimAction:
    found = found.filter(request_id=request_id) if request_id else found.filter(status__in=SimAction.OPEN)
    action = found.first()
    if action is None:
        raise Refused(none_text)
    if action.status == Status.WITHDRAWN:
        return action
    now = timezone.now()
    if not SimAction.objects.filter(pk=action.pk, status=Status.SCHEDULED, provider_requested_at__isnull=True,
                                    billing_cancelled_at__isnull=True).update(
            status=Status.WITHDRAWN, withdrawn_at=now, updated_at=now):
        raise Refused(_("This cancellation has been sent to the network and billing already, so it can no longer "
                        "be withdrawn. Please contact support."))
    logger.info("SIM action %s: cancellation withdrawn by the customer", action.request_id)
    invalidate_customer(customer.user_id)
    action.refresh_from_db()
    return action


# --- an Internet service's cancellation (WHMCS alone, the SIM's rules) -------------------------------------
CANCELLABLE_SERVICE_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED)


def service_cancellable(service: Subscription) -> bool:
    """Whether the customer cancels this service on its subscription page: a service of a group in
    ``SERVICE_CANCELLATION_GROUPS`` (the Internet services), active or suspended."""
    return (service.group_name in settings.SERVICE_CANCELLATION_GROUPS
            and service.status in CANCELLABLE_SERVICE_STATUSES)


def open_service_cancellation(customer: Customer, service_id: int) -> SimAction | None:
    return SimAction.objects.filter(customer=customer, whmcs_service_id=service_id,
                                    kind=Kind.SERVICE_CANCELLATION, status__in=SimAction.OPEN).first()


def service_cancellation_request(*, customer: Customer, service: Subscription, end_date: date | None,
                                 request_id: str) -> ActionAnswer:
    """Book the cancellation of the customer's service (``service`` from ``subscription_detail``:
    theirs) for an end date the rules allow, once per ``request_id``: like a SIM's, it waits until
    ``SIM_CANCELLATION_SEND_DAYS_BEFORE`` days before the last day, withdrawable until then, and
    is then sent to WHMCS alone (AddCancelRequest) with a case for staff."""
    existing = SimAction.objects.filter(request_id=request_id).first()
    if existing is not None:
        return _repeat(existing, customer)
    if not service_cancellable(service):
        raise Refused(_("This service cannot be cancelled here. Please contact support."))
    if open_service_cancellation(customer, service.id) is not None:
        raise Refused(_("This service's cancellation is requested already."))
    if end_date not in cancellation_end_dates(clock.today()):
        raise Refused(_("Please choose one of the end dates offered."), field="end_date")
    action = SimAction(request_id=request_id, customer=customer, kind=Kind.SERVICE_CANCELLATION,
                       whmcs_service_id=service.id, params={"product": service.product_name},
                       status=Status.SCHEDULED, end_date=end_date)
    action.send_on = max(clock.today(), end_date - timedelta(days=settings.SIM_CANCELLATION_SEND_DAYS_BEFORE))
    due_now = action.send_on <= clock.today()
    if due_now:
        action.status = Status.REQUESTED
        SimActionFlow.claim_new(action)
    try:
        with transaction.atomic():
            action.save(force_insert=True)
    except IntegrityError:
        again = SimAction.objects.filter(request_id=request_id).first()
        if again is not None:
            return _repeat(again, customer)
        raise Refused(_("This service's cancellation is requested already.")) from None
    logger.info("Service cancellation %s recorded for WHMCS service %s", action.request_id, service.id)
    if due_now:
        SimActionFlow.run_inline(action)
        action.refresh_from_db()
    invalidate_customer(customer.user_id)
    return ActionAnswer(action, created=True)


def service_cancellation_withdraw(*, customer: Customer, service_id: int, request_id: str | None = None) -> SimAction:
    """Withdraw the service's booked cancellation before it is sent: nothing is cancelled in WHMCS."""
    found = SimAction.objects.filter(customer=customer, whmcs_service_id=service_id, kind=Kind.SERVICE_CANCELLATION)
    return _withdraw(customer, found, request_id, _("This service has no cancellation to withdraw."))


def start_due_cancellations() -> int:
    """Periodic: cancellations whose day to be sent has come are started (business calendar)."""
    due = list(SimAction.objects.filter(kind__in=SimAction.CANCELLATIONS, status=Status.SCHEDULED,
                                        send_on__lte=clock.today()).values_list("pk", flat=True)[:jobs.SWEEP_BATCH])
    started = 0
    for pk in due:
        try:
            with transaction.atomic():
                moved = SimAction.objects.filter(pk=pk, status=Status.SCHEDULED).update(
                    status=Status.REQUESTED, updated_at=timezone.now())
        except IntegrityError:  # another change of that SIM is in flight: next time
            continue
        if moved:
            SimActionFlow.send(pk)
            started += 1
    if started:
        logger.info("started %d scheduled cancellation(s)", started)
    return started


def action_message(action: SimAction) -> tuple[str, str]:
    """What the customer is told about the action: a message level and the words."""
    kind, status = action.kind, action.status
    if status == Status.FAILED:
        if action.charged_at is not None:
            return "error", _("%(action)s could not be completed: %(reason)s. Your payment is safe: support has been "
                              "told and will finish it or refund you.") % {
                "action": action.get_kind_display(), "reason": action.get_failure_display()}
        return "error", _("%(action)s could not be completed: %(reason)s. Nothing was changed.") % {
            "action": action.get_kind_display(), "reason": action.get_failure_display() or _("please try again")}
    if status == Status.WITHDRAWN:
        return "success", _("Your cancellation was withdrawn: nothing was cancelled.")
    if kind in SimAction.CANCELLATIONS:
        if status == Status.SCHEDULED:
            return "success", _("Your cancellation is booked: the service ends on %(day)s. You can withdraw it until "
                                "%(until)s.") % {"day": _day(action.end_date), "until": _day(withdraw_until(action))}
        if status == Status.DONE:
            return "success", _("The cancellation is with the network and billing: the service ends on %(day)s.") % {
                "day": _day(action.end_date)}
        return "warning", _("The cancellation is being sent to the network and billing; the service ends on "
                            "%(day)s.") % {"day": _day(action.end_date)}
    if status == Status.DONE:
        return "success", {
            Kind.VOICE_OPTIONS: _("Your voice options are changed."),
            Kind.NETWORK: _("Your SIM is on the new network type."),
            Kind.ESIM_REISSUE: _("Your eSIM is ready for your new phone: follow the set-up email to install it."),
        }[kind]
    if status == Status.IN_PROGRESS:
        return "warning", {
            Kind.VOICE_OPTIONS: _("The mobile network is changing your voice options; this usually takes a few "
                                  "minutes. The page shows them once they are changed."),
            Kind.NETWORK: _("The network type is being switched. This takes about 30 minutes, during which no other "
                            "change can be made to this SIM."),
            Kind.ESIM_REISSUE: _("Your eSIM is being reissued for your new phone."),
        }[kind]
    if action.fee and action.charged_at is None:
        return "warning", _("We could not confirm your payment just now. We are checking and will go on once it is "
                            "confirmed; you will not be charged twice.")
    return "warning", _("Your request is recorded and being sent to the mobile network.")


def withdraw_until(action: SimAction) -> date | None:
    """The last day a scheduled cancellation can be withdrawn (the day before it is sent)."""
    return None if action.send_on is None else action.send_on - timedelta(days=1)


def _day(day: date | None) -> str:
    from portal.core import formats

    return formats.day(day) if day else ""


# --- the durable flow -----------------------------------------------------------------------------------
class SimActionRetry(jobs.JobRetry):
    pass


class SimActionFailed(jobs.JobFailed):
    def __init__(self, failure: str, detail: str) -> None:
        super().__init__(detail)
        self.failure = failure


class ActionPending(Exception):
    """A lost change is not in the SIM's details yet: look again later before sending anything."""


class SimActionFlow(ChargedOnOwnInvoice, jobs.JobFlow):
    model = SimAction
    noun, sweep_label, unit = "SIM action", "SIM action", "SIM action"
    settings_prefix = "SIM_ACTION"
    task = "portal.sim.tasks.process_sim_action"
    waiting = (Status.REQUESTED, Status.IN_PROGRESS)
    failed = Status.FAILED
    retryable = (Status.FAILED,)
    retry_to = Status.REQUESTED
    retry_error = SimActionRetry
    failure_error = SimActionFailed
    expected_errors = (ProviderUnavailable, ActionPending)
    steps = ("create_invoice", "capture_payment", "send_change", "cancel_billing", "note_salesforce", "confirm")

    def __init__(self, job: SimAction) -> None:
        super().__init__(job)
        self.waiting_to_show = False

    @classmethod
    def queryset(cls):
        return SimAction.objects.select_related("customer")

    @classmethod
    def retry_fields(cls, now) -> dict:
        return {"failure": ""}

    @classmethod
    def retry_filter(cls) -> Q:
        """Staff retry failed actions without a fee, or whose fee was charged (the change is made
        again); one refused before its charge is not charged again by staff: the customer asks again."""
        return Q(status=Status.FAILED) & (Q(fee__isnull=True) | Q(charged_at__isnull=False))

    def describe(self) -> str:
        return f"SIM action {self.job.request_id} ({self.job.kind})"

    @property
    def sims(self) -> FreebitSimClient:
        return FreebitSimClient(freebit_connection())

    # --- 1. the fee, on a WHMCS invoice of its own (portal.billing.own_invoices) ------------------------
    def invoice_amount(self) -> Decimal:
        return self.job.fee

    def payment_refused(self, reason: str) -> Exception:
        return SimActionFailed(Failure.PAYMENT_REFUSED, reason)

    def invoice_line(self) -> str:
        """What the customer reads on the invoice, in their language: the action and the phone number."""
        action = self.job
        with customer_language(action.customer.user):
            return _("%(action)s for %(phone)s") % {"action": action.get_kind_display(),
                                                    "phone": formats.phone(action.msisdn)}

    def create_invoice(self) -> None:
        action = self.job
        if action.kind in CHARGED_KINDS and not action.charged_at:
            self.send_create_invoice()

    def capture_payment(self) -> None:
        action = self.job
        if action.kind not in CHARGED_KINDS or action.charged_at is not None:
            return
        self.capture_invoice()
        action.charged_at = timezone.now()
        self.save("charged_at")
        logger.info("%s: fee charged on WHMCS invoice %s", self.describe(), action.whmcs_invoice_id)

    # --- 2. the Freebit change ----------------------------------------------------------------------------
    def send_change(self) -> None:
        action = self.job
        if action.accepted_at is not None or action.kind == Kind.SERVICE_CANCELLATION:  # WHMCS alone
            return
        if action.provider_requested_at is not None:  # sent before, its answer not recorded
            if action.kind in CONFIRMED_KINDS and self._shows(self.sims.get_details(action.msisdn)):
                logger.warning("%s: Freebit made the change (its answer was lost); adopted", self.describe())
                return self._accepted()
            wait = timedelta(seconds=settings.SIM_ACTION_RESEND_AFTER_SECONDS)
            if action.kind is not Kind.CANCELLATION and timezone.now() - action.provider_requested_at < wait:
                raise ActionPending(f"not in the SIM's details yet (sent at {action.provider_requested_at:%H:%M:%S})")
            if action.provider_requests >= settings.SIM_ACTION_MAX_SENDS:
                raise SimActionFailed(Failure.GAVE_UP, f"sent {action.provider_requests} time(s), never seen applied")
        elif (action.waiting_since is not None and action.kind in CONFIRMED_KINDS
              and self._shows(self.sims.get_details(action.msisdn))):
            # It waited on a lock that a change made elsewhere held, and that change was this one.
            logger.warning("%s: the SIM already shows it after the lock (made outside the portal); adopted",
                           self.describe())
            return self._accepted()
        action.provider_requested_at, action.provider_requests = timezone.now(), action.provider_requests + 1
        self.save("provider_requested_at", "provider_requests")
        try:
            self._send()
        except FreebitLineLocked as locked:
            if action.kind == Kind.NETWORK and action.provider_requests > 1:
                return self._accepted()  # our own earlier switch, whose answer was lost, locked the line
            action.provider_requested_at, action.provider_requests = None, action.provider_requests - 1  # not made
            self.save("provider_requested_at", "provider_requests")
            raise jobs.JobWait(f"Freebit: {locked}") from locked
        except (FreebitRateLimited, FreebitCircuitOpen):
            action.provider_requested_at = None  # never sent
            self.save("provider_requested_at")
            raise
        except FreebitApiError as refused:
            action.provider_requested_at = None
            self.save("provider_requested_at")
            raise SimActionFailed(Failure.REFUSED, f"Freebit refused it: {refused}") from refused
        # A timeout, a 5xx or an unreadable answer leaves provider_requested_at set: settled next time.
        self._accepted()

    def _send(self) -> None:
        action, sims = self.job, self.sims
        if action.kind == Kind.VOICE_OPTIONS:
            voice = {VoiceOption(name): on for name, on in action.params["voice"].items()}
            sims.change_voice_options(action.msisdn, voice)
        elif action.kind == Kind.NETWORK:
            sims.change_network(action.msisdn, action.params["network"])
        elif action.kind == Kind.ESIM_REISSUE:
            sims.reissue_esim(action.msisdn, eid=action.params["eid"], old_eid=action.params.get("old_eid"))
        else:
            sims.cancel_line(action.msisdn, run_date=action.end_date + timedelta(days=1))

    def _accepted(self) -> None:
        action = self.job
        action.accepted_at = timezone.now()
        if action.kind != Kind.CANCELLATION:
            action.status = Status.IN_PROGRESS
        self.save("accepted_at", "status")

    def _shows(self, details: SimDetails) -> bool:
        action = self.job
        if action.kind == Kind.VOICE_OPTIONS:
            return all(details.voice_option(name) is on for name, on in action.params["voice"].items())
        if action.kind == Kind.NETWORK:
            return details.network.value == action.params["network"]
        return details.eid == action.params["eid"]

    # --- 3. billing, 4. staff -----------------------------------------------------------------------------
    def cancel_billing(self) -> None:
        action = self.job
        if action.kind not in SimAction.CANCELLATIONS or action.billing_cancelled_at is not None:
            return
        try:
            made = WhmcsSubscriptionClient(whmcs_connection()).add_cancel_request(
                action.whmcs_service_id, reason=f"Cancelled in the portal: last day {action.end_date.isoformat()} "
                                                f"({self.marker})")
        except WhmcsAuthError:
            raise
        except WhmcsApiError as exc:
            raise SimActionFailed(Failure.GAVE_UP, f"WHMCS refused the cancellation request: {exc}") from exc
        if not made:
            logger.warning("%s: WHMCS has a cancellation request for service %s already; adopted", self.describe(),
                           action.whmcs_service_id)
        action.billing_cancelled_at = timezone.now()
        self.save("billing_cancelled_at")

    def note_salesforce(self) -> None:
        action = self.job
        if action.kind not in NOTED_KINDS or action.salesforce_noted_at is not None:
            return
        customer = action.customer
        if not customer.salesforce_account_id:
            return
        case_request = str(uuid.uuid5(uuid.UUID(str(action.request_id)), "salesforce-case"))
        cases = SalesforceCaseClient(salesforce_connection())
        if cases.find_case_by_request_id(case_request, customer.salesforce_account_id) is None:
            related = RelatedRecord(kind=RelatedKind.SIM, id=action.iccid) if action.iccid else RelatedRecord(
                kind=RelatedKind.SUBSCRIPTION, id=str(action.whmcs_service_id))
            if action.kind == Kind.SERVICE_CANCELLATION:
                subject = (f"Cancellation: {action.params.get('product', 'service')} (WHMCS service "
                           f"{action.whmcs_service_id}), last day {action.end_date.isoformat()}")
                text = (f"Booked in the portal. WHMCS service {action.whmcs_service_id}: cancellation request at the "
                        "end of its billing period. Arrange the line's end and any equipment's return.")
            elif action.kind == Kind.CANCELLATION:
                subject = f"Cancellation: SIM {action.msisdn}, last day {action.end_date.isoformat()}"
                text = (f"Booked in the portal. Freebit PA02-04 runDate {action.end_date + timedelta(days=1):%Y%m%d}; "
                        f"WHMCS service {action.whmcs_service_id}: cancellation request at the end of its billing "
                        "period.")
            else:
                subject = f"eSIM reissued: SIM {action.msisdn}"
                text = (f"New EID {action.params['eid']} (PA05-41 reissue); fee on WHMCS invoice "
                        f"{action.whmcs_invoice_id}. Send the customer the eSIM set-up.")
            cases.create_case(NewCase(
                account_id=customer.salesforce_account_id, request_id=case_request, request_type=RequestType.GENERAL,
                category=CaseCategory.SIM, subject=subject[:120], description=text,
                related=related,
                contact_name=customer.user.get_full_name()[:80], contact_email=customer.user.email))
        action.salesforce_noted_at = timezone.now()
        self.save("salesforce_noted_at")

    # --- 5. confirmation --------------------------------------------------------------------------------
    def confirm(self):
        action = self.job
        if action.kind not in CONFIRMED_KINDS or action.confirmed_at is not None:
            return None
        if self._shows(self.sims.get_details(action.msisdn)):
            action.confirmed_at = timezone.now()
            self.save("confirmed_at")
            return None
        timeout = timedelta(seconds=settings.SIM_ACTION_CONFIRM_TIMEOUT_SECONDS)
        if timezone.now() - action.accepted_at > timeout:
            raise SimActionFailed(Failure.NOT_CONFIRMED, f"not in the SIM's details {timeout} after it was accepted")
        self.waiting_to_show = True
        return jobs.DONE

    # --- outcomes -----------------------------------------------------------------------------------------
    def succeed(self) -> None:
        if self.waiting_to_show:  # in progress: the page and the sweep look again (no attempt used up)
            self.finish(None, last_error="", attempts=0)
            return
        self.finish(Status.DONE, last_error="")
        logger.info("%s done", self.describe())

    def fail(self, failure: jobs.JobFailed) -> None:
        reason = getattr(failure, "failure", Failure.GAVE_UP)
        self._fail(reason, str(failure))

    def give_up(self, error: str) -> None:
        self._fail(Failure.GAVE_UP, error)

    def _fail(self, reason: str, error: str) -> None:
        action = self.job
        if action.charged_at is None and action.whmcs_invoice_id:
            self._cancel(action.whmcs_invoice_id)  # never left for WHMCS's cron to charge
        self.finish(Status.FAILED, failure=reason, last_error=error[:jobs.MAX_ERROR_LENGTH])
        (logger.error if action.charged_at else logger.warning)(
            "%s failed (%s)%s: %s", self.describe(), reason,
            f" after its fee was charged on invoice {action.whmcs_invoice_id}" if action.charged_at else "", error)

    def after_attempt(self) -> None:
        invalidate_customer(self.job.customer.user_id)


__all__ = ["ActionAnswer", "ActionRules", "SimActionFlow", "action_message", "action_request", "action_rules",
           "action_withdraw", "cancellation_end_dates", "in_flight_action", "open_cancellation",
           "open_service_cancellation", "refresh_actions", "refuse_reissue_of_a_card", "service_cancellable",
           "service_cancellation_request",
           "service_cancellation_withdraw", "sim_actions", "start_due_cancellations", "withdraw_until"]
