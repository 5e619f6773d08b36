"""Plan changes: billed through WHMCS the way WHMCS bills them, then made by Freebit, exactly once.

The customer picks a plan their SIM can move to (same kind: data-only or voice) and when:

- **now**, only for a dearer plan: WHMCS's ``UpgradeProduct`` with ``calconly`` prices the change
  pro rata (the difference for the days left of the service's billing period); once the customer
  confirms, the change is made at once;
- **from the first of next month**, for any plan (a cheaper one always): the customer sees the new
  monthly price, the change is recorded as **scheduled** and made on that day; until then the
  customer can cancel it, and nothing has been asked of WHMCS or Freebit.

A plan change is a durable job (``portal.core.jobs``, docs/jobs.md) moving through
``PlanChange.Status``: SCHEDULED → (its day comes: ``start_due_plan_changes``) → REQUESTED →
BILLED → DONE, or FAILED / CANCELLED. Its steps, each safe to run twice:

0. **check_sim** (a change from next month, on its day): the SIM must still be able to change
   plan (not suspended since it was booked); otherwise the change fails before anything is billed.
1. **place_upgrade**: ``UpgradeProduct`` for real, exactly once. Before sending it the change
   records the client's newest WHMCS order id (``whmcs_order_floor``) and that it is about to send
   (``upgrade_requested_at``). When an earlier attempt sent it but recorded no answer (a lost
   answer, a killed worker), the client's upgrade orders for the service placed after the floor are
   looked up and the one found is adopted instead of sending again (WHMCS also refuses a second
   upgrade while the first one's invoice is unpaid). Any other Pending upgrade order found is cancelled.
2. **mark_invoice**: the upgrade invoice (there is one when there is something to pay) gets the
   change's marker in its notes (``portal-request:<request id>``), so support and the portal can
   tell whose it is.
3. **capture_payment**: the invoice is read back: a paid one is adopted (a capture whose answer was
   lost), else ``capture_requested_at`` is recorded and CapturePayment charges the card on file. A
   refused card cancels the upgrade order and its invoice: WHMCS and Freebit keep the old plan.
4. **confirm_billing**: WHMCS is read back until the service is on the new product (it moves when
   the invoice is paid, or at once when there is nothing to pay): status BILLED.
5. **change_sim**: Freebit changes the plan now. A change already made (a lost answer) is
   recognised from the SIM's details and adopted.

The SIM is never changed before WHMCS bills the new plan, and nothing is charged for a change the
SIM then refuses without support being told (an error in the log, the row FAILED after billing,
retried by staff). The first attempt of a change made now runs in the customer's request; a
transient failure is retried by the Celery task with backoff (``SIM_PLAN_CHANGE_*``), and the
sweep resumes what a broker outage or a killed process left.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from domain.billing.markers import request_marker
from domain.billing.types import InvoiceStatus
from domain.catalog.types import Product
from domain.shared import clock
from domain.shared.calendar import next_month_start
from domain.shared.money import Money
from domain.sim.plans import can_move_to, plan_kind, sim_kind
from integrations.freebit.errors import (
    FreebitError,
    FreebitLineLocked,
    FreebitPlanChangeRefused,
    FreebitSimSuspended,
)
from integrations.freebit.sims import FreebitSimClient
from integrations.whmcs.charges import WhmcsChargeClient
from integrations.whmcs.errors import WhmcsApiError, WhmcsAuthError, WhmcsError
from integrations.whmcs.subscriptions import WhmcsSubscriptionClient
from integrations.whmcs.upgrades import WhmcsUpgradeClient
from portal.accounts.models import Customer
from portal.billing import selectors as billing
from portal.catalog import selectors as catalog
from portal.core import formats, jobs
from portal.core.cache import invalidate_customer
from portal.core.connections import freebit_connection, whmcs_connection
from portal.core.errors import ProviderUnavailable, Refused
from portal.core.reads import ProviderReads
from portal.sim import selectors
from portal.sim.actions import refuse_while_network_switches
from portal.sim.models import PlanChange
from portal.sim.selectors import SimLink

logger = logging.getLogger(__name__)
Status = PlanChange.Status
Failure = PlanChange.Failure
WHMCS = ProviderReads("billing", "WHMCS", (WhmcsError,), logger)


# --- what the customer may choose ---------------------------------------------------------------------


def sim_plans(*, data_only: bool, current_plan_code: str) -> tuple[Product, ...]:
    """The catalog's plans this SIM can move to: its own kind (data-only or voice), not its current
    plan, billed by a WHMCS product."""
    return tuple(product for product in catalog.catalog().value.products
                 if product.is_sim and product.whmcs_product_id and plan_kind(product.sku) is not None
                 and can_move_to(data_only=data_only, current_plan_code=current_plan_code, plan_code=product.sku))


def _target_plan(*, data_only: bool, current_plan_code: str, plan_code: str) -> Product:
    """The catalog plan ``plan_code`` if this SIM can move to it; else Refused saying why."""
    offered = {plan.sku: plan for plan in sim_plans(data_only=data_only, current_plan_code=current_plan_code)}
    if plan_code in offered:
        return offered[plan_code]
    kind = plan_kind(plan_code)
    if plan_code == current_plan_code:
        raise Refused(_("This SIM is already on that plan."))
    if kind is not None and kind is not sim_kind(data_only=data_only):
        if data_only:
            raise Refused(_("%(plan)s is a voice plan and this is a data-only SIM: data-only and voice "
                            "SIMs cannot switch between each other.") % {"plan": plan_code})
        raise Refused(_("%(plan)s is a data-only plan and this is a voice SIM: data-only and voice SIMs "
                        "cannot switch between each other.") % {"plan": plan_code})
    raise Refused(_("Please choose one of the plans offered."))


# --- the price, before confirming ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlanChangeQuote:
    """What a change costs, as WHMCS will bill it: the pro rata charge now (a change made now), the
    monthly price before and after."""

    iccid: str
    service_id: int
    current_plan_code: str
    current_plan_name: str
    plan: Product
    immediate: bool
    effective_date: date
    charge_now: Money | None
    """WHMCS's pro rata price of the change today (``calconly``); None for a change from next month."""
    current_monthly: Money
    new_monthly: Money
    next_due_date: date | None
    billing_cycle: str
    payment_method: str
    from_product_id: int

    @property
    def is_upgrade(self) -> bool:
        return self.new_monthly.amount > self.current_monthly.amount


