"""The signed-in customer's SIMs: found from their WHMCS SIM services, read from Freebit.

A SIM belongs to a customer when one of their WHMCS services carries its ICCID (custom field
``ICCID``); every page and API call checks that before asking Freebit anything (DECISIONS §3).
"""
import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.http import Http404

from domain.shared.errors import MappingError
from domain.sim.iccid import InvalidIccid, require_iccid
from domain.sim.types import SimDetails, SimUsage, TopUp
from integrations.freebit.errors import FreebitError, FreebitUnknownSim
from integrations.freebit.sims import FreebitSimService
from portal.accounts.models import Customer
from portal.billing import selectors as billing
from portal.core.cache import Cached, fetch_for_customer
from portal.core.errors import guarded
from portal.core.providers import freebit_connection

logger = logging.getLogger(__name__)
FREEBIT_FAILURES = (FreebitError, MappingError)
ICCID_FIELD = "ICCID"


@dataclass(frozen=True)
class SimLink:
    """A SIM as billing knows it: the WHMCS service that carries it."""

    iccid: str
    service_id: int
    product_name: str
    service_status: str


def customer_sims(customer: Customer) -> tuple[SimLink, ...]:
    links = []
    for service in billing.subscription_list(customer).value.subscriptions:
        raw_iccid = service.custom_field(ICCID_FIELD)
        if not raw_iccid:
            continue
        try:
            iccid = require_iccid(raw_iccid)
        except InvalidIccid:
            logger.warning("WHMCS service %s carries a malformed ICCID", service.id)
            continue
        links.append(SimLink(iccid=iccid, service_id=service.id, product_name=service.product_name,
                             service_status=str(service.status)))
    return tuple(links)


def owned_sim(customer: Customer, iccid: str) -> SimLink:
    """The customer's SIM with this ICCID, or 404 (malformed, unknown or someone else's)."""
    try:
        wanted = require_iccid(iccid)
    except InvalidIccid:
        raise Http404("No such SIM") from None
    for link in customer_sims(customer):
        if link.iccid == wanted:
            return link
    raise Http404("No such SIM")


def sim_details(customer: Customer, iccid: str) -> Cached[SimDetails]:
    link = owned_sim(customer, iccid)
    return guard(lambda: _cached_details(customer, link.iccid))


def prefetch_sim_details(customer: Customer, iccid: str) -> None:
    """Warm the cache with a SIM the customer had last time (``Customer.known_iccids``), while
    their WHMCS services are still being read. Shows nothing: ``sim_details`` still checks
    ownership before anything is displayed."""
    try:
        _cached_details(customer, require_iccid(iccid))
    except (InvalidIccid, *FREEBIT_FAILURES):
        pass


def remember_sims(customer: Customer, links: tuple[SimLink, ...]) -> None:
    known = sorted(link.iccid for link in links)
    if known != customer.known_iccids:
        customer.known_iccids = known
        customer.save(update_fields=["known_iccids", "updated_at"])


def _cached_details(customer: Customer, iccid: str) -> Cached[SimDetails]:
    def fetch() -> SimDetails:
        try:
            return FreebitSimService(freebit_connection()).get_details(iccid)
        except FreebitUnknownSim:
            logger.error("SIM %s on a WHMCS service of customer %s is unknown to Freebit", iccid, customer.pk)
            raise

    return fetch_for_customer(customer.user_id, f"sim:{iccid}:details", settings.CACHE_TTL_SIM_DETAILS, fetch,
                              failures=FREEBIT_FAILURES)


def sim_usage(customer: Customer, iccid: str, start: date, end: date) -> Cached[SimUsage]:
    """Daily usage over a range the caller has validated (``validate_usage_range``)."""
    link = owned_sim(customer, iccid)

    def fetch() -> SimUsage:
        return FreebitSimService(freebit_connection()).get_usage(link.iccid, start, end)

    key = f"sim:{link.iccid}:usage:{start.isoformat()}:{end.isoformat()}"
    return guard(lambda: fetch_for_customer(customer.user_id, key, settings.CACHE_TTL_SIM_USAGE, fetch,
                                            failures=FREEBIT_FAILURES))


def topup_history(customer: Customer, iccid: str) -> Cached[tuple[TopUp, ...]]:
    link = owned_sim(customer, iccid)

    def fetch() -> tuple[TopUp, ...]:
        return FreebitSimService(freebit_connection()).top_up_history(link.iccid)

    return guard(lambda: fetch_for_customer(customer.user_id, f"sim:{link.iccid}:topups",
                                            settings.CACHE_TTL_SIM_DETAILS, fetch, failures=FREEBIT_FAILURES))


def guard(read):
    return guarded("SIM", "Freebit", FREEBIT_FAILURES, read, log=logger)
