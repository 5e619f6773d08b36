"""Phase 3 at scale: a few hundred of the generated customers (``sandbox.population``) browse the
portal while thousands exist, and what caching them costs (docs/performance.md explains each figure).

1. ``sign_in``: each browsed customer signs in through the form (Argon2, as in production).
2. ``first_pass``: each customer views every page of their mix once, lists first (which also finds
   the detail pages they link to), so every page has been a miss once: calls per page on a
   customer's **first** view of a page.
3. ``browse``: the timed window. ``concurrency`` clients, each with its own share of the customers,
   make visits (a customer, then 3 to 10 pages of the mix, then the next customer) without think
   time. Every page was cached by the first pass, so a provider call here is a refresh of a value
   whose TTL ran out (or the first view of a page the first pass did not reach): the steady state.
4. ``footprint``: Redis memory per customer with cached values, and the database per customer.
"""
from __future__ import annotations

import random
import re
import statistics
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bench.client import Browser, Timed
from bench.scenarios import _LINKS, _LISTS, _WEIGHTS, page_figures, reset_peak_rss, run_threads, worker_memory
from bench.stack import Stack
from sandbox.population import POPULATION_PASSWORD, PopulationCustomer, customer

MAX_DETAILS = 4
"""Detail pages per kind and customer in the mix: the first ones their lists link to (the newest
invoices and orders, the first services and SIMs), as a customer mostly looks at recent things."""
VISIT_PAGES = (3, 10)
SIGN_IN_TRIES = 3
_LIST_KIND = {"invoice": "invoices", "subscription": "subscriptions", "product": "catalog", "order": "orders",
              "sim": "sims"}
_CUSTOMER_KEY = re.compile(rb"user:(\d+):")


@dataclass
class Visitor:
    """A browsed customer: their session and the pages of their mix."""

    person: PopulationCustomer
    cookies: dict[str, str]
    pages: list[tuple[str, str, float]] = field(default_factory=list)  # (kind, path, weight)


