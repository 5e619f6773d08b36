"""The dashboard: billing, subscriptions, orders and SIMs at a glance, read concurrently on a miss.

The page's cached values are read first, in one ``MGET`` (``portal.core.cache.preload``). When all
are cached the panels are built inline: threads would only add hand-offs. Otherwise each panel is
read in its own thread (bounded pool, one overall deadline), so the page costs about its slowest
provider, not the sum, and the SIMs the customer had last time are read from Freebit at once,
alongside WHMCS; a provider that is slow or down only empties its own panel (or shows its stale
copy), never the page.
"""
import contextvars
import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from domain.billing.types import Invoice, InvoiceStatus
from domain.shared import clock
from domain.shared.money import Money
from domain.sim.types import DataQuota, SimStatus
from domain.subscriptions.types import Subscription, SubscriptionStatus
from portal.accounts.models import Customer
from portal.billing import selectors as billing
from portal.core.cache import preload
from portal.core.errors import ProviderUnavailable
from portal.orders import selectors as orders
from portal.sim import selectors as sims

logger = logging.getLogger(__name__)
_POOL = ThreadPoolExecutor(max_workers=32, thread_name_prefix="dashboard")
RECENT_ORDERS = 3
# The services the dashboard lists: the ones the customer has or is getting (a suspended one marked).
SHOWN_SERVICE_STATUSES = (SubscriptionStatus.ACTIVE, SubscriptionStatus.SUSPENDED, SubscriptionStatus.PENDING)


@dataclass(frozen=True)
class Panel:
    value: Any = None
    stale: bool = False
    unavailable: bool = False


@dataclass(frozen=True)
class BillingSummary:
    amount_due: Money | None
    unpaid_count: int
    overdue_count: int
    next_due: Invoice | None


@dataclass(frozen=True)
class SimQuota:
    iccid: str
    plan_name: str
    remaining: DataQuota | None  # None: Freebit did not answer for this SIM
    total: DataQuota | None
    used_percent: int | None  # None also while the SIM has no usage yet
    usage_started: bool = True
    activation_date: date | None = None
    service_id: int | None = None
    msisdn: str = ""
    status: SimStatus | None = None  # None: Freebit did not answer for this SIM

    @property
    def suspended(self) -> bool:
        return self.status is SimStatus.SUSPENDED


@dataclass(frozen=True)
class ServiceRow:
    """One of the customer's services on the dashboard: its billing record, and its SIM if it is one."""

    subscription: Subscription
    sim: SimQuota | None

    @property
    def suspended(self) -> bool:
        return self.subscription.status is SubscriptionStatus.SUSPENDED or bool(self.sim and self.sim.suspended)


@dataclass(frozen=True)
class Dashboard:
    billing: Panel
    subscriptions: Panel
    orders: Panel
    sims: Panel

    @property
    def notices(self) -> list[str]:
        names = {"billing": _("billing"), "subscriptions": _("services"), "orders": _("orders"), "sims": _("SIM")}
        return [str(names[name]) for name in names if getattr(self, name).unavailable or getattr(self, name).stale]

    @property
    def services(self) -> tuple[ServiceRow, ...]:
        """Each service with its SIM's data (when it carries a SIM), in the billing system's order."""
        sims = {quota.service_id: quota for quota in (self.sims.value or ()) if quota.service_id is not None}
        return tuple(ServiceRow(subscription=sub, sim=sims.get(sub.id)) for sub in (self.subscriptions.value or ()))


def dashboard_for(customer: Customer) -> Dashboard:
    known = sims.known_sims(customer)
    unpaid = billing.invoice_list_key(1, InvoiceStatus.UNPAID)
    sim_keys = {iccid: sims.details_key(iccid) for iccid, _msisdn in known}
    keys = [unpaid, billing.SUBSCRIPTION_LIST_KEY, orders.ORDER_LIST_KEY, *sim_keys.values()]
    missing = preload(customer.user_id, [billing.CLIENT_CURRENCY_KEY, *keys])  # the currency is kept in-process too
    found_sims: list = []
    if not missing & set(keys):  # every panel cached: inline, no thread, no prefetch
        readers = _readers(customer, found_sims, {}, concurrent=False)
        dashboard = Dashboard(**{name: _panel(name, reader) for name, reader in readers.items()})
    else:
        # The SIMs known from last time are read from Freebit at once, alongside the WHMCS services
        # that say which SIMs are the customer's now (only those are shown).
        prefetches = {iccid: _POOL.submit(contextvars.copy_context().run, sims.prefetch_sim_details, customer,
                                          iccid, msisdn)
                      for iccid, msisdn in known if sim_keys[iccid] in missing}
        readers = _readers(customer, found_sims, prefetches, concurrent=True)
        dashboard = Dashboard(**run_concurrently(readers, deadline=settings.DASHBOARD_DEADLINE_SECONDS))
    if found_sims:
        sims.remember_sims(customer, found_sims[0])
    return dashboard


