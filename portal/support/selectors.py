"""The signed-in customer's support cases, read from Salesforce and cached per customer.

Every case read carries the customer's Account in its query: another customer's case id finds
nothing, a 404. A page view reads at most one thing from Salesforce: the list is one query, a
case with its conversation and files is one query, both cached (``CACHE_TTL_CASES``) under a
support namespace of the customer's own (``user:{id}:support:ns``) that the Platform Event and
the customer's own writes move on, so a change shows at the next page view.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import Http404

from domain.customers.types import JapaneseAddress
from domain.shared import clock
from domain.shared.salesforce_id import InvalidSalesforceId, KeyPrefix, checked_id
from domain.support.types import CaseDetails, CaseSummary, MnpReservation, RelatedKind, RelatedRecord, RequestType
from integrations.salesforce.cases import SalesforceCaseClient
from portal.accounts.models import Customer
from portal.accounts.profile import customer_profile
from portal.billing.selectors import client_currency
from portal.core.cache import Cached, bump_namespace, namespace_version
from portal.core.connections import salesforce_connection
from portal.core.errors import ProviderUnavailable
from portal.core.reads import SALESFORCE_FAILURES, ProviderReads
from portal.support.models import CaseView

logger = logging.getLogger(__name__)
AREA = "support"
SALESFORCE = ProviderReads(AREA, "Salesforce", SALESFORCE_FAILURES, logger)


def _support_key(user_id: int) -> str:
    return f"user:{user_id}:support:ns"


def forget_cases(user_id: int) -> bool:
    """Forget the customer's cached cases (O(1)); False when the cache could not be reached."""
    return bump_namespace(_support_key(user_id))


def _cached(customer: Customer, suffix: str, fetch) -> Cached:
    version = namespace_version(_support_key(customer.user_id))
    return SALESFORCE.for_customer(customer, f"support:v{version}:{suffix}", settings.CACHE_TTL_CASES, fetch)


def case_list(customer: Customer) -> Cached[tuple[CaseSummary, ...]]:
    """The customer's cases: open ones first, then the most recently changed."""
    def fetch() -> tuple[CaseSummary, ...]:
        cases = SalesforceCaseClient(salesforce_connection()).list_cases(customer.salesforce_account_id)
        newest_first = sorted(cases, key=lambda case: case.updated_at, reverse=True)
        return tuple(sorted(newest_first, key=lambda case: not case.is_open))

    return _cached(customer, "cases", fetch)


@dataclass(frozen=True)
class SimCases:
    """The open structured requests about one SIM that its page shows at the top, until staff
    handle them (close the case)."""

    lost: tuple[CaseSummary, ...] = ()
    """Open lost or stolen reports."""
    resume: tuple[CaseSummary, ...] = ()
    """Open requests to resume the line."""
    mnp: MnpReservation | None = None
    """The port-out reservation staff recorded for the SIM's number, while it holds (Japan time)."""
    unknown: bool = False
    """Salesforce could not be read (and no copy was kept): nothing is known either way."""


def sim_cases(customer: Customer, iccid: str) -> SimCases:
    """The customer's open structured requests about the SIM ``iccid``, and the MNP reservation
    number staff recorded for it (any MNP case of the SIM, open or closed, until the number's expiry
    day has passed), from their cached case list (no query of its own); empty and ``unknown`` while
    Salesforce cannot be read."""
    if not customer.salesforce_account_id:
        return SimCases()
    try:
        cases = case_list(customer).value
    except ProviderUnavailable:
        return SimCases(unknown=True)
    today = clock.today()
    reservations = [case.mnp_reservation for case in cases if case.sim_iccid == iccid
                    and case.mnp_reservation is not None and case.mnp_reservation.holds_on(today)]
    return SimCases(
        lost=tuple(case for case in cases if case.is_open_about_sim(RequestType.LOST_SIM, iccid)),
        resume=tuple(case for case in cases if case.is_open_about_sim(RequestType.RESUME_LINE, iccid)),
        mnp=max(reservations, key=lambda reservation: reservation.expires_on, default=None))


def case_id_or_404(case_id: str) -> str:
    try:
        return checked_id(case_id, prefix=KeyPrefix.CASE)
    except InvalidSalesforceId:
        raise Http404("No such case") from None