def chosen(total: int, browsed: int) -> list[PopulationCustomer]:
    """``browsed`` customers spread evenly over the ``total`` seeded (not only the first ones)."""
    browsed = min(browsed, total)
    return [customer(i * total // browsed) for i in range(browsed)]


def sign_in(stack: Stack, people: list[PopulationCustomer], concurrency: int) -> tuple[list[Visitor], dict]:
    """Through the form, a few at a time: Argon2 is CPU- and memory-bound (about 100 MiB a hash), so
    more at once only queues them; a sign-in that got no answer (a loaded machine) is tried again."""
    concurrency = min(concurrency, 2 * stack.config.workers, len(people))
    visitors: list[Visitor | None] = [None] * len(people)
    retries = [0]
    jobs = iter(range(len(people)))
    lock = threading.Lock()
    started = time.perf_counter()

    def work(_: int) -> None:
        while True:
            with lock:
                i = next(jobs, None)
            if i is None:
                return
            for attempt in range(SIGN_IN_TRIES):
                browser = Browser(stack.base_url)
                try:
                    browser.sign_in(people[i].email, POPULATION_PASSWORD, timeout=(3.0, 120.0))
                    visitors[i] = Visitor(people[i], dict(browser.cookies))
                    break
                except RuntimeError:
                    if attempt == SIGN_IN_TRIES - 1:
                        raise
                    with lock:
                        retries[0] += 1
                finally:
                    browser.close()

    run_threads(concurrency, work, timeout=1800)
    elapsed = time.perf_counter() - started
    return [v for v in visitors if v is not None], {
        "customers": len(people), "concurrency": concurrency, "retries": retries[0], "seconds": round(elapsed, 1),
        "per_s": round(len(people) / elapsed, 1)}


def first_pass(stack: Stack, visitors: list[Visitor], concurrency: int) -> dict:
    """Every page of every visitor's mix once (lists, then the details they link to)."""
    results: list[tuple[str, Timed]] = []
    lock = threading.Lock()
    jobs = iter(visitors)
    stack.reset_stats()
    started = time.perf_counter()

    def work(_: int) -> None:
        while True:
            with lock:
                visitor = next(jobs, None)
            if visitor is None:
                return
            seen = _discover(stack, visitor)
            with lock:
                results.extend(seen)

    run_threads(concurrency, work, timeout=1800)
    elapsed = time.perf_counter() - started
    received = stack.provider_stats()
    calls = sum(result.provider_calls or 0 for _, result in results)
    return {"pages": len(results), "seconds": round(elapsed, 1), "provider_calls": calls,
            "provider_calls_per_page": round(calls / max(1, len(results)), 3),
            "calls_received": _total(received), "errors": sum(not result.ok for _, result in results),
            "pages_per_customer": round(statistics.mean(len(v.pages) for v in visitors), 1)}


def _discover(stack: Stack, visitor: Visitor) -> list[tuple[str, Timed]]:
    browser = Browser(stack.base_url, visitor.cookies)
    seen: list[tuple[str, Timed]] = []
    try:
        found: dict[str, list[str]] = {}
        for kind, path in _LISTS.items():
            page = browser.get(path, keep_body=True)
            seen.append((_LIST_KIND[kind], page))
            found[kind] = list(dict.fromkeys(_LINKS[kind].findall(page.body)))[:MAX_DETAILS] if page.ok else []
        lists = [("dashboard", "/"), ("invoices", "/billing/invoices/"),
                 ("invoices-page-2", "/billing/invoices/?page=2"), ("subscriptions", "/subscriptions/"),
                 ("catalog", "/catalog/"), ("orders", "/orders/"), ("sims", "/sims/")]
        for kind, path in lists:
            visitor.pages.append((kind, path, _WEIGHTS[kind]))
            if path not in _LISTS.values():
                seen.append((kind, browser.get(path)))
        for kind, paths in found.items():
            for path in paths:  # the detail pages of a kind share its weight
                visitor.pages.append((kind, path, _WEIGHTS[kind] / len(paths)))
                seen.append((kind, browser.get(path)))
        visitor.cookies = dict(browser.cookies)
    finally:
        browser.close()
    return seen


def browse(stack: Stack, visitors: list[Visitor], duration: float, concurrency: int) -> dict:
    """The timed window: visits without think time, each client with its own customers."""
    records: list[list[tuple[str, Timed]]] = [[] for _ in range(concurrency)]
    visits = [0] * concurrency
    concurrency = min(concurrency, len(visitors))
    gate = threading.Barrier(concurrency)
    window: dict[str, float] = {}

    def work(i: int) -> None:
        mine = visitors[i::concurrency]
        rng = random.Random(i)  # reproducible choices
        browsers = {id(v): Browser(stack.base_url, v.cookies) for v in mine}
        try:
            gate.wait(timeout=60)
            if i == 0:
                window["started"] = time.perf_counter()
            until = time.perf_counter() + duration
            while time.perf_counter() < until and mine:
                visitor = mine[visits[i] % len(mine)]
                visits[i] += 1
                pages = [(kind, path) for kind, path, _ in visitor.pages]
                weights = [weight for _, _, weight in visitor.pages]
                for _ in range(rng.randint(*VISIT_PAGES)):
                    kind, path = rng.choices(pages, weights)[0]
                    records[i].append((kind, browsers[id(visitor)].get(path)))
                    if time.perf_counter() >= until:
                        break
        finally:
            for browser in browsers.values():
                browser.close()

    stack.reset_stats()  # nothing else calls the providers meanwhile: every call received is the browsing's
    run_threads(concurrency, work, timeout=duration + 300)
    elapsed = time.perf_counter() - window["started"]
    received = stack.provider_stats()
    flat = [record for per_thread in records for record in per_thread]
    return {
        "duration_s": round(elapsed, 1), "concurrency": concurrency, "customers": len(visitors),
        "visits": sum(visits), **page_figures(flat, elapsed),
        "calls_received": _total(received),
        "calls_received_per_page": round(_total(received) / len(flat), 4), "calls_received_by_action": received,
    }


def _total(stats: dict[str, dict[str, int]]) -> int:
    return sum(sum(calls.values()) for calls in stats.values())


def footprint(stack: Stack, customers: int) -> dict:
    """Redis memory per customer with cached values (``MEMORY USAGE`` of every key naming a
    customer, ``user:<id>:...`` and its stale and lock copies, summed per customer), and the
    database per customer (every table of the portal's schema, indexes and TOAST included)."""
    cache = stack._redis(stack.config.cache_db)
    names = list(cache.scan_iter(count=1000))
    sizes: list[int] = []
    for start in range(0, len(names), 500):
        pipe = cache.pipeline(transaction=False)
        for name in names[start:start + 500]:
            pipe.memory_usage(name, samples=0)
        sizes += [size or 0 for size in pipe.execute()]
    per_customer: dict[bytes, int] = defaultdict(int)
    keys_per_customer: Counter = Counter()
    shared = 0
    for name, size in zip(names, sizes, strict=True):
        match = _CUSTOMER_KEY.search(name)
        if match:
            per_customer[match.group(1)] += size
            keys_per_customer[match.group(1)] += 1
        else:
            shared += size
    info = cache.info("memory")
    values = sorted(per_customer.values())
    tables = stack.query(
        "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC")
    total_tables = sum(size for _, size in tables)
    database = stack.query("SELECT pg_database_size(current_database())")[0][0]
    people = stack.query("SELECT count(*) FROM accounts_customer")[0][0]
    return {
        "redis": {
            "keys": len(names), "customers_cached": len(values),
            "bytes_per_customer_mean": round(statistics.mean(values)) if values else None,
            "bytes_per_customer_median": round(statistics.median(values)) if values else None,
            "bytes_per_customer_max": max(values, default=None),
            "keys_per_customer_mean": round(statistics.mean(keys_per_customer.values()), 1) if values else None,
            "bytes_shared": shared, "used_memory": info.get("used_memory"),
            "used_memory_dataset": info.get("used_memory_dataset"),
        },
        "database": {
            "customers": people, "generated": customers, "tables_bytes": total_tables, "database_bytes": database,
            "bytes_per_customer": round(total_tables / people) if people else None,
            "database_bytes_per_customer": round(database / people) if people else None,
            "largest_tables": {name: size for name, size in tables[:5]},
        },
    }


def run(stack: Stack, customers: int, browsed: int, duration: float, concurrency: int) -> dict:
    """The whole phase: sign-ins, the first pass, the window, the footprint."""
    visitors, signing_in = sign_in(stack, chosen(customers, browsed), concurrency)
    memory = {"after_sign_ins": worker_memory(stack)}
    reset_peak_rss(stack)  # the window's peak is the browsing alone (see docs/performance.md)
    first = first_pass(stack, visitors, concurrency)
    window = browse(stack, visitors, duration, concurrency)
    memory["after_load"] = worker_memory(stack)
    return {**window, "sign_in": signing_in, "first_pass": first, "memory": memory,
            "footprint": footprint(stack, customers), "population": customers}