def plan_change_quote(*, customer: Customer, sim: SimLink, plan_code: str, immediate: bool) -> PlanChangeQuote:
    """The price of changing the customer's SIM (``sim``, from ``owned_sim``) to ``plan_code`` now or
    from next month. Asks WHMCS (``UpgradeProduct`` with ``calconly``, and the new plan's price) and
    changes nothing. Raises ``Refused`` for what the customer cannot do."""
    details = selectors.sim_details(customer, sim).value
    if not details.can_change_plan:
        raise Refused(_("This SIM's plan cannot be changed right now. Please contact support."))
    plan = _target_plan(data_only=details.data_only, current_plan_code=details.plan_code, plan_code=plan_code)
    service = _service(customer, sim.service_id)
    upgrades = WhmcsUpgradeClient(whmcs_connection())
    currencies = tuple(billing.currencies().values())
    cycle = _whmcs_cycle(service.billing_cycle)
    calc = _whmcs(lambda: upgrades.quote(sim.service_id, plan.whmcs_product_id, billing_cycle=cycle,
                                         payment_method=service.payment_method, currencies=currencies),
                  refused=_("That plan is not available for this SIM right now. Please contact support."))
    if calc.upgrade_in_progress:
        raise Refused(_("An earlier change of this SIM's plan is still waiting for its payment. "
                        "Please contact support."))
    currency = service.recurring_amount.currency
    price = _whmcs(lambda: upgrades.product_price(plan.whmcs_product_id, currency_code=currency, billing_cycle=cycle),
                   refused=None)
    if price is None:
        logger.error("WHMCS product %s has no %s price in %s", plan.whmcs_product_id, cycle,
                     service.recurring_amount.currency)
        raise Refused(_("That plan is not available for this SIM right now. Please contact support."))
    quote = PlanChangeQuote(
        iccid=sim.iccid, service_id=sim.service_id, current_plan_code=details.plan_code,
        current_plan_name=details.plan_name, plan=plan, immediate=immediate,
        effective_date=clock.today() if immediate else next_month_start(clock.today()),
        charge_now=calc.price if immediate else None, current_monthly=service.recurring_amount,
        new_monthly=price.price, next_due_date=service.next_due_date, billing_cycle=cycle,
        payment_method=service.payment_method, from_product_id=service.product_id,
    )
    if immediate and not calc.is_charged:
        raise Refused(_("A cheaper plan starts on the first of next month: choose \"From the first of "
                        "next month\" (this month is not refunded)."))
    return quote


