"""The measurements of issue 8, each a function of a started ``Stack`` answering a plain dict."""
from __future__ import annotations

import json
import math
import random
import re
import secrets
import statistics
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.client import Browser, Timed, WebhookSender
from bench.stack import ROOT, Stack, rss_kib

# The demo customers (sandbox/demo_identities.py): the emulators seed only these two.
CUSTOMERS = (("alice@example.com", 1001), ("bob@example.com", 1002))
DEMO_PASSWORD = "portal-demo"  # noqa: S105 - the published demo sign-in


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def signed_in(stack: Stack, email: str) -> Browser:
    browser = Browser(stack.base_url)
    browser.sign_in(email, DEMO_PASSWORD)
    return browser


def run_threads(count: int, target: Callable[[int], None], *, timeout: float) -> None:
    """Run ``target(i)`` in ``count`` threads and wait for all (bounded); re-raise the first error."""
    errors: list[BaseException] = []

    def wrapped(i: int) -> None:
        try:
            target(i)
        except BaseException as exc:  # handed to the caller, re-raised there
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(i,), daemon=True, name=f"bench-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"{sum(t.is_alive() for t in threads)} of {count} threads still running after {timeout} s")
    if errors:
        raise errors[0]


# -- set-up ------------------------------------------------------------------------------------------

@dataclass
class Site:
    """What one customer's pages link to, found by browsing them (ids differ per customer)."""

    email: str
    cookies: dict[str, str]
    pages: list[tuple[str, str, float]] = field(default_factory=list)  # (kind, path, weight)


_LINKS = {
    "invoice": re.compile(r'href="(/billing/invoices/\d+/)"'),
    "subscription": re.compile(r'href="(/subscriptions/\d+/)"'),
    "product": re.compile(r'href="(/catalog/[A-Za-z0-9]{15,18}/)"'),
    "order": re.compile(r'href="(/orders/[A-Za-z0-9]{15,18}/)"'),
    "sim": re.compile(r'href="(/sims/\d{18,22}/)"'),
}
_LISTS = {"invoice": "/billing/invoices/", "subscription": "/subscriptions/", "product": "/catalog/",
          "order": "/orders/", "sim": "/sims/"}
# A browsing mix: mostly the dashboard and the lists, some detail pages (each a different cache key).
_WEIGHTS = {"dashboard": 25, "invoices": 15, "invoices-page-2": 5, "invoice": 10, "subscriptions": 8,
            "subscription": 3, "catalog": 10, "product": 5, "orders": 8, "order": 4, "sims": 5, "sim": 2}


def discover(stack: Stack) -> list[Site]:
    sites = []
    for email, _ in CUSTOMERS:
        browser = signed_in(stack, email)
        found: dict[str, list[str]] = {}
        for kind, path in _LISTS.items():
            page = browser.get(path, keep_body=True)
            if not page.ok:
                raise RuntimeError(f"{email}: GET {path} answered {page.status or page.error}")
            found[kind] = sorted(set(_LINKS[kind].findall(page.body)))
        pages = [("dashboard", "/"), ("invoices", "/billing/invoices/"),
                 ("invoices-page-2", "/billing/invoices/?page=2"), ("subscriptions", "/subscriptions/"),
                 ("catalog", "/catalog/"), ("orders", "/orders/"), ("sims", "/sims/")]
        site = Site(email, dict(browser.cookies))
        for kind, path in pages:
            site.pages.append((kind, path, _WEIGHTS[kind]))
        for kind, paths in found.items():
            for path in paths:  # the detail pages of a kind share its weight
                site.pages.append((kind, path, _WEIGHTS[kind] / len(paths)))
        browser.close()
        sites.append(site)
    return sites


def warm_up(stack: Stack, sites: list[Site]) -> None:
    """Every gunicorn worker signs in to Salesforce, memoizes WHMCS's currencies and loads its code:
    bursts of cold dashboards on fresh connections (which the workers share between them)."""
    for _ in range(3):
        for site in sites:
            stack.flush_cache()

            def hit(_: int, site=site) -> None:
                browser = Browser(stack.base_url, site.cookies)
                try:
                    for kind, path, _weight in site.pages:
                        if kind in ("dashboard", "invoices", "catalog", "orders", "sims"):
                            browser.get(path)
                finally:
                    browser.close()

            run_threads(2 * stack.config.workers, hit, timeout=120)


