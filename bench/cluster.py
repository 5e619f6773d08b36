"""``python -m bench.cluster [--broker redis|rabbitmq]``: the portal on several machines, drilled on one
(issue 22; docs/operations.md, "The multi-process drill").

Starts, each a process of its own on 127.0.0.1: the three provider emulators (Salesforce with its
Pub/Sub API), two web servers (gunicorn, production settings, as ``make bench`` runs them) behind
HAProxy, two Celery workers, beat, and two Platform Event subscribers (``manage.py
subscribe_platform_events`` twice), on one PostgreSQL database (``portal_cluster``) and one Redis
(db 9 the cache, db 0 the broker), or RabbitMQ as the broker (a vhost of its own).

Then, through the load balancer and paced over ``--duration`` seconds: sign-ins and browsing,
orders placed through the API and approved in the Salesforce emulator (the events reach the
subscribers over the Pub/Sub stream), signed WHMCS webhooks (some sent twice) and SIM top-ups.
Midway it SIGKILLs one web server, one worker and the active subscriber. A client retries a request
that failed at the load balancer (a connection refused or cut, or HAProxy's own 502/503/504), with
the same idempotency key, and every such failure is counted.

Checks: one provisioning job per order and one WHMCS order per job (counted by the job's marker in
WHMCS's orders), every job succeeded; one paid WHMCS invoice per top-up (by its marker, balance 0:
not paid twice), one CapturePayment per top-up and one Freebit quota addition per top-up (by its
quotaCode); every webhook stored once and processed; sessions signed in through the killed server
keep browsing through the other; no other process died. Prints its figures, writes them to
``var/cluster-<broker>.json`` and exits 1 if a check fails (2 if the stack did not start).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests

from bench import scenarios
from bench.client import Browser, Timed, WebhookSender
from bench.stack import HOST, ROOT, Process, Stack, StackConfig, StackError, free_port

CUSTOMERS = (("alice@example.com", 1001), ("bob@example.com", 1002))  # the demo's (seed_demo)
DEMO_PASSWORD = "portal-demo"  # noqa: S105 - the published demo sign-in
WEB_SERVERS = ("web1", "web2")
LB_STATUSES = {502, 503, 504}
RETRIES = 8  # a request failing at the load balancer is sent again this many times at most
RETRY_PAUSE = 0.5
BROWSE_PATHS = ("/", "/billing/invoices/", "/subscriptions/", "/catalog/", "/orders/", "/sims/", "/account/")
JAPAN = ZoneInfo("Asia/Tokyo")

# What the drill changes in the portal's settings (the rest is production's, as make bench runs it):
# HAProxy is the one proxy in front; the drill's own rate would trip the per-address and per-user
# limits (it tests recovery, not throttles); short leases and frequent sweeps so that what a killed
# worker or web server held is taken over within the run, with the task time limits below the
# leases as in production.
DRILL_SETTINGS = {
    "TRUSTED_PROXY_COUNT": "1",
    "API_RATE_PER_USER": "100000/m",
    "CELERY_TASK_SOFT_TIME_LIMIT": "20", "CELERY_TASK_TIME_LIMIT": "25",
    "PROVISIONING_TASK_SOFT_TIME_LIMIT": "20", "PROVISIONING_TASK_TIME_LIMIT": "25",
    "WEBHOOK_LEASE_SECONDS": "30", "PROVISIONING_LEASE_SECONDS": "30", "SIM_TOPUP_LEASE_SECONDS": "30",
    "WEBHOOK_SWEEP_AFTER_SECONDS": "30", "WEBHOOK_SWEEP_INTERVAL_SECONDS": "5",
    "PROVISIONING_SWEEP_AFTER_SECONDS": "30", "PROVISIONING_SWEEP_INTERVAL_SECONDS": "5",
    "SIM_TOPUP_SWEEP_AFTER_SECONDS": "10", "SIM_TOPUP_SWEEP_INTERVAL_SECONDS": "5",
    "WEBHOOK_RETRY_BACKOFF_SECONDS": "2", "WEBHOOK_RETRY_BACKOFF_MAX_SECONDS": "10",
    "PROVISIONING_RETRY_BACKOFF_SECONDS": "2", "PROVISIONING_RETRY_BACKOFF_MAX_SECONDS": "10",
    "SIM_TOPUP_RETRY_BACKOFF_SECONDS": "2", "SIM_TOPUP_RETRY_BACKOFF_MAX_SECONDS": "5",
    # Events approved before a subscriber first connects are not skipped (duplicates are deduplicated).
    "SALESFORCE_PUBSUB_FIRST_START": "EARLIEST",
}

HAPROXY_CONFIG = """\
global
    maxconn 4000
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 70s
    timeout server 70s
    timeout http-request 10s
    timeout queue 10s
    # A connection refused by a dead server is tried again, on the other server.
    retries 2
    option redispatch 1
    option forwardfor
    # Health checks: a dead server refuses at once (down after two checks); a busy one has 3 s to answer.
    timeout check 3s
    default-server inter 1s fall 2 rise 2
frontend portal
    bind {host}:{port}
    default_backend web
frontend stats
    bind {host}:{stats_port}
    stats enable
    stats uri /
backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host {host}
    http-check expect status 200
    http-response set-header X-Served-By %[srv_name]
{servers}
"""


# -- the stack ------------------------------------------------------------------------------------------

@dataclass
class Cluster(Stack):
    """``bench.stack.Stack`` with two web servers behind HAProxy, two workers, beat and two subscribers."""

    broker: str = "redis"
    amqp_base: str = "amqp://guest:guest@127.0.0.1:5672"
    vhost: str = "portal_cluster"
    roles: dict[str, Process] = field(default_factory=dict)
    web_ports: dict[str, int] = field(default_factory=dict)
    stats_port: int = 0

    @property
    def amqp_url(self) -> str:
        return f"{self.amqp_base}/{self.vhost}"

    def _portal_env(self) -> dict[str, str]:
        env = super()._portal_env()
        env.update(DRILL_SETTINGS)
        if self.broker == "rabbitmq":
            env["CELERY_BROKER_URL"] = self.amqp_url
        return env

    def flush_broker(self) -> None:
        if self.broker != "rabbitmq":
            super().flush_broker()
            return
        # A vhost of the drill's own, made afresh: nothing of another run or of anyone else's queues.
        _rabbitmqctl("delete_vhost", self.vhost, check=False)
        _rabbitmqctl("add_vhost", self.vhost)
        _rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")

    def close(self) -> None:
        super().close()
        if self.broker == "rabbitmq":
            _rabbitmqctl("delete_vhost", self.vhost, check=False)

    def _start_gunicorn(self, log) -> None:
        """Two gunicorns on ports of their own, and HAProxy on ``self.port`` (the portal's public URL)."""
        cfg = self.config
        for name in WEB_SERVERS:
            port = self.web_ports[name] = free_port()
            argv = [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"{HOST}:{port}",
                    "--workers", str(cfg.workers), "--threads", str(cfg.threads), "--timeout", "60",
                    "--log-level", "warning", "--no-control-socket"]
            self.roles[name] = self._spawn(name, argv, self.env)
        for name, port in self.web_ports.items():
            self._wait_http(name, f"http://{HOST}:{port}/healthz", timeout=90)
        self.gunicorn = self.roles["web1"]
        self.stats_port = free_port()
        servers = "\n".join(f"    server {name} {HOST}:{port} check" for name, port in self.web_ports.items())
        config_path = cfg.work_dir / "haproxy.cfg"
        config_path.write_text(HAPROXY_CONFIG.format(host=HOST, port=self.port, stats_port=self.stats_port,
                                                     servers=servers))
        self.roles["haproxy"] = self._spawn("haproxy", ["haproxy", "-f", str(config_path), "-db"], os.environ.copy())
        self._wait_http("haproxy", self.base_url + "/healthz", timeout=30)
        deadline = time.monotonic() + 30
        while set(self.lb_servers_up()) != set(WEB_SERVERS) and time.monotonic() < deadline:
            time.sleep(0.2)
        log(f"==> HAProxy at {self.base_url} in front of "
            + ", ".join(f"{name} :{port} ({cfg.workers} workers x {cfg.threads} threads)"
                        for name, port in self.web_ports.items()))

    def start_backend(self, log) -> None:
        """Two Celery workers, beat, and the Platform Event subscriber twice."""
        cfg = self.config
        verbose = {**self.env, "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1"}
        for name in ("worker1", "worker2"):
            self.roles[name] = self._spawn(name, [
                sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO", "-n", f"{name}@%h",
                f"--concurrency={cfg.celery_concurrency}", "--without-heartbeat", "--without-gossip",
                "--without-mingle"], verbose)
        self.roles["beat"] = self._spawn("beat", [
            sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO",
            "--schedule", str(cfg.work_dir / "beat-schedule"), "--max-interval", "1"], verbose)
        for name in ("subscriber1", "subscriber2"):
            self.roles[name] = self._spawn(name, [sys.executable, "manage.py", "subscribe_platform_events"], verbose)
        for name in ("worker1", "worker2"):
            self._wait_log(name, " ready.", timeout=90)
        for name in ("subscriber1", "subscriber2"):
            self._wait_log(name, "Subscribing to", timeout=60)
        deadline = time.monotonic() + 60
        while self.sandbox("salesforce", "GET", "pubsub").get("streams", 0) < 1 or (
                self.has_lease() and self.lease_holder()[0] is None):
            if time.monotonic() > deadline:
                raise StackError("no subscriber took the lease and opened a Pub/Sub stream within 60 s (logs in "
                                 f"{cfg.work_dir})")
            time.sleep(0.2)
        log(f"==> Celery workers x{cfg.celery_concurrency} on {self.broker}, beat and two subscribers up")

    # -- helpers -----------------------------------------------------------------------------------------
    def _wait_log(self, name: str, text: str, *, timeout: float) -> None:
        process = self.roles[name]
        deadline = time.monotonic() + timeout
        while text not in process.log_path.read_text(errors="replace"):
            if process.popen.poll() is not None:
                raise StackError(f"{name} exited with {process.popen.returncode} (log {process.log_path}):\n"
                                 f"{process.log_tail()}")
            if time.monotonic() > deadline:
                raise StackError(f"{name} did not log {text!r} within {timeout:g} s (log {process.log_path}):\n"
                                 f"{process.log_tail()}")
            time.sleep(0.2)

    def has_lease(self) -> bool:
        """Whether the portal has the subscriber lease (portal/provisioning/lease.py)."""
        return bool(self.query("SELECT to_regclass('provisioning_subscriberlease') IS NOT NULL")[0][0])

    def lease_holder(self) -> tuple[str | None, datetime | None]:
        """The subscriber holding the lease now (its name here) and since when."""
        rows = self.query("SELECT holder, acquired_at, EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' "
                          "AND granted AND pid = backend_pid) FROM provisioning_subscriberlease")
        pids = {str(process.popen.pid): name for name, process in self.roles.items() if name.startswith("subscriber")}
        for holder, acquired_at, held in rows:
            if held and holder.rsplit(":", 1)[-1] in pids:
                return pids[holder.rsplit(":", 1)[-1]], acquired_at
        return None, None

    def lb_servers_up(self) -> list[str]:
        """The web servers HAProxy's health checks hold up (its stats, as CSV)."""
        try:
            csv = requests.get(f"http://{HOST}:{self.stats_port}/;csv", timeout=2).text
        except requests.RequestException:
            return []
        return [row.split(",")[1] for row in csv.splitlines()
                if row.startswith("web,") and row.split(",")[1] in WEB_SERVERS and row.split(",")[17] == "UP"]

    def kill(self, *names: str) -> None:
        """SIGKILL to each process and its children (its process group), all at once: machines that died."""
        for name in names:
            try:
                os.killpg(self.roles[name].popen.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for name in names:
            self.roles[name].popen.wait(timeout=10)

    def unexpected_exits(self, killed: set[str]) -> dict[str, int]:
        return {name: code for name, code in self.exited().items() if name not in killed}

    def freebit_quota_codes(self, msisdn: str) -> Counter:
        """Freebit's quota history of one line over the last days (PA05-02), counted by quotaCode."""
        api = self.urls["freebit"] + "/emptool/api"
        auth = requests.post(api + "/authOem/", data={"json": json.dumps(
            {"oemId": "sandbox-oem", "oemKey": self._freebit_key})}, timeout=30).json()
        today = datetime.now(JAPAN).date()
        answer = requests.post(api + "/mvno/getQuotaHistory/", data={"json": json.dumps({
            "authKey": auth["authKey"], "kind": "MVNO", "account": msisdn,
            "fromDate": (today - timedelta(days=2)).strftime("%Y%m%d"),
            "toDate": (today + timedelta(days=1)).strftime("%Y%m%d")})}, timeout=30).json()
        if answer.get("resultCode") != "100":
            raise RuntimeError(f"getQuotaHistory for {msisdn} answered {answer}")
        return Counter(entry.get("quotaCode") for entry in answer.get("quotaHistory", []))


def _rabbitmqctl(*args: str, check: bool = True) -> None:
    if shutil.which("rabbitmqctl") is None:
        raise StackError("--broker rabbitmq needs rabbitmqctl (Debian: rabbitmq-server) to make the drill's vhost")
    result = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=60, check=False)
    if check and result.returncode != 0:
        raise StackError(f"rabbitmqctl {' '.join(args)} failed: {result.stderr.strip() or result.stdout.strip()}")


# -- the clients ----------------------------------------------------------------------------------------

class Tally:
    """What the clients saw, shared by their threads: failures at the load balancer (and the retries
    they caused), answers per web server before and after the kill, and the application's errors."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.kill_at: float | None = None
        self.lb_failures: list[dict] = []
        self.gave_up: list[str] = []
        self.served: Counter = Counter()
        self.app_errors: Counter = Counter()

    def failed_at_lb(self, kind: str, what: str, *, retried: bool) -> None:
        with self.lock:
            at = time.time()
            self.lb_failures.append({"kind": kind, "what": what, "retried": retried,
                                     "after_kill_s": round(at - self.kill_at, 2) if self.kill_at else None})
            if not retried:
                self.gave_up.append(f"{what}: {kind}")

    def answered(self, server: str | None, status: int, what: str) -> None:
        with self.lock:
            self.served[("after" if self.kill_at else "before", server or "?")] += 1
            if status >= 500:
                self.app_errors[f"{status} {what}"] += 1


def lb_failure(result: Timed, server: str | None) -> str | None:
    """Why ``result`` failed at the load balancer (the request may never have reached a web server,
    or its server died under it), or None when a web server answered."""
    if result.error:
        return result.error
    if result.status in LB_STATUSES and server is None:
        return f"HTTP {result.status} from HAProxy"
    return None


class Client(Browser):
    """A browser through the load balancer: notes which web server answered (HAProxy's X-Served-By)
    and sends again, unchanged, a request that failed at the load balancer."""

    def __init__(self, base_url: str, tally: Tally, cookies: dict[str, str] | None = None) -> None:
        super().__init__(base_url, cookies)
        self.tally = tally
        self.server: str | None = None
        self.http.hooks["response"].append(self._note)

    def _note(self, response, *args, **kwargs) -> None:
        self.server = response.headers.get("X-Served-By")

    def request(self, method: str, path: str, **kwargs) -> Timed:
        what = f"{method} {re.sub(r'[0-9]{6,}', '<id>', path.split('?')[0])}"
        for attempt in range(RETRIES + 1):
            self.server = None
            result = super().request(method, path, **kwargs)
            failure = lb_failure(result, self.server)
            if failure is None:
                self.tally.answered(self.server, result.status, what)
                return result
            self.tally.failed_at_lb(failure, what, retried=attempt < RETRIES)
            time.sleep(RETRY_PAUSE)
        return result

    @property
    def csrf(self) -> str:
        return next(value for name, value in self.cookies.items() if "csrftoken" in name)


class Sender(WebhookSender):
    """WHMCS's hook module through the load balancer, sending again what failed there (same event id;
    the signature is made afresh, as the module would)."""

    def __init__(self, base_url: str, secret: str, tally: Tally) -> None:
        super().__init__(base_url, secret)
        self.tally = tally
        self.server: str | None = None
        self.http.hooks["response"].append(lambda response, *a, **k: setattr(
            self, "server", response.headers.get("X-Served-By")))

    def post(self, event_id: str, body: bytes) -> tuple[Timed, str]:
        for attempt in range(RETRIES + 1):
            self.server = None
            result, outcome = super().post(event_id, body)
            failure = lb_failure(result, self.server)
            if failure is None:
                self.tally.answered(self.server, result.status, "POST /webhooks/whmcs/")
                return result, outcome
            self.tally.failed_at_lb(failure, "POST /webhooks/whmcs/", retried=attempt < RETRIES)
            time.sleep(RETRY_PAUSE)
        return result, outcome


def paced(count: int, threads: int, duration: float, work: Callable[[int, int], None], started: float) -> None:
    """``work(thread, i)`` for i in 0..count-1 from ``threads`` threads, job i not before
    ``started + i * duration / count`` (so every stream is midway at the same moment)."""
    jobs = iter(range(count))
    lock = threading.Lock()
    errors: list[BaseException] = []

    def run(thread: int) -> None:
        while True:
            with lock:
                i = next(jobs, None)
            if i is None:
                return
            wait = started + i * duration / count - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                work(thread, i)
            except BaseException as exc:  # reported by the caller
                errors.append(exc)
                return

    pool = [threading.Thread(target=run, args=(t,), daemon=True) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(duration + 600)
    if errors:
        raise errors[0]


# -- the drill --------------------------------------------------------------------------------------------

@dataclass
class Plan:
    orders: int
    sim_orders: int
    webhooks: int
    webhook_duplicates: float
    topups: int
    sessions: int
    duration: float
    kill_at: float  # share of the duration
    drain_timeout: float


class Drill:
    def __init__(self, cluster: Cluster, plan: Plan, log) -> None:
        self.cluster, self.plan, self.log = cluster, plan, log
        self.tally = Tally()
        self.run_id = secrets.token_hex(3)
        self.stop = threading.Event()
        self.results: dict = {}
        self.killed: dict[str, str] = {}
        self.kill_time: float | None = None
        self.stream_errors: list[str] = []

    # -- set-up --------------------------------------------------------------------------------------
    def sign_in(self, email: str) -> Client:
        client = Client(self.cluster.base_url, self.tally)
        client.sign_in(email, DEMO_PASSWORD)
        return client

    def discover(self) -> None:
        alice = self.sign_in(CUSTOMERS[0][0])
        self.products = scenarios.products_to_order(alice.get("/api/v1/catalog", keep_body=True))
        # The SIMs to top up: every active one of the two customers (before any order adds more).
        self.sims: list[tuple[int, str, str]] = []  # (customer index, iccid, msisdn)
        for index, (email, _) in enumerate(CUSTOMERS):
            client = alice if index == 0 else self.sign_in(email)
            listed = json.loads(client.get("/api/v1/sims", keep_body=True).body)["data"]
            for sim_link in listed:
                if sim_link["service_status"] != "Active":
                    continue
                details = client.get(f"/api/v1/sims/{sim_link['iccid']}", keep_body=True)
                if details.status == 200:
                    data = json.loads(details.body)["data"]
                    if data["status"] == "active":
                        self.sims.append((index, data["iccid"], data["msisdn"]))
            client.close()
        if not self.products or not self.sims:
            raise RuntimeError(f"nothing to order ({self.products}) or no active SIM ({self.sims})")

    # -- the streams ---------------------------------------------------------------------------------
    def run(self) -> None:
        plan = self.plan
        self.log(f"==> {plan.sessions} sign-ins through the load balancer")
        self.sessions: list[tuple[str, Client, str | None]] = []
        # Half of them signed in through web1, the server killed later (round robin decides; a few tries).
        for i in range(4 * plan.sessions):
            through_web1 = sum(server == "web1" for *_, server in self.sessions)
            if len(self.sessions) >= plan.sessions and through_web1 >= plan.sessions // 2:
                break
            email = CUSTOMERS[i % 2][0]
            client = Client(self.cluster.base_url, self.tally)
            client.sign_in(email, DEMO_PASSWORD)
            if len(self.sessions) < plan.sessions or client.server == "web1":
                self.sessions.append((email, client, client.server))  # the server that answered the sign-in
            else:
                client.close()
        self.discover()
        self.log(f"==> Orders {plan.orders}, webhooks {plan.webhooks} (+{plan.webhook_duplicates:.0%} sent twice), "
                 f"top-ups {plan.topups}, browsing and more sign-ins, over {plan.duration:g} s; "
                 f"kills at {plan.kill_at * plan.duration:g} s")
        started = time.monotonic()
        self.started_wall = time.time()
        streams = {
            "orders": lambda: self.orders(started),
            "webhooks": lambda: self.webhooks(started),
            "topups": lambda: self.topups(started),
            "sign_ins": lambda: self.more_sign_ins(started),
        }
        threads = [threading.Thread(target=self._stream, args=(name, fn), daemon=True, name=name)
                   for name, fn in streams.items()]
        browsing = [threading.Thread(target=self.browse, args=(i,), daemon=True) for i in range(len(self.sessions))]
        killer = threading.Thread(target=self.kill_midway, args=(started,), daemon=True)
        for thread in [*threads, *browsing, killer]:
            thread.start()
        for thread in [*threads, killer]:
            thread.join(plan.duration + 900)
        self.stop.set()
        for thread in browsing:
            thread.join(60)
        self.results["streams_s"] = round(time.monotonic() - started, 1)
        self.log(f"==> Streams done in {self.results['streams_s']:g} s; waiting for the background work")
        self.drain()
        self.sessions_after_kill()

    def _stream(self, name: str, fn: Callable[[], None]) -> None:
        try:
            fn()
        except BaseException as exc:
            self.stream_errors.append(f"{name}: {type(exc).__name__}: {exc}")
            self.log(f"    stream {name} failed: {type(exc).__name__}: {exc}")

    def orders(self, started: float) -> None:
        self.placed: dict[str, str] = {}
        self.order_answers: Counter = Counter()
        lock = threading.Lock()
        threads = 3
        clients = [self.sign_in(CUSTOMERS[t % 2][0]) for t in range(threads)]
        # SIM plans spread over the run (the emulators' stock of blank SIMs is small), the other product otherwise.
        count = min(self.plan.sim_orders, self.plan.orders)
        sim_orders = {round(k * self.plan.orders / count) for k in range(count)} if count else set()
        self.results["sim_orders"] = len(sim_orders)

        def place(thread: int, i: int) -> None:
            client = clients[thread]
            key = f"cluster-{self.run_id}-{i:04d}"
            _, product_id = self.products[0 if i in sim_orders else -1]
            answer = client.request("POST", "/api/v1/orders", keep_body=True,
                                    json={"request_id": key, "lines": [{"product_id": product_id, "quantity": 1}]},
                                    headers={"X-CSRFToken": client.csrf, "Referer": client.base_url + "/orders/"})
            with lock:
                self.order_answers[answer.status or answer.error] += 1
            if answer.status not in (200, 201):
                raise RuntimeError(f"order {key}: {answer.status} {answer.error} {answer.body[:300]}")
            order_id = json.loads(answer.body)["data"]["id"]
            self.cluster.sandbox("salesforce", "POST", f"orders/{order_id}/approve")  # the operator, in Salesforce
            with lock:
                self.placed[key] = order_id

        paced(self.plan.orders, threads, self.plan.duration, place, started)

    def webhooks(self, started: float) -> None:
        plan = self.plan
        unique = [f"cluster-{self.run_id}-{i:05d}" for i in range(plan.webhooks)]
        rng = random.Random(22)
        again = set(rng.sample(range(plan.webhooks), int(plan.webhooks * plan.webhook_duplicates)))
        # A re-sent event follows its original a few places later (WHMCS's module retrying).
        jobs: list[str] = []
        for i, event_id in enumerate(unique):
            jobs.append(event_id)
            if i - 3 in again:
                jobs.append(unique[i - 3])
        self.webhook_ids = unique
        self.webhook_answers: Counter = Counter()
        lock = threading.Lock()
        threads = 4
        senders = [Sender(self.cluster.base_url, self.cluster.webhook_secret, self.tally) for _ in range(threads)]

        def send(thread: int, i: int) -> None:
            event_id = jobs[i]
            number = int(event_id.rsplit("-", 1)[1])
            body = WebhookSender.body(event_id, CUSTOMERS[number % 2][1], 1 + number % 30)
            result, outcome = senders[thread].post(event_id, body)
            with lock:
                self.webhook_answers[f"{result.status or result.error} {outcome}".strip()] += 1

        paced(len(jobs), threads, plan.duration, send, started)
        self.results["webhook_posts"] = len(jobs)

    def topups(self, started: float) -> None:
        self.topup_ids: dict[str, str] = {}  # request id -> msisdn
        self.topup_answers: Counter = Counter()
        lock = threading.Lock()
        threads = 2
        clients = {(t, c): self.sign_in(CUSTOMERS[c][0]) for t in range(threads) for c in range(2)}

        def top_up(thread: int, i: int) -> None:
            customer, iccid, msisdn = self.sims[i % len(self.sims)]
            client = clients[(thread, customer)]
            request_id = str(uuid.uuid4())
            with lock:
                self.topup_ids[request_id] = msisdn
            answer = client.request("POST", f"/api/v1/sims/{iccid}/top-up", keep_body=True,
                                    json={"quota_mb": 100, "request_id": request_id},
                                    headers={"X-CSRFToken": client.csrf, "Referer": client.base_url + "/sims/"})
            status = ""
            if answer.body.startswith("{"):
                status = (json.loads(answer.body).get("data") or {}).get("status", "")
            with lock:
                self.topup_answers[f"{answer.status or answer.error} {status}".strip()] += 1

        paced(self.plan.topups, threads, self.plan.duration, top_up, started)

    def more_sign_ins(self, started: float) -> None:
        self.late_sign_ins = 0

        def sign_in(thread: int, i: int) -> None:
            client = self.sign_in(CUSTOMERS[i % 2][0])
            if client.get("/").status != 200:
                raise RuntimeError("a fresh session's dashboard did not answer 200")
            client.close()
            self.late_sign_ins += 1

        paced(max(2, self.plan.sessions), 1, self.plan.duration, sign_in, started)

    def browse(self, index: int) -> None:
        email, client, _ = self.sessions[index]
        statuses: Counter = Counter()
        i = index
        while not self.stop.is_set():
            path = BROWSE_PATHS[i % len(BROWSE_PATHS)]
            result = client.get(path)
            statuses["signed out" if result.status == 302 else (result.status or result.error)] += 1
            i += 1
            self.stop.wait(0.3)
        self.results.setdefault("browsing", Counter()).update(statuses)

    def kill_midway(self, started: float) -> None:
        wait = started + self.plan.kill_at * self.plan.duration - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        active = self.active_subscriber()
        standby = next(name for name in ("subscriber1", "subscriber2") if name != active)
        victims = {"web": "web1", "worker": "worker1", "subscriber": active}
        self.kill_time = time.time()
        self.tally.kill_at = self.kill_time
        self.cluster.kill(*victims.values())
        self.killed = victims
        self.results["in_flight_at_kill"] = self.in_flight()
        # Events the standby had handled itself before the kill (with the lease: none).
        self.results["standby_events_before_kill"] = self.handled_events(standby)
        self.results["active_events_before_kill"] = self.handled_events(active)
        self.log(f"==> SIGKILLed {', '.join(victims.values())} at {time.monotonic() - started:.1f} s "
                 f"({len(getattr(self, 'placed', {}))} orders approved so far)")
        deadline = time.monotonic() + 30
        lease = self.cluster.has_lease()
        down = taken = None
        while (down is None or (lease and taken is None)) and time.monotonic() < deadline:
            if down is None and "web1" not in self.cluster.lb_servers_up():
                down = time.time()
            if lease and taken is None:
                holder, acquired_at = self.cluster.lease_holder()
                if holder == standby:
                    taken = acquired_at.timestamp()
                    self.lease_taken_at = acquired_at
            time.sleep(0.05)
        self.results["lb_marked_down_s"] = round(down - self.kill_time, 2) if down else None
        self.results["lease_taken_over_s"] = round(taken - self.kill_time, 2) if taken else None
        self.results["lease"] = lease

    def in_flight(self) -> dict[str, int]:
        """Work held under a lease at the kill (a worker's or a web request's)."""
        like = f"cluster-{self.run_id}-%"
        query = self.cluster.query
        return {
            "jobs": query("SELECT count(*) FROM provisioning_provisioningjob WHERE idempotency_key LIKE %s "
                          "AND lease_until > now()", (like,))[0][0],
            "webhooks": query("SELECT count(*) FROM webhooks_webhookevent WHERE event_id LIKE %s "
                              "AND lease_until > now()", (like,))[0][0],
            "topups": query("SELECT count(*) FROM sim_topup WHERE lease_until > now()")[0][0],
        }

    def handled_events(self, name: str) -> int:
        log = self.cluster.roles[name].log_path.read_text(errors="replace")
        return sum("platform event" in line and " job " in line for line in log.splitlines())

    def active_subscriber(self) -> str:
        """The subscriber holding the lease; without a lease, the one that handled the latest event."""
        if self.cluster.has_lease():
            holder, _ = self.cluster.lease_holder()
            if holder is not None:
                return holder
        latest: dict[str, str] = {}
        for name in ("subscriber1", "subscriber2"):
            lines = [line for line in self.cluster.roles[name].log_path.read_text(errors="replace").splitlines()
                     if "platform event" in line]
            latest[name] = lines[-1][:23] if lines else ""
        return max(latest, key=lambda name: (latest[name], name == "subscriber1"))

    # -- afterwards ----------------------------------------------------------------------------------
    def drain(self) -> None:
        like = f"cluster-{self.run_id}-%"
        deadline = time.monotonic() + self.plan.drain_timeout
        waiting = {}
        while time.monotonic() < deadline:
            jobs = dict(self.cluster.query("SELECT state, count(*) FROM provisioning_provisioningjob "
                                           "WHERE idempotency_key LIKE %s GROUP BY state", (like,)))
            events = dict(self.cluster.query("SELECT status, count(*) FROM webhooks_webhookevent "
                                             "WHERE event_id LIKE %s GROUP BY status", (like,)))
            topups = dict(self.cluster.query("SELECT status, count(*) FROM sim_topup WHERE request_id::text = ANY(%s) "
                                             "GROUP BY status", (list(self.topup_ids),)))
            waiting = {
                "jobs": len(self.placed) - jobs.get("succeeded", 0) - jobs.get("failed", 0),
                "webhooks": len(self.webhook_ids) - sum(n for s, n in events.items()
                                                        if s not in ("received", "processing", "retrying")),
                "topups": len(self.topup_ids) - sum(n for s, n in topups.items() if s in ("applied", "failed",
                                                                                          "needs_review")),
            }
            if not any(waiting.values()):
                break
            time.sleep(1)
        self.results["drained_s"] = round(time.monotonic() - deadline + self.plan.drain_timeout, 1)
        self.results["left_waiting"] = waiting

    def sessions_after_kill(self) -> None:
        """Every session signed in through the killed server, browsing again: the other server answers."""
        dead = self.killed.get("web")
        through_dead = [(email, client) for email, client, server in self.sessions if server == dead]
        kept = 0
        for _, client in through_dead:
            page = client.get("/account/")
            kept += page.status == 200 and client.server not in (None, dead)
        self.results["sessions"] = {"signed_in": len(self.sessions), "through_killed_server": len(through_dead),
                                    "kept_after_kill": kept}

    # -- checks and figures --------------------------------------------------------------------------
    def check(self) -> tuple[dict, list[tuple[str, bool, str]]]:
        c = self.cluster
        like = f"cluster-{self.run_id}-%"
        r = self.results
        checks: list[tuple[str, bool, str]] = []

        # Orders and provisioning
        jobs = c.query("SELECT idempotency_key, state, attempts, created_at FROM provisioning_provisioningjob "
                       "WHERE idempotency_key LIKE %s", (like,))
        states = Counter(state for _, state, _, _ in jobs)
        whmcs_orders = self.whmcs_orders_by_job()
        per_job = Counter(whmcs_orders.get(key, 0) for key, *_ in jobs)
        events = self.order_events()
        r["orders"] = {"placed": len(self.placed), "answers": dict(self.order_answers), "events_published": events,
                       "jobs": len(jobs), "job_states": dict(states),
                       "job_attempts": dict(Counter(attempts for _, _, attempts, _ in jobs)),
                       "whmcs_orders": sum(whmcs_orders.values()),
                       "jobs_by_whmcs_orders": {str(k): v for k, v in sorted(per_job.items())}}
        checks.append(("every order placed", len(self.placed) == self.plan.orders,
                       f"{len(self.placed)} of {self.plan.orders}"))
        checks.append(("one provisioning job per order",
                       len(jobs) == len(self.placed) and {key for key, *_ in jobs} == set(self.placed),
                       f"{len(jobs)} jobs for {len(self.placed)} orders"))
        checks.append(("every job succeeded", states.get("succeeded", 0) == len(jobs) == len(self.placed),
                       json.dumps(dict(states))))
        checks.append(("one WHMCS order per job", per_job == Counter({1: len(jobs)}) and len(jobs) > 0,
                       f"jobs by WHMCS orders carrying their marker: {dict(per_job)}"))

        # Takeover by the other subscriber: from the kill to the first job it recorded (after it took the
        # lease; without a lease, after the kill).
        if self.kill_time is not None:
            kill = datetime.fromtimestamp(self.kill_time, UTC)
            since = getattr(self, "lease_taken_at", None) or kill
            after = sorted(created for *_, created in jobs if created > since)
            r["subscriber_takeover_s"] = round((after[0] - kill).total_seconds(), 2) if after else None
            r["approvals_after_kill"] = len(after)
            checks.append(("the other subscriber took over", bool(after),
                           f"first event handled {r['subscriber_takeover_s']} s after the kill"))
            if r.get("lease"):
                checks.append(("one active subscriber, the standby takes over",
                               r.get("lease_taken_over_s") is not None and r["standby_events_before_kill"] == 0
                               and r["active_events_before_kill"] > 0,
                               f"lease taken {r.get('lease_taken_over_s')} s after the kill; events handled before "
                               f"it: active {r['active_events_before_kill']}, standby "
                               f"{r['standby_events_before_kill']}"))

        # Top-ups
        topups = c.query("SELECT request_id::text, status, attempts, whmcs_invoice_id FROM sim_topup "
                         "WHERE request_id::text = ANY(%s)", (list(self.topup_ids),))
        by_status = Counter(status for _, status, _, _ in topups)
        invoices = self.invoices_by_marker()
        quota: dict[str, Counter] = {msisdn: c.freebit_quota_codes(msisdn) for msisdn in set(self.topup_ids.values())}
        one_invoice = one_quota = paid_once = 0
        for request_id, _, _, invoice_id in topups:
            found = invoices.get(request_id, [])
            if len(found) == 1 and found[0]["status"] == "Paid" and str(found[0]["id"]) == str(invoice_id):
                one_invoice += 1
                balance = c.whmcs_api("GetInvoice", invoiceid=found[0]["id"]).get("balance")
                paid_once += balance in ("0.00", "0")
            one_quota += quota[self.topup_ids[request_id]].get(request_id, 0) == 1
        captures = c.provider_stats()["whmcs"].get("CapturePayment", 0)
        r["topups"] = {"asked": len(self.topup_ids), "answers": dict(self.topup_answers), "rows": len(topups),
                       "statuses": dict(by_status), "attempts": dict(Counter(a for _, _, a, _ in topups)),
                       "one_paid_invoice": one_invoice, "invoice_balance_zero": paid_once,
                       "capture_payment_calls": captures, "one_quota_addition": one_quota}
        n = self.plan.topups
        checks.append(("every top-up applied", by_status.get("applied", 0) == n == len(self.topup_ids),
                       json.dumps(dict(by_status))))
        checks.append(("one paid WHMCS invoice per top-up, paid once", one_invoice == paid_once == n,
                       f"{one_invoice} with one invoice, {paid_once} with balance 0, of {n}"))
        checks.append(("one CapturePayment per top-up", captures == n, f"{captures} for {n}"))
        checks.append(("one Freebit quota addition per top-up", one_quota == n, f"{one_quota} of {n}"))

        # Webhooks
        rows, distinct = c.query("SELECT count(*), count(DISTINCT event_id) FROM webhooks_webhookevent "
                                 "WHERE event_id LIKE %s", (like,))[0]
        statuses = dict(c.query("SELECT status, count(*) FROM webhooks_webhookevent WHERE event_id LIKE %s "
                                "GROUP BY status", (like,)))
        attempts = dict(c.query("SELECT attempts, count(*) FROM webhooks_webhookevent WHERE event_id LIKE %s "
                                "GROUP BY attempts", (like,)))
        r["webhooks"] = {"events": len(self.webhook_ids), "posts": r.get("webhook_posts"),
                         "answers": dict(self.webhook_answers), "rows": rows, "distinct": distinct,
                         "statuses": statuses, "attempts": {str(k): v for k, v in sorted(attempts.items())}}
        w = self.plan.webhooks
        checks.append(("every webhook stored once", rows == distinct == w, f"{rows} rows, {distinct} ids, {w} sent"))
        checks.append(("every webhook processed", statuses.get("processed", 0) == w, json.dumps(statuses)))
        # (A post sent again after its answer was lost at the load balancer is a duplicate: 200.)
        checks.append(("every webhook post answered 202 accepted or 200 duplicate",
                       set(self.webhook_answers) <= {"202 accepted", "200 duplicate"},
                       json.dumps(dict(self.webhook_answers))))

        # Sessions, clients, processes
        s = r.get("sessions", {})
        checks.append(("sessions survive the killed web server",
                       0 < s.get("through_killed_server", 0) == s.get("kept_after_kill"),
                       f"{s.get('kept_after_kill')} of {s.get('through_killed_server')} signed in through it"))
        browsing = r.get("browsing", Counter())
        checks.append(("nobody signed out by the kill", browsing.get("signed out", 0) == 0,
                       json.dumps({str(k): v for k, v in browsing.items()})))
        checks.append(("no request given up", not self.tally.gave_up, "; ".join(self.tally.gave_up[:3])))
        checks.append(("no stream failed", not self.stream_errors, "; ".join(self.stream_errors)[:300]))
        unexpected = c.unexpected_exits(set(self.killed.values()))
        checks.append(("no other process died", not unexpected, json.dumps(unexpected)))
        checks.append(("everything drained", not any(r.get("left_waiting", {}).values()),
                       json.dumps(r.get("left_waiting"))))

        failures = self.tally.lb_failures
        r["clients"] = {
            "lb_failures": len(failures), "retried": sum(f["retried"] for f in failures),
            "gave_up": len(self.tally.gave_up),
            "by_kind": dict(Counter(f["kind"] for f in failures)),
            "by_request": dict(Counter(f["what"] for f in failures)),
            "within_s_of_kill": max((f["after_kill_s"] for f in failures if f["after_kill_s"] is not None),
                                    default=None),
            "app_errors": dict(self.tally.app_errors),
            "answered_by": {f"{phase} kill, {server}": n for (phase, server), n in sorted(self.tally.served.items())},
        }
        r["killed"] = self.killed
        r["sign_ins"] = {"at_start": len(self.sessions), "during": getattr(self, "late_sign_ins", 0)}
        return r, checks

    def order_events(self) -> int:
        answer = requests.get(self.cluster.urls["salesforce"] + "/__sandbox__/pubsub/events", timeout=30).json()
        events = answer if isinstance(answer, list) else answer.get("events", [])
        orders = set(self.placed.values())
        return sum(1 for event in events if (event.get("payload") or event).get("orderId__c") in orders)

    def whmcs_orders_by_job(self) -> Counter:
        listed = self.cluster.whmcs_api("GetOrders", limitnum=100000).get("orders") or {}
        found: Counter = Counter()
        for order in listed.get("order", []) if isinstance(listed, dict) else []:
            for match in re.finditer(rf"portal-job:(cluster-{self.run_id}-\d+)", order.get("notes") or ""):
                found[match.group(1)] += 1
        return found

    def invoices_by_marker(self) -> dict[str, list[dict]]:
        found: dict[str, list[dict]] = {}
        for _, client_id in CUSTOMERS:
            listed = self.cluster.whmcs_api("GetInvoices", userid=client_id, limitnum=100000).get("invoices") or {}
            for invoice in listed.get("invoice", []) if isinstance(listed, dict) else []:
                for line in (invoice.get("notes") or "").splitlines():
                    if line.startswith("portal-request:"):
                        found.setdefault(line.split(":", 1)[1], []).append(invoice)
        return found


# -- the command --------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("--broker", choices=("redis", "rabbitmq"), default="redis", help="Celery's broker (redis)")
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--sim-orders", type=int, default=12,
                        help="how many of them order a SIM plan, the others a product without a SIM (12: the "
                        "emulators stock 16 blank data-only SIMs)")
    parser.add_argument("--webhooks", type=int, default=1000)
    parser.add_argument("--webhook-duplicates", type=float, default=0.1, help="share sent twice (0.1)")
    parser.add_argument("--topups", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=8, help="sessions signed in at the start, browsing (8)")
    parser.add_argument("--duration", type=float, default=120, help="seconds the streams are spread over (120)")
    parser.add_argument("--kill-at", type=float, default=0.5, help="when to kill, as a share of --duration (0.5)")
    parser.add_argument("--drain-timeout", type=float, default=300, help="seconds to wait for the background work")
    parser.add_argument("--latency-ms", type=float, default=20, help="latency added to every provider call (20)")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web server (2)")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per gunicorn worker (4)")
    parser.add_argument("--celery-concurrency", type=int, default=2, help="processes per Celery worker (2)")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--database", default="portal_cluster")
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--cache-db", type=int, default=9)
    parser.add_argument("--broker-db", type=int, default=0)
    parser.add_argument("--amqp-url", default="amqp://guest:guest@127.0.0.1:5672",
                        help="RabbitMQ, without the vhost (the drill makes its own, portal_cluster)")
    parser.add_argument("--json", type=Path, help="where to write the figures (var/cluster-<broker>.json)")
    parser.add_argument("--keep-database", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if shutil.which("haproxy") is None:
        print("bench.cluster: needs HAProxy (Debian: apt-get install haproxy; scripts/ensure-system-packages.sh)",
              file=sys.stderr)
        return 2
    work_dir = ROOT / "var" / "cluster" / args.broker
    if work_dir.exists():
        shutil.rmtree(work_dir)
    config = StackConfig(
        latency_ms=args.latency_ms, workers=args.web_workers, threads=args.web_threads,
        postgres_url=args.postgres_url, database=args.database, redis_host=HOST, redis_port=args.redis_port,
        cache_db=args.cache_db, broker_db=args.broker_db, work_dir=work_dir, keep_database=args.keep_database,
        celery_concurrency=args.celery_concurrency, pubsub=True,
    )
    plan = Plan(orders=args.orders, sim_orders=args.sim_orders, webhooks=args.webhooks,
                webhook_duplicates=args.webhook_duplicates,
                topups=args.topups, sessions=args.sessions, duration=args.duration, kill_at=args.kill_at,
                drain_timeout=args.drain_timeout)
    began = time.monotonic()
    load_before = os.getloadavg()
    try:
        with Cluster(config, broker=args.broker, amqp_base=args.amqp_url) as cluster:
            cluster.start(log=_log)
            cluster.start_backend(log=_log)
            drill = Drill(cluster, plan, _log)
            drill.run()
            results, checks = drill.check()
            _log("==> Stopping everything")
    except StackError as exc:
        print(f"\nbench.cluster: could not start the stack: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbench.cluster: interrupted; everything it started has been stopped.", file=sys.stderr)
        return 130
    results["broker"] = args.broker
    results["elapsed_s"] = round(time.monotonic() - began, 1)
    results["load_average"] = {"before": [round(x, 2) for x in load_before],
                               "after": [round(x, 2) for x in os.getloadavg()]}
    results["checks"] = [{"check": name, "ok": ok, "detail": detail} for name, ok, detail in checks]
    path = args.json or ROOT / "var" / f"cluster-{args.broker}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(render(results, checks, args))
    print(f"Figures in {path}; logs in {work_dir} (took {results['elapsed_s']:g} s)")
    return 0 if all(ok for _, ok, _ in checks) else 1


def render(r: dict, checks: list[tuple[str, bool, str]], args: argparse.Namespace) -> str:
    o, t, w, cl = r["orders"], r["topups"], r["webhooks"], r["clients"]
    lines = [
        "",
        f"Multi-process drill, broker {args.broker}: 2 web servers behind HAProxy, 2 Celery workers x"
        f"{args.celery_concurrency}, beat, 2 subscribers; L = {args.latency_ms:g} ms; {os.cpu_count()} CPUs, "
        f"load {r['load_average']['before']} before, {r['load_average']['after']} after",
        f"  killed (SIGKILL) at {args.kill_at:.0%} of {args.duration:g} s: {', '.join(r['killed'].values())}; "
        f"held under a lease then: {r.get('in_flight_at_kill')}",
        f"  orders      {o['placed']} placed ({r.get('sim_orders')} SIM plans), {o['events_published']} events "
        f"published, {o['jobs']} jobs "
        f"{o['job_states']}, {o['whmcs_orders']} WHMCS orders (jobs by orders carrying their marker: "
        f"{o['jobs_by_whmcs_orders']}); job attempts {o['job_attempts']}",
        f"  charges     {t['asked']} top-ups {t['statuses']}: {t['one_paid_invoice']} with one paid invoice, "
        f"{t['invoice_balance_zero']} paid once, {t['capture_payment_calls']} CapturePayment calls, "
        f"{t['one_quota_addition']} with one Freebit quota addition; attempts {t['attempts']}",
        f"  webhooks    {w['events']} events in {w['posts']} posts: {w['rows']} stored, {w['statuses']}; "
        f"attempts {w['attempts']}; answers {w['answers']}",
        f"  subscriber  the standby's takeover: lease taken {r.get('lease_taken_over_s')} s after the kill, its "
        f"first event handled {r.get('subscriber_takeover_s')} s after the kill ({r.get('approvals_after_kill')} "
        f"jobs recorded by it); events handled before the kill: active {r.get('active_events_before_kill')}, "
        f"standby {r.get('standby_events_before_kill')}",
        f"  web         HAProxy marked web1 down {r.get('lb_marked_down_s')} s after the kill; sessions: "
        f"{r['sessions']['kept_after_kill']} of {r['sessions']['through_killed_server']} signed in through it kept "
        f"browsing; sign-ins {r['sign_ins']}; browsing {dict(r.get('browsing', {}))}",
        f"  clients     {cl['lb_failures']} requests failed at the load balancer ({cl['by_kind']}), "
        f"{cl['retried']} sent again, {cl['gave_up']} given up; last {cl['within_s_of_kill']} s after the kill; "
        f"by request {cl['by_request']}; application 5xx {cl['app_errors'] or 'none'}",
        f"  answered by {cl['answered_by']}",
        f"  drained     {r.get('drained_s')} s after the streams; streams took {r.get('streams_s')} s",
        "",
    ]
    width = max(len(name) for name, _, _ in checks)
    for name, ok, detail in checks:
        lines.append(f"  {'PASS' if ok else 'FAIL'}  {name.ljust(width)}  {detail}")
    lines.append(f"\n{'All checks passed.' if all(ok for _, ok, _ in checks) else 'SOME CHECKS FAILED.'}")
    return "\n".join(lines)


def _log(message: str) -> None:
    print(message, flush=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