# --- confirming, cancelling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanChangeAnswer:
    """What a confirmation did: the change, and whether this request recorded it."""

    change: PlanChange
    created: bool

    @property
    def in_flight(self) -> bool:
        return self.change.status in (Status.REQUESTED, Status.BILLED)


def plan_change_request(*, customer: Customer, sim: SimLink, plan_code: str, immediate: bool,
                        request_id: str) -> PlanChangeAnswer:
    """Record the confirmed change once per ``request_id``: a change made now makes its first
    attempt in this request; one from next month is scheduled. A repeat answers the same change."""
    existing = PlanChange.objects.filter(request_id=request_id).first()
    if existing is not None:
        return _repeat(existing, customer)
    _refuse_if_one_is_open(sim.iccid)
    refuse_while_network_switches(sim.iccid)
    quote = plan_change_quote(customer=customer, sim=sim, plan_code=plan_code, immediate=immediate)
    if quote.is_upgrade and not billing.payment_methods(customer).value:
        raise Refused(_("Please add a payment method first: Billing, then Payment methods."))
    change = PlanChange(
        request_id=request_id, customer=customer, iccid=quote.iccid, whmcs_service_id=quote.service_id,
        from_plan_code=quote.current_plan_code, from_plan_name=quote.current_plan_name,
        to_plan_code=quote.plan.sku, to_plan_name=quote.plan.name, from_product_id=quote.from_product_id,
        to_product_id=quote.plan.whmcs_product_id, billing_cycle=quote.billing_cycle,
        payment_method=quote.payment_method, immediate=immediate, effective_date=quote.effective_date,
        currency=quote.new_monthly.currency, quoted_charge=quote.charge_now.amount if quote.charge_now else None,
        old_monthly=quote.current_monthly.amount, new_monthly=quote.new_monthly.amount,
        status=Status.REQUESTED if immediate else Status.SCHEDULED,
    )
    if immediate:
        PlanChangeFlow.claim_new(change)
    try:
        with transaction.atomic():
            change.save(force_insert=True)
    except IntegrityError:
        again = PlanChange.objects.filter(request_id=request_id).first()
        if again is not None:  # the same confirmation recorded a moment ago by a parallel request
            return _repeat(again, customer)
        _refuse_if_one_is_open(quote.iccid)  # another change of the SIM was recorded meanwhile
        raise
    invalidate_customer(customer.user_id)
    if immediate:
        PlanChangeFlow.run_inline(change)
        change.refresh_from_db()
    else:
        logger.info("plan change %s of SIM %s to %s scheduled for %s", change.request_id, change.iccid,
                    change.to_plan_code, change.effective_date)
    return PlanChangeAnswer(change, created=True)


def _repeat(change: PlanChange, customer: Customer) -> PlanChangeAnswer:
    if change.customer_id != customer.pk:
        raise Refused(_("This form is no longer valid; please reload the page."))
    if change.status in (Status.REQUESTED, Status.BILLED):
        claimed = PlanChangeFlow.claim(change.pk)
        if claimed is not None:
            PlanChangeFlow.run_inline(claimed)
    change.refresh_from_db()
    return PlanChangeAnswer(change, created=False)


