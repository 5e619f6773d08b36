"""``python -m bench.run [--latency-ms 100] [--duration 60] [--concurrency 20] [--json FILE]``

Starts PostgreSQL database ``portal_bench``, Redis dbs 13 (cache) and 12 (broker), the three
provider emulators with a fixed added latency per call and 10,000 generated customers besides the
two demo ones (``--customers``), and the portal under gunicorn with the production settings;
measures (docs/performance.md explains each figure):

1. the dashboard with a cold cache, against the latency L;
2. the dashboard with a warm cache, against /healthz on the same server, and its provider calls;
3. hundreds of the 10,000 generated customers sign in and view each page once, then browse for a
   fixed time at a fixed concurrency: provider calls per page, page times, the web workers' peak
   RSS, Redis memory and database size per customer;
4. a stampede of concurrent requests on one cold cache key;
5. signed WHMCS webhook ingest against /healthz at the same concurrency, stored-once check, and
   the Celery worker processing the stored events;
6. provisioning: approved orders, their events with duplicates, jobs run by the Celery worker,
   and WHMCS orders placed twice (none expected).

Prints one table and writes the figures as JSON. Everything it starts is stopped on the way out,
also on Ctrl+C.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench import population, report, scenarios
from bench.stack import ROOT, Stack, StackConfig, StackError

LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=float, default=100, help="latency added to every provider call (100)")
    parser.add_argument("--duration", type=float, default=60, help="seconds of the mixed browsing load (60)")
    parser.add_argument("--concurrency", type=int, default=20, help="concurrent clients for the load and ingest (20)")
    parser.add_argument("--json", type=Path, default=ROOT / "var" / "bench-results.json",
                        help="where to write the results (var/bench-results.json)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (2)")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker (8)")
    parser.add_argument("--cold-samples", type=int, default=20, help="cold dashboard samples (20)")
    parser.add_argument("--warm-samples", type=int, default=50, help="warm dashboard samples (50)")
    parser.add_argument("--stampede", type=int, default=50, help="concurrent requests on one cold key (50)")
    parser.add_argument("--webhooks", type=int, default=1000, help="distinct webhook events to ingest (1000)")
    parser.add_argument("--webhook-duplicates", type=float, default=0.1,
                        help="share of those events sent a second time (0.1)")
    parser.add_argument("--orders", type=int, default=200, help="orders to provision (200)")
    parser.add_argument("--order-duplicates", type=float, default=0.2,
                        help="share of order events delivered twice (0.2)")
    parser.add_argument("--celery-concurrency", type=int, default=4, help="Celery worker processes (4)")
    parser.add_argument("--customers", type=int, default=10_000,
                        help="generated customers seeded in the emulators and the portal besides the two demo ones "
                        "(10000; 0: the demo customers only, and phase 3 browses as them)")
    parser.add_argument("--browse-customers", type=int, default=200,
                        help="distinct generated customers who sign in and browse in phase 3 (200)")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="an administrative PostgreSQL connection on 127.0.0.1")
    parser.add_argument("--database", default="portal_bench", help="the database (re)created for the run")
    parser.add_argument("--keep-database", action="store_true", help="leave the database in place afterwards")
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--cache-db", type=int, default=13, help="Redis db of the cache, flushed (13)")
    parser.add_argument("--broker-db", type=int, default=12, help="Redis db of the Celery broker, flushed (12)")
    args = parser.parse_args(argv)
    if urlsplit(args.postgres_url).hostname not in LOCAL_HOSTS:
        parser.error("--postgres-url must point at 127.0.0.1")
    if args.concurrency < 1 or args.duration <= 0 or args.latency_ms < 0:
        parser.error("--concurrency >= 1, --duration > 0 and --latency-ms >= 0, please")
    if not 0 <= args.customers <= 500_000 or (args.customers and args.browse_customers < 1):
        parser.error("--customers 0 to 500000, and --browse-customers >= 1, please")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # stop like Ctrl+C: the finally blocks clean up
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even when started with SIGINT ignored
    config = StackConfig(
        latency_ms=args.latency_ms, workers=args.workers, threads=args.threads, postgres_url=args.postgres_url,
        database=args.database, redis_host="127.0.0.1", redis_port=args.redis_port, cache_db=args.cache_db,
        broker_db=args.broker_db, keep_database=args.keep_database,
        # Logs and the run's Salesforce key per database: two runs side by side must not share them.
        work_dir=ROOT / "var" / "bench" / args.database,
        celery_concurrency=args.celery_concurrency, customers=args.customers,
    )
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "config": {key: (str(value) if isinstance(value, Path) else value) for key, value in vars(args).items()},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": scenarios.load_average()},
    }
    began = time.monotonic()
    try:
        with Stack(config) as stack:
            stack.start(log=_log)
            results["emulators_ready_s"] = stack.seed_seconds
            _log("==> Signing in, finding each customer's pages, warming every worker")
            sites = scenarios.discover(stack)
            scenarios.warm_up(stack, sites)
            results["mix_pages"] = {site.email: len(site.pages) for site in sites}

            phases = [
                ("cold_dashboard", f"1. Dashboard, cold cache ({args.cold_samples} samples, then first visits, "
                 "then L = 0)", lambda: scenarios.cold_dashboard(stack, sites, args.cold_samples)),
                ("warm_dashboard", f"2. Dashboard, warm cache ({args.warm_samples} samples, interleaved with "
                 "/healthz)", lambda: scenarios.warm_dashboard(stack, sites, args.warm_samples)),
                ("mixed_load", f"3. Browsing: {min(args.browse_customers, args.customers):,} of {args.customers:,} "
                 f"generated customers sign in, view each page once, then {args.concurrency} clients browse for "
                 f"{args.duration:g} s", lambda: population.run(stack, args.customers, args.browse_customers,
                                                              args.duration, args.concurrency))
                if args.customers else
                ("mixed_load", f"3. Mixed browsing load: {args.concurrency} sessions for {args.duration:g} s",
                 lambda: scenarios.mixed_load(stack, sites, args.duration, args.concurrency)),
                ("stampede", f"4. Stampede: {args.stampede} concurrent requests on one cold key",
                 lambda: scenarios.stampede(stack, sites, args.stampede)),
                ("webhook_ingest", f"5. Webhook ingest: {args.webhooks} signed events "
                 f"(+{args.webhook_duplicates:.0%} re-sent), concurrency {args.concurrency}",
                 lambda: scenarios.webhook_ingest(stack, args.webhooks, args.webhook_duplicates, args.concurrency)),
                ("webhook_processing", "5b. A Celery worker processes the stored events",
                 lambda: scenarios.webhook_processing(stack, results["webhook_ingest"]["run_id"], args.webhooks)),
                ("provisioning", f"6. Provisioning: {args.orders} approved orders, {args.order_duplicates:.0%} of "
                 "their events delivered twice, through the Celery worker",
                 lambda: scenarios.provisioning(stack, sites, args.orders, args.order_duplicates,
                                                min(args.concurrency, 10))),
                ("provider_outage", "7. WHMCS down (503 after L), nothing cached: the circuit breaker",
                 lambda: scenarios.provider_outage(stack, sites)),
            ]
            for key, title, measure in phases:
                _log(f"==> {title}")
                try:
                    results[key] = measure()
                except Exception as exc:
                    # One phase failing must not lose the others: it is reported as failed.
                    exited = stack.exited()
                    results[key] = {"failed": f"{type(exc).__name__}: {exc}"
                                    + (f" (exited: {exited})" if exited else "")}
                    _log(f"    failed: {results[key]['failed']} (logs in {config.work_dir})")
            results["memory_at_end"] = scenarios.worker_memory(stack)
            _log("==> Stopping everything")
    except StackError as exc:
        print(f"\nbench: could not start the stack: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nbench: interrupted; everything it started has been stopped.", file=sys.stderr)
        return 130
    results["machine"]["load_average_after"] = scenarios.load_average()
    results["elapsed_s"] = round(time.monotonic() - began, 1)
    table = report.rows(results)
    results["table"] = table
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print()
    print(f"Benchmark, L = {args.latency_ms:g} ms per provider call, {args.customers:,} generated customers + the "
          f"2 demo ones, gunicorn {args.workers}x{args.threads}, "
          f"{os.cpu_count()} CPUs, load average {results['machine']['load_average_before']} before, "
          f"{results['machine']['load_average_after']} after")
    print(report.render(table))
    print(f"Figures in {args.json} (took {results['elapsed_s']:g} s). See docs/performance.md.")
    return 0


def _log(message: str) -> None:
    print(message, flush=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