def case_detail(customer: Customer, case_id: str) -> Cached[CaseDetails]:
    """The case with its public conversation and files; 404 for a malformed id or another
    Account's case."""
    case_id = case_id_or_404(case_id)

    def fetch() -> CaseDetails:
        found = SalesforceCaseClient(salesforce_connection()).get_case(case_id, customer.salesforce_account_id)
        if found is None:
            raise Http404("No such case")
        return found

    return _cached(customer, f"case:{case_id}", fetch)


def changed_since_seen(customer: Customer, cases: tuple[CaseSummary, ...]) -> set[str]:
    """The ids of the cases that changed since the customer last opened them (or never did)."""
    seen = dict(CaseView.objects.filter(customer=customer, case_id__in=[case.id for case in cases])
                .values_list("case_id", "seen_updated_at"))
    return {case.id for case in cases if case.id not in seen or case.updated_at > seen[case.id]}


def record_type_ids() -> dict[RequestType, str]:
    """The org's Case record type of each request type (one query an hour, shared by everyone)."""
    def fetch() -> dict[RequestType, str]:
        return SalesforceCaseClient(salesforce_connection()).record_type_ids()

    return SALESFORCE.shared("support:record-types", settings.CACHE_TTL_CASE_RECORD_TYPES, fetch).value


@dataclass(frozen=True)
class RelatedChoice:
    """A record of the customer's a case can be about, checked to be theirs, with what to call it."""

    record: RelatedRecord
    label: str
    url: str


def related_record(customer: Customer, kind: str, record_id: str) -> RelatedChoice:
    """The customer's invoice, subscription, order or SIM ``record_id``; 404 when it is not theirs
    (or not one), as everywhere. Reads through the other areas' cached selectors."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    try:
        record = RelatedRecord(kind=RelatedKind(kind), id=str(record_id).strip())
    except ValueError:
        raise Http404("No such record") from None
    if record.kind is RelatedKind.INVOICE:
        from portal.billing.selectors import invoice_detail

        invoice = invoice_detail(customer, record.number).value
        return RelatedChoice(record, _("Invoice %(number)s") % {"number": invoice.number},
                             reverse("billing:invoice", args=[invoice.id]))
    if record.kind is RelatedKind.SUBSCRIPTION:
        from portal.billing.selectors import subscription_detail

        service = subscription_detail(customer, record.number).value
        return RelatedChoice(record, service.product_name, reverse("billing:subscription", args=[service.id]))
    if record.kind is RelatedKind.ORDER:
        from portal.orders.selectors import order_detail

        order = order_detail(customer, record.id).value
        return RelatedChoice(record, _("Order %(number)s") % {"number": order.number},
                             reverse("orders:detail", args=[order.id]))
    from portal.sim.selectors import owned_sim

    sim = owned_sim(customer, record.id)
    return RelatedChoice(record, _("SIM %(number)s") % {"number": format_msisdn(sim.msisdn)},
                         reverse("sim:detail", args=[sim.iccid]))


def customer_sims(customer: Customer) -> list[tuple[str, str]]:
    """(ICCID, label) of the customer's SIMs, for the requests about one."""
    from django.utils.translation import gettext as _

    from portal.sim.selectors import customer_sims as sims

    return [(sim.iccid, _("%(number)s (%(plan)s)") % {"number": format_msisdn(sim.msisdn), "plan": sim.product_name})
            for sim in sims(customer)]


def format_msisdn(msisdn: str) -> str:
    """``09012340012`` → ``090-1234-0012``."""
    if len(msisdn) == 11 and msisdn.isdigit():
        return f"{msisdn[:3]}-{msisdn[3:7]}-{msisdn[7:]}"
    return msisdn


@dataclass(frozen=True)
class ReplacementTerms:
    """What a replacement SIM card request tells the customer before they send it: its fee (in the
    currency they are billed in; None while billing cannot say) and the address it is posted to
    (None when billing has none; ``address_unknown`` while billing cannot be read)."""

    fee: Decimal | None
    currency: str
    address: JapaneseAddress | None
    address_unknown: bool


def replacement_terms(customer: Customer) -> ReplacementTerms:
    try:
        currency = client_currency(customer)
    except ProviderUnavailable:
        currency = None
    try:
        address, unknown = customer_profile(customer).value.address, False
    except ProviderUnavailable:
        address, unknown = None, True
    return ReplacementTerms(fee=currency.convert(settings.SIM_REPLACEMENT_FEE) if currency else None,
                            currency=currency.code if currency else "", address=address, address_unknown=unknown)