class PlanChangeNotFound(Refused):
    """No plan change of the SIM answers the cancellation."""


def plan_change_cancel(*, customer: Customer, sim: SimLink, request_id: str | None = None) -> PlanChange:
    """Cancel the change of the customer's SIM (``sim``, from ``owned_sim``) that has not taken effect
    (scheduled): the one confirmed with ``request_id``, or the SIM's waiting change when none is given.
    Raises PlanChangeNotFound when there is no such change, Refused when it is already being made or
    done."""
    changes = PlanChange.objects.filter(customer=customer, iccid=sim.iccid)
    if request_id is not None:
        change = changes.filter(request_id=request_id).first()
        if change is None:
            raise PlanChangeNotFound(_("This plan change cannot be found: it may have been cancelled already."))
    else:
        change = changes.filter(status__in=PlanChange.OPEN).first()
        if change is None:
            raise PlanChangeNotFound(_("This SIM has no plan change waiting to be made."))
    cancelled = PlanChange.objects.filter(pk=change.pk, status=Status.SCHEDULED).update(
        status=Status.CANCELLED, cancelled_at=timezone.now(), updated_at=timezone.now())
    change.refresh_from_db()
    if not cancelled:
        if change.status == Status.CANCELLED:
            return change
        raise Refused(_("This plan change has already taken effect or is being made; it can no longer be "
                        "cancelled."))
    invalidate_customer(customer.user_id)
    logger.info("plan change %s of SIM %s cancelled by the customer", change.request_id, change.iccid)
    return change


def open_plan_change(customer: Customer, iccid: str) -> PlanChange | None:
    """The SIM's change that has not finished (scheduled, or being made), if any."""
    return PlanChange.objects.filter(customer=customer, iccid=iccid, status__in=PlanChange.OPEN).first()


def plan_change_history(customer: Customer, iccid: str, *, limit: int = 10) -> list[PlanChange]:
    return list(PlanChange.objects.filter(customer=customer, iccid=iccid)[:limit])


def _refuse_if_one_is_open(iccid: str) -> None:
    current = PlanChange.objects.filter(iccid=iccid, status__in=PlanChange.OPEN).first()
    if current is None:
        return
    if current.status == Status.SCHEDULED:
        raise Refused(_("This SIM already has a change to %(plan)s booked for %(date)s. Cancel it first to "
                        "choose another plan.") % {"plan": current.to_plan_name,
                                                    "date": formats.day(current.effective_date)})
    raise Refused(_("This SIM's plan is being changed to %(plan)s right now. Please wait a few minutes.")
                  % {"plan": current.to_plan_name})


def plan_change_message(change: PlanChange) -> tuple[str, str]:
    """What the customer is told about a change they confirmed: a message level and the words."""
    if change.status == Status.SCHEDULED:
        return "success", _("Your plan changes to %(plan)s on %(date)s. You can cancel this until then.") % {
            "plan": change.to_plan_name, "date": formats.day(change.effective_date)}
    if change.status == Status.DONE:
        if change.whmcs_invoice_id:
            return "success", _("Your plan is now %(plan)s. The difference is on an invoice of its own, already "
                                "paid, in Billing.") % {"plan": change.to_plan_name}
        return "success", _("Your plan is now %(plan)s.") % {"plan": change.to_plan_name}
    if change.status == Status.BILLED and change.waiting_since is not None:  # Freebit's line lock (JobWait)
        return "warning", _("Your SIM's network is being switched, which takes about 30 minutes; your plan changes to "
                            "%(plan)s once that is done. You don't need to do anything.") % {
            "plan": change.to_plan_name}
    if change.status == Status.BILLED:
        return "warning", _("Your payment went through; your SIM changes to %(plan)s within a few minutes. You don't "
                            "need to do anything.") % {"plan": change.to_plan_name}
    if change.status == Status.REQUESTED:
        return "warning", _("We could not confirm the change with billing just now. We are checking and will change "
                            "your plan once it is confirmed; you will not be charged twice.")
    if change.status == Status.CANCELLED:
        return "info", _("The change to %(plan)s was cancelled.") % {"plan": change.to_plan_name}
    if change.failure == Failure.PAYMENT_REFUSED:
        return "error", _("Your payment could not be taken, so nothing was charged and your plan did not change. "
                          "Please check your payment method and try again.")
    if change.billed_at is None:
        return "error", _("Your plan could not be changed and nothing was charged. Please try again later or contact "
                          "support.")
    return "error", _("Your plan change could not be completed. Your payment is safe: support has been told and will "
                      "finish the change or refund you.")