# -- 1 and 2: the dashboard, cold and warm -------------------------------------------------------------

def cold_dashboard(stack: Stack, sites: list[Site], samples: int) -> dict:
    result = _cold_dashboard(stack, sites, samples)
    # A customer's first dashboard ever: the SIMs are not known yet, so Freebit waits for WHMCS.
    result["first_visit"] = _cold_dashboard(stack, sites, samples, forget_sims=True)
    # The same with no added latency: what the page costs besides waiting for the providers.
    stack.set_latency(0)
    try:
        result["without_latency"] = _cold_dashboard(stack, sites, samples)
    finally:
        stack.set_latency(stack.config.latency_ms)
    return result


def _cold_dashboard(stack: Stack, sites: list[Site], samples: int, *, forget_sims: bool = False) -> dict:
    times, calls, statuses = [], [], Counter()
    browsers = [Browser(stack.base_url, site.cookies) for site in sites]
    try:
        for i in range(samples):
            stack.flush_cache()
            if forget_sims:
                # The demo customers' rows only: every row, 10,000 of them, bloated the table (phase 3's size).
                stack.execute("UPDATE accounts_customer SET known_iccids = '[]'::jsonb WHERE whmcs_client_id = ANY(%s)",
                              ([client for _, client in CUSTOMERS],))
            result = browsers[i % len(browsers)].get("/")
            statuses[result.status] += 1
            times.append(result.seconds)
            calls.append(result.provider_calls or 0)
    finally:
        for browser in browsers:
            browser.close()
    latency_s = stack.config.latency_ms / 1000
    median = statistics.median(times)
    return {"samples": samples, "median_ms": ms(median), "min_ms": ms(min(times)), "max_ms": ms(max(times)),
            "ratio_to_latency": round(median / latency_s, 2) if latency_s else None,
            "provider_calls_median": statistics.median(calls), "statuses": dict(statuses)}


def warm_dashboard(stack: Stack, sites: list[Site], samples: int) -> dict:
    """The warm dashboard against /healthz as a health checker calls it (no cookies: the framework's
    floor), and against /account/ (signed in, no provider data) for reference. Interleaved, so any
    drift in the machine's load affects all three alike."""
    browser = Browser(stack.base_url, sites[0].cookies)
    anonymous = Browser(stack.base_url)
    timings: dict[str, list[float]] = defaultdict(list)
    calls: dict[str, list[int]] = defaultdict(list)
    errors = 0
    try:
        browser.get("/")  # fill the cache
        anonymous.get("/healthz")
        for _ in range(samples):
            for name, client, path in (("dashboard", browser, "/"), ("healthz", anonymous, "/healthz"),
                                       ("account", browser, "/account/")):
                result = client.get(path)
                errors += not result.ok
                timings[name].append(result.seconds)
                calls[name].append(result.provider_calls or 0)
    finally:
        browser.close()
        anonymous.close()
    medians = {name: statistics.median(values) for name, values in timings.items()}
    return {"samples": samples, "errors": errors,
            "median_ms": {name: ms(value) for name, value in medians.items()},
            "ratio_to_healthz": round(medians["dashboard"] / medians["healthz"], 2),
            "ratio_to_account": round(medians["dashboard"] / medians["account"], 2),
            "provider_calls_per_view": round(sum(calls["dashboard"]) / samples, 3)}


# -- 3: a browsing mix under load ------------------------------------------------------------------------

