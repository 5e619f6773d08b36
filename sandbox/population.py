"""A generated population of customers for the benchmark: as many as asked, the same in every emulator.

The demo customers (``sandbox.demo_identities``) are two; the benchmark browses as hundreds of
customers among thousands, each with the records a real one has: a WHMCS client with services
(Internet, one to three SIMs, sometimes a VPN), monthly invoices (the newest unpaid, some overdue),
the orders that signed the services up and a card; a Salesforce Account with the same orders; a
Freebit line per SIM. Each emulator seeds them when started with ``--customers N``; the default
(0) leaves only the demo data, so ``make run`` and the tests see nothing of them.

Deterministic: customer ``i`` is drawn from a generator seeded with ``i`` alone, so it is the same
whatever ``N`` is and whichever emulator (or the benchmark's portal seed) asks. Their ids sit in
ranges of their own, above anything the demo data or the emulators' own numbering reaches.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from sandbox.sim_stock import luhn_complete

POPULATION_PASSWORD = "population-pass"  # noqa: S105 - the published sign-in of every generated customer
EMAIL_DOMAIN = "customers.example"
FIRST_CLIENT_ID = 200_000
"""WHMCS client ids: ``FIRST_CLIENT_ID + i`` (the demo's are 1001-1010, new sign-ups count on from the highest)."""
ID_BASE = 10_000_000
"""WHMCS services, orders, invoices, transactions and pay methods: ``ID_BASE + i * SLOTS + k``."""
SLOTS = 16
ACCOUNT_NUMBER_BASE = 7_000_000_000
"""Salesforce Account ids: ``make_id("001", ACCOUNT_NUMBER_BASE + i)`` (the emulator's own start at 9e9)."""
HISTORY_MONTHS = 12
"""Monthly invoices reach back at most this far (WHMCS keeps more; the portal pages them)."""

# WHMCS product ids (sandbox.whmcs.seed.PRODUCTS) and what each means for the other systems.
INTERNET_PRODUCTS = (1, 1, 8, 9)  # Fiber 1 Gbps (twice as likely), Fiber 10 Gbps, Home 5G
SIM_PRODUCTS = {  # product id -> (Freebit plan code, data only, the "Data" option's label)
    3: ("MOB-VOICE-20G", False, "20 GB"),
    4: ("MOB-VOICE-5G", False, "5 GB"),
    5: ("MOB-DATA-10G", True, "10 GB"),
    10: ("MOB-DATA-3G", True, "3 GB"),
    11: ("MOB-DATA-20G", True, "20 GB"),
}
VPN_PRODUCT = 12
ROUTERS = ("Own router", "Wi-Fi 6 rental")
VOICE_OPTIONS = ("Pay per call", "5-minute calls free", "Unlimited calls")

FAMILY_NAMES = ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi",
                "Kato", "Yoshida", "Yamada", "Sasaki", "Yamaguchi", "Matsumoto", "Inoue", "Kimura", "Hayashi",
                "Shimizu", "Mori", "Ikeda", "Hashimoto", "Abe", "Ishikawa")
GIVEN_NAMES = ("Haruto", "Yui", "Sota", "Hina", "Yuto", "Aoi", "Riku", "Mei", "Kaito", "Sakura", "Ren", "Yuna",
               "Hinata", "Rin", "Minato", "Mio", "Takumi", "Akari", "Sora", "Koharu", "Daiki", "Emi", "Kenji", "Naomi")


@dataclass(frozen=True)
class PopulationService:
    """A WHMCS service of a generated customer; a SIM has its ICCID and phone number."""

    service_id: int
    pid: int
    started: int
    """Months before the WHMCS billing anchor that the service was registered (1 or more)."""
    order_id: int
    """The WHMCS order that signed it up (services started the same month share one)."""
    options: tuple[tuple[int, str], ...] = ()
    iccid: str | None = None
    msisdn: str | None = None

    @property
    def is_sim(self) -> bool:
        return self.iccid is not None

    @property
    def plan_code(self) -> str:
        return SIM_PRODUCTS[self.pid][0]

    @property
    def data_only(self) -> bool:
        return SIM_PRODUCTS[self.pid][1]