# --- scheduled changes whose day has come ---------------------------------------------------------


def start_due_plan_changes() -> int:
    """Periodic: scheduled changes whose effective date has come (business calendar) are started."""
    due = list(PlanChange.objects.filter(status=Status.SCHEDULED, effective_date__lte=clock.today())
               .values_list("pk", flat=True)[:jobs.SWEEP_BATCH])
    started = 0
    for pk in due:
        if PlanChange.objects.filter(pk=pk, status=Status.SCHEDULED).update(status=Status.REQUESTED,
                                                                           updated_at=timezone.now()):
            PlanChangeFlow.send(pk)
            started += 1
    if started:
        logger.info("started %d scheduled plan change(s)", started)
    return started


def plan_change_process(*, change_id: int) -> None:
    """Move a change as far as it can go now (when nobody else holds it). Safe to call any number of
    times, from anywhere; a transient failure queues the next attempt."""
    claimed = PlanChangeFlow.claim(change_id)
    if claimed is not None:
        PlanChangeFlow.run_inline(claimed)


# --- the durable flow -------------------------------------------------------------------------------------


class PlanChangeRetry(jobs.JobRetry):
    """A plan change attempt failed transiently; its task retries it with backoff."""


class PlanChangeFailed(jobs.JobFailed):
    """The change cannot go on: ``failure`` says why (a ``PlanChange.Failure``)."""

    def __init__(self, message: str, failure: str) -> None:
        super().__init__(message)
        self.failure = failure


class WhmcsNotMovedYet(Exception):
    """WHMCS does not bill the new product yet (the invoice's payment is not through): try later."""