def mixed_load(stack: Stack, sites: list[Site], duration: float, concurrency: int) -> dict:
    browsers = [Browser(stack.base_url) for _ in range(concurrency)]

    def sign_in(i: int) -> None:  # one session per virtual user
        browsers[i].sign_in(sites[i % len(sites)].email, DEMO_PASSWORD)

    run_threads(concurrency, sign_in, timeout=120)
    # Signing in hashes with Argon2 (100 MiB each, see docs/performance.md): note that peak, then
    # reset the high-water marks so the figure after the load is the browsing alone.
    memory = {"after_sign_ins": worker_memory(stack)}
    reset_peak_rss(stack)
    records: list[list[tuple[str, Timed, float]]] = [[] for _ in range(concurrency)]
    stack.flush_cache()  # the mix starts cold; its first misses count
    start_gate = threading.Barrier(concurrency)
    started_at = [0.0]

    def browse(i: int) -> None:
        site = sites[i % len(sites)]
        rng = random.Random(i)  # reproducible page choices
        kinds_paths = [(kind, path) for kind, path, _ in site.pages]
        weights = [weight for _, _, weight in site.pages]
        start_gate.wait(timeout=30)
        if i == 0:
            started_at[0] = time.perf_counter()
        until = time.perf_counter() + duration
        while time.perf_counter() < until:
            kind, path = rng.choices(kinds_paths, weights)[0]
            result = browsers[i].get(path)
            records[i].append((kind, result, time.perf_counter()))

    try:
        run_threads(concurrency, browse, timeout=duration + 120)
    finally:
        for browser in browsers:
            browser.close()
    flat = [record for per_thread in records for record in per_thread]
    elapsed = max(finished for _, _, finished in flat) - started_at[0]
    memory["after_load"] = worker_memory(stack)
    return {
        "memory": memory,
        "duration_s": round(elapsed, 1), "concurrency": concurrency, "customers": len(sites),
        "sessions": concurrency, **page_figures([(kind, result) for kind, result, _ in flat], elapsed),
    }


def page_figures(pages: list[tuple[str, Timed]], elapsed: float) -> dict:
    """Pages/s, percentiles, provider calls (``X-Provider-Calls``) and errors of ``(kind, result)``
    page views, in all and by kind of page."""
    seconds = [result.seconds for _, result in pages]
    errors = [result for _, result in pages if not result.ok]
    calls = sum(result.provider_calls or 0 for _, result in pages)
    by_kind: dict[str, list[Timed]] = defaultdict(list)
    for kind, result in pages:
        by_kind[kind].append(result)
    return {
        "pages": len(pages), "pages_per_s": round(len(pages) / elapsed, 1),
        "p50_ms": ms(percentile(seconds, 50)), "p95_ms": ms(percentile(seconds, 95)),
        "p99_ms": ms(percentile(seconds, 99)), "max_ms": ms(max(seconds)),
        "provider_calls": calls, "provider_calls_per_page": round(calls / len(pages), 4),
        "errors": len(errors), "error_rate": round(len(errors) / len(pages), 5),
        "error_statuses": dict(Counter(result.error or result.status for result in errors)),
        "by_page": {kind: {"count": len(results), "p50_ms": ms(percentile([r.seconds for r in results], 50)),
                           "p95_ms": ms(percentile([r.seconds for r in results], 95)),
                           "provider_calls": sum(r.provider_calls or 0 for r in results)}
                    for kind, results in sorted(by_kind.items())},
    }


def worker_memory(stack: Stack) -> dict:
    """Peak (VmHWM) and current (VmRSS) resident memory of each gunicorn worker, in MiB."""
    workers = {}
    for pid in stack.worker_pids():
        peak, now = rss_kib(pid, "VmHWM"), rss_kib(pid, "VmRSS")
        if peak is not None and now is not None:
            workers[str(pid)] = {"peak_mib": round(peak / 1024, 1), "rss_mib": round(now / 1024, 1)}
    return {"workers": workers,
            "peak_mib": max((w["peak_mib"] for w in workers.values()), default=None),
            "rss_mib": max((w["rss_mib"] for w in workers.values()), default=None)}


def reset_peak_rss(stack: Stack) -> None:
    """Linux: writing 5 to clear_refs resets VmHWM to the current RSS (our own workers only)."""
    for pid in stack.worker_pids():
        try:
            Path(f"/proc/{pid}/clear_refs").write_text("5")
        except OSError:
            pass


# -- 4: stampede ----------------------------------------------------------------------------------------

