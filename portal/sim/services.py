"""SIM actions: data top-ups (charge first, then quota) and plan changes.

A top-up moves through ``TopUp.Status``: REQUESTED → (WHMCS invoice created and captured) →
CHARGED → (Freebit adds the quota) → APPLIED. Each step is recorded as soon as it happens, outside
any request transaction, so a crash or a provider failure resumes from the last recorded step:

- the invoice id is saved right after CreateInvoice, and before capturing again the invoice is
  read back: an invoice already paid is never captured twice;
- Freebit's top-up carries the request id, so repeating it never adds the quota twice;
- a failure after the charge keeps the top-up CHARGED and it is retried (Celery, then the
  periodic sweep) until the quota is added or the attempts run out (then FAILED, for support).
"""
import logging
import math
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from domain.billing.types import InvoiceStatus
from domain.catalog.types import Product
from domain.shared import clock
from domain.sim.commands import InvalidSimCommand, require_top_up_mb
from domain.sim.types import DataQuota, PlanChange
from integrations.freebit.errors import FreebitError, FreebitPlanChangeRefused, FreebitSimSuspended
from integrations.freebit.sims import FreebitSimService
from integrations.whmcs.charges import WhmcsChargeService
from integrations.whmcs.errors import WhmcsApiError, WhmcsError
from portal.accounts.models import Customer
from portal.billing import selectors as billing
from portal.catalog import selectors as catalog
from portal.core.cache import invalidate_customer
from portal.core.errors import ProviderUnavailable
from portal.core.providers import freebit_connection, whmcs_connection
from portal.sim import selectors
from portal.sim.models import TopUp

logger = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
SIM_PLAN_SKU_PREFIXES = ("MOB-DATA-", "MOB-VOICE-")