class PlanChangeFlow(jobs.JobFlow):
    """One attempt at one plan change (the steps: see the module docstring)."""

    model = PlanChange
    noun, sweep_label, unit = "plan change", "plan change", "plan change"
    settings_prefix = "SIM_PLAN_CHANGE"
    task = "portal.sim.tasks.process_plan_change"
    waiting = (Status.REQUESTED, Status.BILLED)
    failed = Status.FAILED
    retry_to = Status.BILLED
    retry_error = PlanChangeRetry
    failure_error = PlanChangeFailed
    expected_errors = (ProviderUnavailable, WhmcsNotMovedYet)
    steps = ("check_sim", "place_upgrade", "mark_invoice", "capture_payment", "confirm_billing", "change_sim")

    @classmethod
    def queryset(cls):
        return PlanChange.objects.select_related("customer")

    @classmethod
    def retry_filter(cls) -> Q:
        """Staff retry only changes WHMCS already bills: the SIM is asked again. One that failed
        before billing is not billed again by staff: the customer asks again."""
        return Q(status=Status.FAILED, billed_at__isnull=False)

    def describe(self) -> str:
        return f"plan change {self.job.request_id}"

    # --- the steps ------------------------------------------------------------------------------
    def check_sim(self) -> None:
        """A change booked weeks ago: the SIM may have been suspended since. Nothing is billed for a
        change the SIM cannot take (a change made now was checked in the customer's request)."""
        change = self.job
        if change.status != Status.REQUESTED or change.immediate or change.upgrade_requested_at is not None:
            return
        msisdn = selectors.owned_sim(change.customer, change.iccid).msisdn
        details = FreebitSimClient(freebit_connection()).get_details(msisdn)
        if details.plan_code == change.to_plan_code:
            return  # changed already (by support, or an earlier attempt): WHMCS is brought in line
        if not details.can_change_plan:
            raise PlanChangeFailed(f"SIM is {details.status}: the change was not made, nothing was billed",
                                   Failure.SIM_REFUSED)

    def place_upgrade(self) -> None:
        change = self.job
        if change.status != Status.REQUESTED or change.whmcs_order_id is not None:
            return
        if change.upgrade_requested_at is not None and self._adopt_upgrade():  # sent before, answer not recorded
            return
        if change.whmcs_order_floor is None:
            change.whmcs_order_floor = self.upgrades.newest_order_id(self.client_id)
        change.upgrade_requested_at, change.upgrade_requests = timezone.now(), change.upgrade_requests + 1
        self.save("whmcs_order_floor", "upgrade_requested_at", "upgrade_requests")
        try:
            placed = self.upgrades.upgrade(change.whmcs_service_id, change.to_product_id,
                                           billing_cycle=change.billing_cycle, payment_method=change.payment_method,
                                           currencies=self.currencies)
        except WhmcsAuthError:
            raise
        except WhmcsApiError as exc:  # refused; it may be our own earlier upgrade ("still unpaid")
            if self._adopt_upgrade(quietly=True) or self._already_billed():
                return
            raise PlanChangeFailed(f"billing refused the change: {exc.reason}", Failure.BILLING_REFUSED) from exc
        except WhmcsError as lost:  # the outcome is unknown: it may exist; look now, and again next time
            if not self._adopt_upgrade(quietly=True):
                raise lost from None
            return
        change.whmcs_order_id, change.whmcs_invoice_id = placed.order_id, placed.invoice_id
        change.charged_amount = placed.price.amount if placed.invoice_id else None
        self.save("whmcs_order_id", "whmcs_invoice_id", "charged_amount")
        logger.info("plan change %s: WHMCS upgrade order %s (invoice %s, %s)", change.request_id,
                    placed.order_id, placed.invoice_id, placed.price.amount)

    def mark_invoice(self) -> None:
        change = self.job
        if change.status != Status.REQUESTED or change.whmcs_invoice_id is None or change.invoice_marked:
            return
        self.upgrades.mark_invoice(change.whmcs_invoice_id, self.marker)
        change.invoice_marked = True
        self.save("invoice_marked")

    def capture_payment(self) -> None:
        change = self.job
        if change.status != Status.REQUESTED or change.whmcs_invoice_id is None or change.charged_at is not None:
            return
        try:
            invoice = self.charges.get_invoice(change.whmcs_invoice_id, default_currency=billing.default_currency())
            if invoice.status is InvoiceStatus.CANCELLED:
                raise PlanChangeFailed(f"payment failed: invoice {invoice.id} was cancelled", Failure.PAYMENT_REFUSED)
            if invoice.status is not InvoiceStatus.PAID:  # a paid one: a capture whose answer was lost
                change.capture_requested_at = timezone.now()
                self.save("capture_requested_at")
                self.charges.capture(change.whmcs_invoice_id)
        except WhmcsAuthError:
            raise
        except WhmcsApiError as exc:  # WHMCS refused (e.g. the card was declined): nothing was taken
            raise PlanChangeFailed(f"payment failed: {exc.reason}", Failure.PAYMENT_REFUSED) from exc
        change.charged_at = timezone.now()
        change.charged_amount = invoice.total.amount
        self.save("charged_at", "charged_amount")
        logger.info("plan change %s charged on WHMCS invoice %s", change.request_id, change.whmcs_invoice_id)

    def confirm_billing(self) -> None:
        change = self.job
        if change.status != Status.REQUESTED:
            return
        if not self._already_billed():
            raise WhmcsNotMovedYet(f"WHMCS service {change.whmcs_service_id} is not on product "
                                   f"{change.to_product_id} yet")
        change.status, change.billed_at = Status.BILLED, timezone.now()
        self.save("status", "billed_at")

    def change_sim(self) -> None:
        change = self.job
        if change.status != Status.BILLED:
            return
        sims = FreebitSimClient(freebit_connection())
        msisdn = selectors.owned_sim(change.customer, change.iccid).msisdn  # Freebit names the SIM by its number
        try:
            sims.change_plan(msisdn, change.to_plan_code)
        except FreebitLineLocked as locked:  # a 4G/5G switch in progress: ask again once it is done
            raise jobs.JobWait(f"SIM: {locked}") from locked
        except FreebitSimSuspended as exc:
            raise PlanChangeFailed(f"SIM: {exc}", Failure.SIM_REFUSED) from exc
        except FreebitPlanChangeRefused as exc:  # e.g. already on the plan: a change whose answer was lost
            if sims.get_details(msisdn).plan_code != change.to_plan_code:
                raise PlanChangeFailed(f"SIM: {exc}", Failure.SIM_REFUSED) from exc
            logger.warning("plan change %s: the SIM is already on %s (an earlier answer was lost); adopted",
                           change.request_id, change.to_plan_code)
        except FreebitError:
            # A lost answer may hide a change made: the next attempt sends it again and adopts it.
            raise
        change.sim_changed_at = timezone.now()
        self.save("sim_changed_at")

    # --- outcomes -------------------------------------------------------------------------------
    def succeed(self) -> None:
        self.finish(Status.DONE, last_error="")
        logger.info("plan change %s done: SIM %s is on %s in WHMCS and Freebit", self.job.request_id,
                    self.job.iccid, self.job.to_plan_code)

    def fail(self, failure: jobs.JobFailed) -> None:
        code = getattr(failure, "failure", Failure.GAVE_UP)
        self._fail(str(failure), code)

    def give_up(self, error: str) -> None:
        self._fail(error, Failure.GAVE_UP)

    def _fail(self, error: str, code: str) -> None:
        change = self.job
        billed = change.billed_at is not None
        if not billed and change.charged_at is None:
            self._cancel_unpaid_upgrades()
        self.finish(Status.FAILED, last_error=error[:jobs.MAX_ERROR_LENGTH], failure=code)
        if billed or change.charged_at is not None:
            logger.error("plan change %s failed after WHMCS billed it (invoice %s): %s", change.request_id,
                         change.whmcs_invoice_id, error)
        else:
            logger.warning("plan change %s failed before any charge: %s", change.request_id, error)

    def after_attempt(self) -> None:
        invalidate_customer(self.job.customer.user_id)

    # --- WHMCS: adopt, check, cancel ----------------------------------------------------------------
    @property
    def upgrades(self) -> WhmcsUpgradeClient:
        return WhmcsUpgradeClient(whmcs_connection())

    @property
    def charges(self) -> WhmcsChargeClient:
        return WhmcsChargeClient(whmcs_connection())

    @property
    def currencies(self):
        return tuple(billing.currencies().values())

    @property
    def client_id(self) -> int:
        return self.job.customer.whmcs_client_id

    @property
    def marker(self) -> str:
        return request_marker(str(self.job.request_id))

    def _upgrade_orders(self):
        change = self.job
        return [order for order in self.upgrades.find_upgrade_orders(
            self.client_id, change.whmcs_service_id, after_order_id=change.whmcs_order_floor or 0)
            if not order.is_cancelled]

    def _adopt_upgrade(self, *, quietly: bool = False) -> bool:
        """Adopt the upgrade order an earlier UpgradeProduct placed (the oldest after the floor) and
        cancel any later Pending one. Whether one was found. ``quietly``: a failing search counts as
        nothing found (the caller raises its own error)."""
        change = self.job
        if change.whmcs_order_floor is None:
            return False
        try:
            found = self._upgrade_orders()
        except (WhmcsError, ProviderUnavailable):
            if quietly:
                return False
            raise
        if not found:
            logger.info("plan change %s: no upgrade order after %s: UpgradeProduct is sent (again)",
                        change.request_id, change.whmcs_order_floor)
            return False
        keep = found[-1]  # newest first: the oldest is the first one sent
        change.whmcs_order_id, change.whmcs_invoice_id = keep.id, keep.invoice_id
        self.save("whmcs_order_id", "whmcs_invoice_id")
        logger.warning("plan change %s: WHMCS upgrade order %s was placed by an earlier attempt (its answer was "
                       "lost); adopted, not placed again", change.request_id, keep.id)
        for orphan in found[:-1]:
            if orphan.status == "Pending":
                self._cancel_order(orphan.id)
        return True

    def _already_billed(self) -> bool:
        change = self.job
        service = WhmcsSubscriptionClient(whmcs_connection()).get_subscription(
            self.client_id, change.whmcs_service_id, default_currency=billing.default_currency())
        if service is None:
            raise PlanChangeFailed(f"WHMCS service {change.whmcs_service_id} is gone", Failure.BILLING_REFUSED)
        return service.product_id == change.to_product_id

    def _cancel_unpaid_upgrades(self) -> None:
        """The change is given up before any charge: its upgrade orders must not stay Pending with an
        Unpaid invoice (WHMCS's cron would charge it, and the upgrade would take effect). Best effort."""
        change = self.job
        if change.upgrade_requested_at is None and change.whmcs_order_id is None:
            return
        try:
            pending = {order.id for order in self._upgrade_orders() if order.status == "Pending"} \
                if change.whmcs_order_floor is not None else set()
        except (WhmcsError, ProviderUnavailable) as exc:
            logger.error("plan change %s: could not look for its upgrade orders to cancel (order %s): %s",
                         change.request_id, change.whmcs_order_id, exc)
            pending = set()
        if change.whmcs_order_id is not None:
            pending.add(change.whmcs_order_id)
        for order_id in pending:
            self._cancel_order(order_id)

    def _cancel_order(self, order_id: int) -> None:
        try:
            self.upgrades.cancel_order(order_id)
        except WhmcsApiError as exc:  # not Pending any more (paid, or cancelled already)
            logger.info("plan change %s: WHMCS order %s not cancelled: %s", self.job.request_id, order_id, exc)
        except WhmcsError as exc:
            logger.error("plan change %s: could not cancel WHMCS upgrade order %s: %s", self.job.request_id,
                         order_id, exc)
        else:
            logger.warning("plan change %s: cancelled WHMCS upgrade order %s and its unpaid invoice",
                           self.job.request_id, order_id)