def _readers(customer: Customer, found_sims: list, prefetches: dict[str, Future], *,
             concurrent: bool) -> dict[str, Callable[[], Panel]]:
    return {
        "billing": lambda: _billing(customer),
        "subscriptions": lambda: _subscriptions(customer),
        "orders": lambda: _orders(customer),
        "sims": lambda: _sims(customer, found_sims, prefetches, concurrent=concurrent),
    }


def run_concurrently(readers: dict[str, Callable[[], Panel]], *, deadline: float) -> dict[str, Panel]:
    """Run each reader in the pool; a reader that fails or misses the deadline gives an empty panel."""
    futures = {name: _POOL.submit(contextvars.copy_context().run, reader) for name, reader in readers.items()}
    until = time.monotonic() + deadline
    return {name: _panel(name, lambda future=future: future.result(timeout=max(0.0, until - time.monotonic())),
                         deadline=deadline)
            for name, future in futures.items()}


def _panel(name: str, read: Callable[[], Panel], *, deadline: float | None = None) -> Panel:
    """``read()``'s panel; an empty one when it failed (or missed the deadline)."""
    try:
        return read()
    except FutureTimeout:
        logger.warning("dashboard panel %s missed the %.1f s deadline", name, deadline)
    except ProviderUnavailable:
        pass
    except Exception:
        logger.exception("dashboard panel %s failed", name)
    return Panel(unavailable=True)


def _billing(customer: Customer) -> Panel:
    page = billing.invoice_list(customer, status=InvoiceStatus.UNPAID)
    unpaid = page.value.invoices
    today = clock.today()
    currencies = {invoice.total.currency for invoice in unpaid}
    amount_due = None
    if len(currencies) == 1:
        amount_due = Money(amount=sum((i.total.amount for i in unpaid), Decimal(0)), currency=currencies.pop())
    next_due = min(unpaid, key=lambda invoice: invoice.due_date, default=None)
    summary = BillingSummary(amount_due=amount_due, unpaid_count=page.value.total_results,
                             overdue_count=sum(1 for invoice in unpaid if invoice.is_overdue(today)), next_due=next_due)
    return Panel(value=summary, stale=page.stale)


def _subscriptions(customer: Customer) -> Panel:
    page = billing.subscription_list(customer)
    shown = tuple(s for s in page.value.subscriptions if s.status in SHOWN_SERVICE_STATUSES)
    return Panel(value=shown, stale=page.stale)


def _orders(customer: Customer) -> Panel:
    found = orders.order_list(customer)
    return Panel(value=found.value[:RECENT_ORDERS], stale=found.stale)


def _sims(customer: Customer, found: list, prefetches: dict[str, Future], *, concurrent: bool) -> Panel:
    """SIM quotas, for the SIMs the customer's WHMCS services carry (read once, shared with the
    services panel). A SIM being prefetched is waited for on its future, then read from what the
    request has already read."""
    links = sims.customer_sims(customer)
    found.append(links)
    readers = {link.iccid: (lambda link=link: _sim_quota(customer, link, prefetches.get(link.iccid)))
               for link in links}
    if concurrent and len(readers) > 1:
        quotas = run_concurrently(readers, deadline=settings.DASHBOARD_DEADLINE_SECONDS)
    else:
        quotas = {iccid: _panel(f"sims ({iccid})", reader) for iccid, reader in readers.items()}
    by_iccid = {link.iccid: link for link in links}
    values = tuple(panel.value or SimQuota(iccid=iccid, plan_name=by_iccid[iccid].product_name, remaining=None,
                                           total=None, used_percent=None, service_id=by_iccid[iccid].service_id)
                   for iccid, panel in quotas.items())
    return Panel(value=values, stale=any(panel.stale for panel in quotas.values()),
                 unavailable=any(panel.unavailable for panel in quotas.values()))


def _sim_quota(customer: Customer, link, prefetch: Future | None) -> Panel:
    if prefetch is not None:
        try:
            prefetch.result(timeout=settings.DASHBOARD_DEADLINE_SECONDS)
        except FutureTimeout:
            pass  # read it below: the single-flight lock makes this wait for the prefetch's value
    details = sims.sim_details(customer, link)
    sim = details.value
    today = clock.today()
    return Panel(value=SimQuota(iccid=sim.iccid, plan_name=sim.plan_name, remaining=sim.remaining, total=sim.total,
                                used_percent=sim.used_percent_on(today), usage_started=sim.usage_started(today),
                                activation_date=sim.activation_date, service_id=link.service_id,
                                msisdn=sim.msisdn, status=sim.status),
                 stale=details.stale)
