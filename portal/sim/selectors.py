"""The signed-in customer's SIMs: found from their WHMCS SIM services, read from Freebit.

A SIM belongs to a customer when one of their WHMCS services carries its ICCID (custom field
``ICCID``) and its phone number (``Phone Number``): the portal's pages and URLs name a SIM by its
ICCID, and every Freebit call names it by its phone number (Freebit's ``account``). Every page and
API call checks the SIM is the customer's before asking Freebit anything (docs/decisions.md §3):
once per request, with :func:`owned_sim`, whose :class:`SimLink` the reads and actions then take.
"""
import logging
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.http import Http404

from domain.sim.commands import InvalidSimCommand, require_msisdn
from domain.sim.iccid import InvalidIccid, require_iccid
from domain.sim.types import SimDetails, SimUsage
from integrations.freebit.errors import FreebitMalformedResponse, FreebitUnknownSim
from integrations.freebit.sims import FreebitSimClient
from portal.accounts.models import Customer
from portal.billing import selectors as billing
from portal.core.cache import Cached, fetch_for_customer
from portal.core.connections import freebit_connection
from portal.core.reads import FREEBIT_FAILURES, ProviderReads
from portal.sim import usage

logger = logging.getLogger(__name__)
FREEBIT = ProviderReads("SIM", "Freebit", FREEBIT_FAILURES, logger)
ICCID_FIELD = "ICCID"
PHONE_NUMBER_FIELD = "Phone Number"


@dataclass(frozen=True)
class SimLink:
    """A SIM as billing knows it: the WHMCS service that carries its ICCID and phone number."""

    iccid: str
    msisdn: str
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
            msisdn = require_msisdn((service.custom_field(PHONE_NUMBER_FIELD) or "").strip().replace("-", ""))
        except InvalidIccid:
            logger.warning("WHMCS service %s carries a malformed ICCID", service.id)
            continue
        except InvalidSimCommand:
            logger.warning("WHMCS service %s carries an ICCID but no valid phone number: Freebit cannot be asked "
                           "about its SIM", service.id)
            continue
        links.append(SimLink(iccid=iccid, msisdn=msisdn, service_id=service.id, product_name=service.product_name,
                             service_status=str(service.status)))
    return tuple(links)


def owned_sim(customer: Customer, iccid: str) -> SimLink:
    """The customer's SIM with this ICCID, or 404 (malformed, unknown or someone else's): the one
    ownership check of a request, whose answer the reads and actions below take."""
    try:
        wanted = require_iccid(iccid)
    except InvalidIccid:
        raise Http404("No such SIM") from None
    for link in customer_sims(customer):
        if link.iccid == wanted:
            return link
    raise Http404("No such SIM")


def sim_details(customer: Customer, sim: SimLink) -> Cached[SimDetails]:
    """Freebit's details of the customer's SIM (``sim`` from :func:`owned_sim`)."""
    return FREEBIT.for_customer(customer, details_key(sim.iccid), settings.CACHE_TTL_SIM_DETAILS,
                                _details_fetch(customer, sim.iccid, sim.msisdn))


def known_sims(customer: Customer) -> tuple[tuple[str, str], ...]:
    """The (ICCID, phone number) of the SIMs the customer had last time (``Customer.known_iccids``)."""
    return tuple((known["iccid"], known["msisdn"]) for known in customer.known_iccids
                 if isinstance(known, dict) and known.get("iccid") and known.get("msisdn"))


def prefetch_sim_details(customer: Customer, iccid: str, msisdn: str) -> None:
    """Warm the cache with a SIM the customer had last time (:func:`known_sims`, its phone number as
    last seen with it), while their WHMCS services are still being read. Shows nothing:
    ``sim_details`` still checks ownership before anything is displayed."""
    try:
        fetch_for_customer(customer.user_id, details_key(iccid), settings.CACHE_TTL_SIM_DETAILS,
                           _details_fetch(customer, require_iccid(iccid), msisdn), failures=FREEBIT_FAILURES)
    except (InvalidIccid, InvalidSimCommand, *FREEBIT_FAILURES):
        pass


def remember_sims(customer: Customer, links: tuple[SimLink, ...]) -> None:
    """Keep the customer's SIMs (ICCID and phone number) for the next cold dashboard's prefetch."""
    known = [{"iccid": link.iccid, "msisdn": link.msisdn} for link in sorted(links, key=lambda link: link.iccid)]
    if known != customer.known_iccids:
        customer.known_iccids = known
        customer.save(update_fields=["known_iccids", "updated_at"])


def details_key(iccid: str) -> str:
    return f"sim:{iccid}:details"


def _details_fetch(customer: Customer, iccid: str, msisdn: str):
    def fetch() -> SimDetails:
        try:
            details = FreebitSimClient(freebit_connection()).get_details(msisdn)
        except FreebitUnknownSim:
            logger.error("SIM %s (number on WHMCS service of customer %s) is unknown to Freebit", iccid, customer.pk)
            raise
        if details.iccid != iccid:
            logger.error("Freebit's line %s is on SIM %s, but customer %s's WHMCS service pairs it with SIM %s",
                         msisdn, details.iccid, customer.pk, iccid)
            raise FreebitMalformedResponse("PA03-02", "the line's ICCID is not the one billing pairs it with")
        return details

    return fetch


def sim_usage(sim: SimLink, start: date, end: date) -> Cached[SimUsage]:
    """The daily usage of the customer's SIM (``sim`` from :func:`owned_sim`) over a range the caller has validated
    (``validate_usage_range``): the figures the portal recorded (``portal.sim.usage``), after
    reading today's from Freebit when the last reading is old enough. ``stale`` when that reading
    failed: the figures shown are those recorded before."""
    stale = False
    try:
        usage.read_traffic(sim.iccid, sim.msisdn)
    except FREEBIT_FAILURES as exc:
        logger.warning("SIM %s: Freebit's traffic figures could not be read: %s", sim.iccid, exc)
        stale = True
    return Cached(value=usage.recorded_usage(sim.iccid, start, end), stale=stale)