# --- helpers ---------------------------------------------------------------------------------------------


def _service(customer: Customer, service_id: int):
    currency = billing.default_currency()
    found = WHMCS.guard(lambda: WhmcsSubscriptionClient(whmcs_connection()).get_subscription(
        customer.whmcs_client_id, service_id, default_currency=currency))
    if found is None:
        raise Refused(_("This SIM's plan cannot be changed right now. Please contact support."))
    return found


_WHMCS_CYCLES = {"Monthly": "monthly", "Quarterly": "quarterly", "Semi-Annually": "semiannually",
                 "Annually": "annually", "Biennially": "biennially", "Triennially": "triennially"}


def _whmcs_cycle(cycle) -> str:
    name = _WHMCS_CYCLES.get(str(cycle))
    if name is None:
        raise Refused(_("This SIM's plan cannot be changed right now. Please contact support."))
    return name


def _whmcs(call, *, refused: str | None):
    """A WHMCS call for a quote: a refusal becomes ``Refused(refused)`` (logged), a failure
    ``ProviderUnavailable`` (the friendly 503)."""
    try:
        return call()
    except WhmcsAuthError as exc:
        logger.error("WHMCS refused the portal's credentials: %s", exc)
        raise ProviderUnavailable("billing") from exc
    except WhmcsApiError as exc:
        logger.warning("WHMCS refused a plan change quote: %s", exc)
        if refused is None:
            raise ProviderUnavailable("billing") from exc
        raise Refused(refused) from exc
    except WhmcsError as exc:
        logger.error("WHMCS failed on a plan change quote: %s", exc)
        raise ProviderUnavailable("billing") from exc