def stampede(stack: Stack, sites: list[Site], requests_count: int = 50, path: str = "/billing/invoices/") -> dict:
    browsers = [Browser(stack.base_url, sites[0].cookies) for _ in range(requests_count)]
    results: list[Timed | None] = [None] * requests_count
    gate = threading.Barrier(requests_count)
    stack.flush_cache()
    stack.sandbox("whmcs", "DELETE", "stats")

    def fire(i: int) -> None:
        gate.wait(timeout=30)
        results[i] = browsers[i].get(path)

    try:
        run_threads(requests_count, fire, timeout=120)
    finally:
        for browser in browsers:
            browser.close()
    whmcs_calls = stack.sandbox("whmcs", "GET", "stats").get("calls", {})
    done = [result for result in results if result is not None]
    return {"requests": requests_count, "path": path, "ok": sum(result.ok for result in done),
            "provider_calls_header_sum": sum(result.provider_calls or 0 for result in done),
            "whmcs_calls": whmcs_calls, "get_invoices_calls": whmcs_calls.get("GetInvoices", 0),
            "slowest_ms": ms(max(result.seconds for result in done))}


# -- 5: webhook ingest ------------------------------------------------------------------------------------

def _rate(count: int, concurrency: int, make: Callable[[], object], send: Callable[[object, int], Timed],
          close: Callable[[object], None]) -> tuple[float, list[Timed]]:
    """Send jobs 0..count-1 from ``concurrency`` threads as fast as answered; answers (rate/s, results)."""
    results: list[Timed | None] = [None] * count
    next_job = iter(range(count))
    lock = threading.Lock()
    gate = threading.Barrier(concurrency)

    def work(_: int) -> None:
        client = make()
        try:
            gate.wait(timeout=30)
            while True:
                with lock:
                    job = next(next_job, None)
                if job is None:
                    return
                results[job] = send(client, job)
        finally:
            close(client)

    started = time.perf_counter()
    run_threads(concurrency, work, timeout=600)
    elapsed = time.perf_counter() - started
    return count / elapsed, [result for result in results if result is not None]


def webhook_ingest(stack: Stack, events: int, duplicate_share: float, concurrency: int, rounds: int = 3) -> dict:
    """Signed webhooks against /healthz, the same number of requests at the same concurrency from the
    same kind of client, in alternating rounds (so a change in the machine's load hits both)."""
    rng = random.Random(8)
    run_id = secrets.token_hex(4)
    unique = [f"bench-{run_id}-{i:06d}" for i in range(events)]
    jobs = unique + rng.sample(unique, int(events * duplicate_share))
    rng.shuffle(jobs)
    bodies = {event_id: WebhookSender.body(event_id, CUSTOMERS[i % 2][1], 1 + i % 30)
              for i, event_id in enumerate(unique)}
    outcomes: dict[int, str] = {}
    webhook_results: list[Timed] = []
    healthz_results: list[Timed] = []
    totals = {"webhooks_s": 0.0, "healthz_s": 0.0}
    per_round = []
    size = math.ceil(len(jobs) / rounds)
    for start in range(0, len(jobs), size):
        chunk = list(range(start, min(start + size, len(jobs))))
        healthz_rate, results = _rate(
            len(chunk), concurrency, lambda: Browser(stack.base_url), lambda browser, _: browser.get("/healthz"),
            lambda browser: browser.close())
        healthz_results += results
        totals["healthz_s"] += len(chunk) / healthz_rate

        def send(sender: WebhookSender, job: int, chunk=chunk) -> Timed:
            event_id = jobs[chunk[job]]
            result, outcome = sender.post(event_id, bodies[event_id])
            outcomes[chunk[job]] = f"{result.status or result.error} {outcome}".strip()
            return result

        webhook_rate, results = _rate(
            len(chunk), concurrency, lambda: WebhookSender(stack.base_url, stack.webhook_secret), send,
            lambda sender: sender.close())
        webhook_results += results
        totals["webhooks_s"] += len(chunk) / webhook_rate
        per_round.append({"webhooks_per_s": round(webhook_rate, 1), "healthz_per_s": round(healthz_rate, 1),
                          "ratio": round(webhook_rate / healthz_rate, 2)})
    webhook_rate = len(jobs) / totals["webhooks_s"]
    healthz_rate = len(jobs) / totals["healthz_s"]
    like = f"bench-{run_id}-%"
    rows, distinct = stack.query(
        "SELECT count(*), count(DISTINCT event_id) FROM webhooks_webhookevent WHERE event_id LIKE %s", (like,))[0]
    answers = Counter(outcomes.values())
    stored_once = rows == distinct == events and answers.get("202 accepted", 0) == events
    return {"events": events, "duplicates_sent": len(jobs) - events, "posts": len(jobs), "concurrency": concurrency,
            "webhooks_per_s": round(webhook_rate, 1), "healthz_per_s": round(healthz_rate, 1),
            "ratio_to_healthz": round(webhook_rate / healthz_rate, 2), "rounds": per_round,
            "webhook_p50_ms": ms(percentile([r.seconds for r in webhook_results], 50)),
            "webhook_p95_ms": ms(percentile([r.seconds for r in webhook_results], 95)),
            "healthz_p50_ms": ms(percentile([r.seconds for r in healthz_results], 50)),
            "healthz_p95_ms": ms(percentile([r.seconds for r in healthz_results], 95)),
            "healthz_errors": sum(not r.ok for r in healthz_results),
            "answers": dict(answers), "rows_stored": rows, "distinct_event_ids": distinct,
            "stored_once": stored_once, "run_id": run_id}