class SimActionRefused(Exception):
    """The customer cannot do this; ``message`` says why, in words for them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class TopUpQuote:
    quota: DataQuota
    amount: Decimal  # before tax
    currency: str


def topup_quote(quota_mb: int) -> TopUpQuote:
    """The price of ``quota_mb``: ``SIM_TOPUP_PRICE_PER_GB`` pro rata, rounded up to whole units."""
    try:
        quota_mb = require_top_up_mb(quota_mb)
    except InvalidSimCommand as exc:
        raise SimActionRefused(str(exc)) from None
    if not settings.SIM_TOPUP_MIN_MB <= quota_mb <= settings.SIM_TOPUP_MAX_MB:
        raise SimActionRefused(f"Choose from {settings.SIM_TOPUP_MIN_MB} MB to {settings.SIM_TOPUP_MAX_MB // 1024} GB.")
    currency = billing.default_currency()
    raw = settings.SIM_TOPUP_PRICE_PER_GB * Decimal(quota_mb) / Decimal(1024)
    amount = Decimal(math.ceil(raw)) if currency.code == "JPY" else raw.quantize(Decimal("0.01"))
    return TopUpQuote(quota=DataQuota.from_mb(quota_mb), amount=amount, currency=currency.code)


def topup_request(*, customer: Customer, iccid: str, quota_mb: int, request_id: str) -> TopUp:
    """Charge and add a top-up once per ``request_id``; the recorded ``TopUp`` (any status)."""
    existing = TopUp.objects.filter(request_id=request_id).first()
    if existing is not None:
        if existing.customer_id != customer.pk:
            raise SimActionRefused("This form is no longer valid; please reload the page.")
        topup_process(topup_id=existing.pk)
        existing.refresh_from_db()
        return existing
    link = selectors.owned_sim(customer, iccid)
    details = selectors.sim_details(customer, link.iccid).value
    if not details.can_top_up:
        raise SimActionRefused("This SIM is not active, so data cannot be added to it. Please contact support.")
    quote = topup_quote(quota_mb)
    if not billing.payment_methods(customer).value:
        raise SimActionRefused("Please add a payment method first: pay any invoice online to save one.")
    topup, _ = TopUp.objects.get_or_create(request_id=request_id, defaults={
        "customer": customer, "iccid": link.iccid, "quota_mb": quote.quota.mb, "amount": quote.amount,
        "currency": quote.currency,
    })
    topup_process(topup_id=topup.pk)
    topup.refresh_from_db()
    return topup


def topup_process(*, topup_id: int) -> None:
    """Move a top-up as far as it can go now. Safe to call any number of times, from anywhere."""
    if not _claim(topup_id):
        return
    topup = TopUp.objects.select_related("customer").get(pk=topup_id)
    try:
        if topup.status == TopUp.Status.REQUESTED:
            _charge(topup)
        if topup.status == TopUp.Status.CHARGED:
            _apply(topup)
    finally:
        TopUp.objects.filter(pk=topup_id).update(lease_until=None)
        invalidate_customer(topup.customer.user_id)
    if topup.status in (TopUp.Status.REQUESTED, TopUp.Status.CHARGED) and not settings.CELERY_TASK_ALWAYS_EAGER:
        from portal.sim.tasks import process_topup

        process_topup.apply_async(args=[topup_id], countdown=min(30 * 2 ** topup.attempts, 3600))


def topups_to_resume() -> list[int]:
    """Top-ups left half-way (a crash, a provider outage): what the periodic sweep resumes."""
    stale = timezone.now() - timedelta(minutes=1)
    return list(TopUp.objects.filter(
        status__in=[TopUp.Status.REQUESTED, TopUp.Status.CHARGED], updated_at__lt=stale,
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=timezone.now())).values_list("pk", flat=True)[:100])


def _claim(topup_id: int) -> bool:
    now = timezone.now()
    return TopUp.objects.filter(
        pk=topup_id, status__in=[TopUp.Status.REQUESTED, TopUp.Status.CHARGED],
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(lease_until=now + LEASE) == 1


def _charge(topup: TopUp) -> None:
    charges = WhmcsChargeService(whmcs_connection())
    client_id = topup.customer.whmcs_client_id
    try:
        if topup.whmcs_invoice_id is None:
            topup.whmcs_invoice_id = charges.create_invoice(
                client_id, amount=topup.amount, due_date=clock.today().isoformat(),
                description=f"Data top-up {DataQuota.from_mb(topup.quota_mb).format()} for SIM {topup.iccid}",
            )
            _save(topup, "whmcs_invoice_id")
        invoice = charges.get_invoice(topup.whmcs_invoice_id, default_currency=billing.default_currency())
        if invoice.status is not InvoiceStatus.PAID:
            charges.capture(topup.whmcs_invoice_id)
    except WhmcsApiError as exc:  # WHMCS refused (e.g. the card was declined): nothing was taken
        _cancel_unpaid_invoice(charges, topup)
        _fail(topup, f"payment failed: {exc.reason}")
        return
    except WhmcsError as exc:  # outcome unknown (timeout, outage): look again on the next attempt
        _note_attempt(topup, f"charge: {exc}")
        return
    topup.status = TopUp.Status.CHARGED
    _save(topup, "status")
    logger.info("top-up %s charged on WHMCS invoice %s", topup.request_id, topup.whmcs_invoice_id)


def _cancel_unpaid_invoice(charges: WhmcsChargeService, topup: TopUp) -> None:
    """The top-up is given up: its invoice must not stay Unpaid (overdue tomorrow) for nothing."""
    if topup.whmcs_invoice_id is None:
        return
    try:
        charges.cancel_invoice(topup.whmcs_invoice_id)
    except WhmcsError as exc:
        logger.error("top-up %s: could not cancel unpaid WHMCS invoice %s: %s", topup.request_id,
                     topup.whmcs_invoice_id, exc)


def _apply(topup: TopUp) -> None:
    try:
        result = FreebitSimService(freebit_connection()).top_up(topup.iccid, topup.quota_mb, str(topup.request_id))
    except FreebitSimSuspended as exc:
        _note_attempt(topup, f"quota: {exc}", final=True)
        return
    except FreebitError as exc:
        _note_attempt(topup, f"quota: {exc}")
        return
    topup.status, topup.freebit_topup_id = TopUp.Status.APPLIED, result.id
    _save(topup, "status", "freebit_topup_id")
    logger.info("top-up %s applied to SIM %s", topup.request_id, topup.iccid)


def _note_attempt(topup: TopUp, error: str, *, final: bool = False) -> None:
    topup.attempts += 1
    topup.last_error = error[:2000]
    if final or topup.attempts >= settings.SIM_TOPUP_MAX_ATTEMPTS:
        level = logging.ERROR if topup.status == TopUp.Status.CHARGED else logging.WARNING
        logger.log(level, "top-up %s gave up in status %s: %s", topup.request_id, topup.status, error)
        topup.status = TopUp.Status.FAILED
    else:
        logger.warning("top-up %s attempt %d failed: %s", topup.request_id, topup.attempts, error)
    _save(topup, "attempts", "last_error", "status")


def _fail(topup: TopUp, error: str) -> None:
    topup.status, topup.last_error = TopUp.Status.FAILED, error[:2000]
    logger.warning("top-up %s failed before any charge: %s", topup.request_id, error)
    _save(topup, "status", "last_error")


def _save(topup: TopUp, *fields: str) -> None:
    topup.save(update_fields=[*fields, "updated_at"])


# --- plan changes ------------------------------------------------------------------------------
def sim_plans(current_plan_code: str) -> tuple[Product, ...]:
    """The SIM plans the catalog offers (SKUs are Freebit plan codes), other than the current one."""
    products = catalog.catalog().value.products
    return tuple(p for p in products if p.is_sim and p.sku.startswith(SIM_PLAN_SKU_PREFIXES)
                 and p.sku != current_plan_code)


def plan_change(*, customer: Customer, iccid: str, plan_code: str, immediate: bool) -> PlanChange:
    link = selectors.owned_sim(customer, iccid)
    details = selectors.sim_details(customer, link.iccid).value
    if not details.can_change_plan:
        raise SimActionRefused("This SIM's plan cannot be changed right now. Please contact support.")
    if plan_code not in {plan.sku for plan in sim_plans(details.plan_code)}:
        raise SimActionRefused("Please choose one of the plans offered.")
    try:
        change = FreebitSimService(freebit_connection()).change_plan(link.iccid, plan_code, immediate=immediate)
    except FreebitPlanChangeRefused:
        raise SimActionRefused("That plan is not available for this SIM (data-only and voice SIMs "
                               "cannot switch between each other).") from None
    except FreebitError as exc:
        logger.error("Freebit plan change failed for %s: %s", link.iccid, exc)
        raise ProviderUnavailable("SIM") from exc
    finally:
        invalidate_customer(customer.user_id)
    return change