@dataclass(frozen=True)
class PopulationCustomer:
    index: int
    email: str
    first_name: str
    last_name: str
    whmcs_client_id: int
    account_number: int
    """The number of the Salesforce Account id (``make_id("001", account_number)``)."""
    services: tuple[PopulationService, ...]
    overdue: bool
    """Last month's invoice is still unpaid (the card was declined)."""
    usage_share: float
    """How much of their SIMs' quota they use in a month (Freebit's usage profile)."""

    @property
    def sims(self) -> tuple[PopulationService, ...]:
        return tuple(service for service in self.services if service.is_sim)

    @property
    def history_months(self) -> int:
        """Monthly invoices: one per month since the first service started, at most ``HISTORY_MONTHS``."""
        return min(HISTORY_MONTHS, max(service.started for service in self.services))

    @property
    def orders(self) -> dict[int, tuple[PopulationService, ...]]:
        """WHMCS order id -> the services it signed up, oldest order first."""
        grouped: dict[int, list[PopulationService]] = {}
        for service in sorted(self.services, key=lambda s: (-s.started, s.service_id)):
            grouped.setdefault(service.order_id, []).append(service)
        return {order_id: tuple(services) for order_id, services in grouped.items()}

    def id(self, k: int) -> int:
        """The ``k``-th id (0 <= k < SLOTS) reserved for this customer in a WHMCS table."""
        if not 0 <= k < SLOTS:
            raise ValueError(f"slot {k} out of range")
        return ID_BASE + self.index * SLOTS + k


@cache
def customer(index: int) -> PopulationCustomer:
    """The ``index``-th generated customer (0-based)."""
    if index < 0:
        raise ValueError("index must be >= 0")
    rng = random.Random(f"population:{index}")
    base = ID_BASE + index * SLOTS
    first, last = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
    plans: list[tuple[int, int, tuple[tuple[int, str], ...]]] = []  # (pid, started, options)
    if rng.random() < 0.6:
        pid = rng.choice(INTERNET_PRODUCTS)
        options = ((3, rng.choice(ROUTERS)),) if pid in (1, 8) else ()
        plans.append((pid, rng.randint(2, 36), options))
    for _ in range(1 + (rng.random() < 0.45) + (rng.random() < 0.15)):
        pid = rng.choice(tuple(SIM_PRODUCTS))
        options = ((1, SIM_PRODUCTS[pid][2]),)
        if not SIM_PRODUCTS[pid][1]:
            options += ((2, rng.choice(VOICE_OPTIONS)),)
        plans.append((pid, rng.randint(1, 30), options))
    if rng.random() < 0.15:
        plans.append((VPN_PRODUCT, rng.randint(1, 12), ()))
    # One order per month that services started in; a customer's order ids follow their services'.
    months = sorted({started for _, started, _ in plans}, reverse=True)
    order_ids = {started: base + 8 + n for n, started in enumerate(months)}
    services = []
    for k, (pid, started, options) in enumerate(plans):
        iccid = msisdn = None
        if pid in SIM_PRODUCTS:
            iccid = luhn_complete(f"8981100040{index:06d}{k:02d}")
            prefix = "020" if SIM_PRODUCTS[pid][1] else rng.choice(("070", "080", "090"))
            msisdn = f"{prefix}{50_000_000 + index * 8 + k:08d}"
        services.append(PopulationService(base + k, pid, started, order_ids[started], options, iccid, msisdn))
    return PopulationCustomer(
        index=index, email=f"customer{index:05d}@{EMAIL_DOMAIN}", first_name=first, last_name=last,
        whmcs_client_id=FIRST_CLIENT_ID + index, account_number=ACCOUNT_NUMBER_BASE + index,
        services=tuple(services), overdue=rng.random() < 0.08, usage_share=round(rng.uniform(0.2, 0.95), 2),
    )


def customers(count: int) -> Iterator[PopulationCustomer]:
    """The first ``count`` generated customers."""
    for index in range(count):
        yield customer(index)


def check_count(count: int) -> int:
    """``count`` if it is a number of customers the id ranges hold (0 to 500,000), else ValueError."""
    if not 0 <= count <= 500_000:
        raise ValueError("the population is 0 to 500,000 customers")
    return count