def webhook_processing(stack: Stack, run_id: str, events: int, timeout: float = 180) -> dict:
    """Start a real Celery worker and time how long it takes to process the queued events."""
    like = f"bench-{run_id}-%"
    started = time.perf_counter()
    stack.start_celery()
    ready = time.perf_counter()
    deadline = ready + timeout
    by_status: dict[str, int] = {}
    while time.perf_counter() < deadline:
        by_status = dict(stack.query("SELECT status, count(*) FROM webhooks_webhookevent WHERE event_id LIKE %s "
                                     "GROUP BY status", (like,)))
        if sum(count for status, count in by_status.items() if status not in ("received", "processing",
                                                                             "retrying")) >= events:
            break
        time.sleep(0.25)
    finished = time.perf_counter()
    processed = by_status.get("processed", 0)
    return {"worker_start_s": round(ready - started, 1), "drain_s": round(finished - ready, 1),
            "processed": processed, "by_status": by_status,
            "processed_per_s": round(processed / (finished - ready), 1) if finished > ready else None}


# -- 6: provisioning ------------------------------------------------------------------------------------

def provisioning(stack: Stack, sites: list[Site], orders: int, duplicate_share: float, concurrency: int,
                 timeout: float = 900) -> dict:
    """Approved orders -> order events (some duplicated) -> jobs run by the real Celery worker.

    The orders are placed through the portal's API (one Salesforce order each, ``SIM_ORDERS`` of
    them a SIM plan, the others a non-SIM product) and approved in the Salesforce emulator; the events go through
    ``provisioning_request`` as the Platform Event subscriber calls it (``bench.provisioning_events``).
    Duplicates: half re-deliveries of the same event, half new events for the same order.
    """
    missing = [name for name in ("services.py", "tasks.py", "orchestrator.py")
               if not (ROOT / "portal" / "provisioning" / name).is_file()]
    if missing:
        return {"available": False, "reason": "not available (issue 7 pending: portal/provisioning has no "
                                              + ", ".join(missing) + ")"}
    run_id = secrets.token_hex(4)
    products = _order_products(stack, sites[0])
    placed = _place_orders(stack, sites, products, run_id, orders, concurrency)
    for order_id in placed.values():
        stack.sandbox("salesforce", "POST", f"orders/{order_id}/approve")
    rng = random.Random(7)
    events = [{"order_id": order_id, "key": key, "event_id": f"evt-{key}"} for key, order_id in placed.items()]
    duplicates = rng.sample(events, int(len(events) * duplicate_share))
    for i, original in enumerate(duplicates):
        replay = dict(original) if i % 2 == 0 else {**original, "event_id": original["event_id"] + "-again"}
        events.append(replay)
    rng.shuffle(events)
    stack.start_celery()
    stack.reset_stats()
    started = time.perf_counter()
    emitted = json.loads(stack.run_in_portal("bench.provisioning_events", json.dumps(events)))
    like = f"bench-{run_id}-%"
    states: dict[str, int] = {}
    deadline = started + timeout
    while time.perf_counter() < deadline:
        states = dict(stack.query("SELECT state, count(*) FROM provisioning_provisioningjob "
                                  "WHERE idempotency_key LIKE %s GROUP BY state", (like,)))
        if states.get("succeeded", 0) + states.get("failed", 0) >= len(placed):
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    finished = states.get("succeeded", 0) + states.get("failed", 0)
    rows, distinct_orders, avg_seconds = stack.query(
        "SELECT count(*), count(DISTINCT whmcs_order_id), "
        "avg(extract(epoch FROM finished_at - created_at)) FROM provisioning_provisioningjob "
        "WHERE idempotency_key LIKE %s", (like,))[0]
    failures = dict(stack.query("SELECT error_code, count(*) FROM provisioning_provisioningjob "
                                "WHERE idempotency_key LIKE %s AND state = 'failed' GROUP BY error_code", (like,)))
    provider_calls = stack.provider_stats()  # before the GetOrders check below
    whmcs_orders = _whmcs_orders_by_job(stack, run_id)
    return {
        "available": True, "orders": len(placed), "events": len(events), "duplicate_events": len(duplicates),
        "products": [name for name, _ in products], "celery_concurrency": stack.config.celery_concurrency,
        "emitted": emitted, "jobs": rows, "states": states, "failures": failures,
        "finished_in_s": round(elapsed, 1), "jobs_per_s": round(finished / elapsed, 2) if elapsed else None,
        "avg_job_s": round(float(avg_seconds), 2) if avg_seconds is not None else None,
        "whmcs_orders": sum(whmcs_orders.values()), "whmcs_orders_distinct_in_jobs": distinct_orders,
        "duplicate_whmcs_orders": sum(count - 1 for count in whmcs_orders.values() if count > 1),
        "provider_calls": provider_calls,
        "provider_calls_per_job": round(sum(sum(c.values()) for c in provider_calls.values()) / max(1, rows), 2),
        "worker_s_per_job": round(stack.config.celery_concurrency * elapsed / max(1, finished), 2),
        "run_id": run_id,
        "reason": "" if finished >= len(placed) else f"only {finished} of {len(placed)} jobs finished in {timeout:g} s",
    }


def _order_products(stack: Stack, site: Site) -> list[tuple[str, str]]:
    """(name, id) of a SIM plan and of a product that needs no SIM and no line (neither Internet nor a fee)."""
    browser = Browser(stack.base_url, site.cookies)
    try:
        answer = browser.get("/api/v1/catalog", keep_body=True)
    finally:
        browser.close()
    chosen = products_to_order(answer)
    if not chosen:
        raise RuntimeError("the catalog has no product to order")
    return chosen


def products_to_order(answer: Timed) -> list[tuple[str, str]]:
    """From ``GET /api/v1/catalog``'s answer: (name, id) of a data SIM plan (else any SIM plan) and
    of a product that needs no SIM and no line (neither Internet nor a fee)."""
    if answer.status != 200:
        raise RuntimeError(f"GET /api/v1/catalog answered {answer.status or answer.error}")
    catalog = json.loads(answer.body)["data"]
    sim = next((p for p in catalog if p["is_sim"] and "Data" in p["name"]), None) or next(
        (p for p in catalog if p["is_sim"]), None)
    other = next((p for p in catalog if not p["is_sim"] and p["category"] not in ("Internet", "Fees")), None)
    return [(p["name"], p["id"]) for p in (sim, other) if p]


SIM_ORDERS = 12


def _place_orders(stack: Stack, sites: list[Site], products: list[tuple[str, str]], run_id: str, count: int,
                  concurrency: int) -> dict[str, str]:
    """Place ``count`` one-line orders through POST /api/v1/orders; answers {request id: order id}."""
    placed: dict[str, str] = {}
    problems: list[str] = []
    lock = threading.Lock()
    jobs = iter(range(count))
    # A SIM plan for SIM_ORDERS of them, spread over the run (the emulators stock 16 blank data-only
    # SIMs: more would fail as sim_inventory_empty), the product without a SIM for the others.
    sims = min(SIM_ORDERS, count) if len(products) > 1 else count
    sim_orders = {round(k * count / sims) for k in range(sims)} if sims else set()

    def work(worker: int) -> None:
        site = sites[worker % len(sites)]
        browser = Browser(stack.base_url, site.cookies)
        csrf = next(value for name, value in site.cookies.items() if "csrftoken" in name)
        try:
            while True:
                with lock:
                    i = next(jobs, None)
                if i is None:
                    return
                key = f"bench-{run_id}-{i:04d}"
                _, product_id = products[0 if i in sim_orders else -1]
                answer = browser.request(
                    "POST", "/api/v1/orders", keep_body=True,
                    json={"request_id": key, "lines": [{"product_id": product_id, "quantity": 1}]},
                    headers={"X-CSRFToken": csrf, "Referer": stack.base_url + "/orders/"})
                with lock:
                    if answer.status == 201:
                        placed[key] = json.loads(answer.body)["data"]["id"]
                    else:
                        problems.append(f"{answer.status} {answer.error} {answer.body[:200]}")
        finally:
            browser.close()

    run_threads(min(concurrency, count), work, timeout=600)
    if problems:
        raise RuntimeError(f"{len(problems)} of {count} orders were not placed, e.g. {problems[0]}")
    return placed


def _whmcs_orders_by_job(stack: Stack, run_id: str) -> Counter:
    """How many WHMCS orders carry each bench job's marker (``portal-job:<key>`` in the notes)."""
    answer = stack.whmcs_api("GetOrders", limitnum=100000)
    listed = answer.get("orders") or {}
    found: Counter = Counter()
    for order in listed.get("order", []) if isinstance(listed, dict) else []:
        for match in re.finditer(rf"portal-job:(bench-{run_id}-\d+)", order.get("notes") or ""):
            found[match.group(1)] += 1
    return found


def load_average() -> list[float]:
    try:
        return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        return []


# -- 7: a provider down, and the circuit breaker ---------------------------------------------------------

def provider_outage(stack: Stack, sites: list[Site], requests_count: int = 30,
                    path: str = "/billing/invoices/") -> dict:
    """WHMCS answering 503 after L to every call, nothing cached: one customer loads the invoice page
    again and again. The first loads pay for the retries; once the breaker opens, the page (the
    friendly 503) is answered without calling WHMCS. Last phase: it leaves WHMCS's circuit open."""
    browser = Browser(stack.base_url, sites[0].cookies)
    stack.flush_cache()  # nothing cached, and the circuit closed (its state lives in the cache)
    stack.sandbox("whmcs", "POST", "faults", {"latency_ms": stack.config.latency_ms, "error_rate": 1.0,
                                               "status": 503})
    stack.sandbox("whmcs", "DELETE", "stats")
    samples: list[tuple[Timed, int]] = []
    try:
        for _ in range(requests_count):
            before = stack.sandbox("whmcs", "GET", "stats").get("total", 0)
            result = browser.get(path)
            samples.append((result, stack.sandbox("whmcs", "GET", "stats").get("total", 0) - before))
    finally:
        browser.close()
        stack.sandbox("whmcs", "POST", "faults", {"latency_ms": stack.config.latency_ms})
    calling = [result.seconds for result, calls in samples if calls]
    refused = [result.seconds for result, calls in samples if not calls]
    latency_s = stack.config.latency_ms / 1000
    return {"requests": requests_count, "path": path,
            "statuses": dict(Counter(result.status for result, _ in samples)),
            "requests_calling_whmcs": len(calling), "whmcs_calls": sum(calls for _, calls in samples),
            "median_ms_calling": ms(statistics.median(calling)) if calling else None,
            "median_ms_open": ms(statistics.median(refused)) if refused else None,
            "ratio_calling": round(statistics.median(calling) / latency_s, 2) if calling and latency_s else None,
            "ratio_open": round(statistics.median(refused) / latency_s, 2) if refused and latency_s else None}
