"""The system under test: a fresh PostgreSQL database, dedicated Redis databases, the three provider
emulators, the portal under gunicorn and (when asked) a Celery worker, all on 127.0.0.1.

Every process is started in its own session (process group) and stopped by that group's id, so
gunicorn's and Celery's children go with their parent; ``Stack.close`` always runs (``with``).
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis
import requests

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

# Names the emulators are told to expect; the portal gets the same through its environment.
WHMCS_IDENTIFIER = "bench-identifier"
SALESFORCE_CONSUMER_KEY = "bench-connected-app"
SALESFORCE_USERNAME = "bench-integration@portal.example"


class StackError(RuntimeError):
    """A part of the stack did not start; the message names it and where its log is."""


@dataclass
class StackConfig:
    latency_ms: float
    workers: int
    threads: int
    postgres_url: str  # an administrative connection (the database is created through it)
    database: str
    redis_host: str
    redis_port: int
    cache_db: int
    broker_db: int
    work_dir: Path
    celery_concurrency: int = 4
    keep_database: bool = False
    customers: int = 0
    """Generated customers (``sandbox.population``) seeded in the emulators and the portal's database."""
    pubsub: bool = False  # the Salesforce emulator with its Pub/Sub API (approving an order publishes the event)


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


@dataclass
class Stack:
    config: StackConfig
    processes: list[Process] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    webhook_secret: str = ""
    gunicorn: Process | None = None
    celery: Process | None = None
    seed_seconds: float = 0.0

    # -- lifecycle ------------------------------------------------------------------------------------
    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self, log=print) -> None:
        cfg = self.config
        cfg.work_dir.mkdir(parents=True, exist_ok=True)
        log(f"==> Fresh database {cfg.database!r}, Redis db {cfg.cache_db} (cache) and {cfg.broker_db} (broker)")
        try:
            self._recreate_database()
        except psycopg.Error as exc:
            raise StackError(f"PostgreSQL is not usable at {cfg.postgres_url}: {exc}") from None
        try:
            self.flush_cache()
            self.flush_broker()
        except redis.RedisError as exc:
            raise StackError(f"Redis is not usable at {cfg.redis_host}:{cfg.redis_port}: {exc}") from None
        self._start_emulators(log)
        self.env = self._portal_env()
        log("==> migrate, seed_demo, collectstatic (production settings)")
        for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"], ["collectstatic", "--noinput", "-v", "0"]):
            self._manage(command)
        if cfg.customers:
            seeded = json.loads(self.run_in_portal("bench.seed_population", "", args=[str(cfg.customers)]))
            log(f"==> {seeded['users']:,} generated customers in the portal's database ({seeded['seconds']:g} s)")
        self._start_gunicorn(log)

    def close(self) -> None:
        for process in reversed(self.processes):
            _stop(process.popen)
        self.processes.clear()
        try:
            self.flush_cache()
            self.flush_broker()
        except redis.RedisError:
            pass
        if not self.config.keep_database:
            try:
                self._drop_database()
            except psycopg.Error:
                pass

    # -- PostgreSQL and Redis ------------------------------------------------------------------------
    @property
    def database_url(self) -> str:
        base = self.config.postgres_url.rsplit("/", 1)[0]
        return f"{base}/{self.config.database}"

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.config.postgres_url, autocommit=True, connect_timeout=5)

    def _recreate_database(self) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.config.database}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.config.database}"')

    def _drop_database(self) -> None:
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.config.database}" WITH (FORCE)')

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: tuple = ()) -> None:
        with psycopg.connect(self.database_url, connect_timeout=5) as conn:
            conn.execute(sql, params)

    def _redis(self, db: int) -> redis.Redis:
        return redis.Redis(host=self.config.redis_host, port=self.config.redis_port, db=db, socket_timeout=5,
                           socket_connect_timeout=5)

    def flush_cache(self) -> None:
        self._redis(self.config.cache_db).flushdb()

    def flush_broker(self) -> None:
        self._redis(self.config.broker_db).flushdb()

    # -- emulators -----------------------------------------------------------------------------------
    def _start_emulators(self, log) -> None:
        from sandbox.salesforce.keys import generate_demo_keypair  # stdlib + cryptography only

        cfg = self.config
        faults = json.dumps({"latency_ms": cfg.latency_ms})
        private_pem, public_pem = generate_demo_keypair()
        key_path = cfg.work_dir / "salesforce-bench.key"
        key_path.unlink(missing_ok=True)
        key_path.touch(mode=0o600)
        key_path.write_text(private_pem)
        public_path = cfg.work_dir / "salesforce-bench.pub"
        public_path.write_text(public_pem)
        self.whmcs_secret = secrets.token_hex(24)
        self._freebit_key = secrets.token_hex(24)
        self._salesforce_key_path = key_path
        ports = {name: free_port() for name in ("whmcs", "salesforce", "freebit")}
        commands = {
            "whmcs": [f"--identifier={WHMCS_IDENTIFIER}", f"--secret={self.whmcs_secret}"],
            "salesforce": [f"--public-key-file={public_path}", f"--consumer-key={SALESFORCE_CONSUMER_KEY}",
                           f"--username={SALESFORCE_USERNAME}"],
            "freebit": [f"--oem-key={self._freebit_key}"],
        }
        started = time.monotonic()
        # The emulators read SANDBOX_* variables too: start them from a clean slate.
        env = {k: v for k, v in os.environ.items() if not k.startswith("SANDBOX_")}
        for name, extra in commands.items():
            argv = [sys.executable, "-m", f"sandbox.{name}", f"--host={HOST}", f"--port={ports[name]}",
                    f"--faults={faults}", f"--customers={cfg.customers}", *extra]
            spawn_env = env
            if name == "salesforce" and cfg.pubsub:
                # sandbox.salesforce.pubsub takes the REST emulator's settings from its environment.
                self.pubsub_port = free_port()
                argv = [sys.executable, "-m", "sandbox.salesforce.pubsub", f"--host={HOST}",
                        f"--rest-port={ports[name]}", f"--port={self.pubsub_port}", f"--public-key-file={public_path}"]
                spawn_env = {**env, "SANDBOX_SALESFORCE_CONSUMER_KEY": SALESFORCE_CONSUMER_KEY,
                             "SANDBOX_SALESFORCE_USERNAME": SALESFORCE_USERNAME,
                             "SANDBOX_FAULT_LATENCY_MS": str(cfg.latency_ms)}
            self._spawn(name, argv, spawn_env)
            self.urls[name] = f"http://{HOST}:{ports[name]}"
        for name, url in self.urls.items():  # seeding 10,000 customers takes seconds on a busy machine
            self._wait_http(name, url + "/__sandbox__/health", timeout=60 + cfg.customers / 50)
        self.seed_seconds = round(time.monotonic() - started, 1)
        log(f"==> Emulators up with {cfg.latency_ms:g} ms added per call and {cfg.customers:,} generated customers "
            f"besides the demo's (ready in {self.seed_seconds:g} s): "
            + ", ".join(f"{name} {url}" for name, url in self.urls.items()))

    def sandbox(self, name: str, method: str, path: str, body: dict | None = None) -> dict:
        response = requests.request(method, f"{self.urls[name]}/__sandbox__/{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json() if response.content else {}

    def set_latency(self, latency_ms: float) -> None:
        for name in self.urls:
            self.sandbox(name, "POST", "faults", {"latency_ms": latency_ms})

    def reset_stats(self) -> None:
        for name in self.urls:
            self.sandbox(name, "DELETE", "stats")

    def provider_stats(self) -> dict[str, dict[str, int]]:
        return {name: self.sandbox(name, "GET", "stats").get("calls", {}) for name in self.urls}

    def whmcs_api(self, action: str, **params) -> dict:
        """A call to the WHMCS emulator's API as the portal makes it (it pays the added latency too)."""
        body = {**params, "action": action, "identifier": WHMCS_IDENTIFIER, "secret": self.whmcs_secret,
                "responsetype": "json"}
        response = requests.post(self.urls["whmcs"] + "/includes/api.php", data=body, timeout=30)
        response.raise_for_status()
        return response.json()

    def run_in_portal(self, module: str, stdin: str, timeout: float = 300, args: list[str] | None = None) -> str:
        """``python -m module [args]`` with the portal's environment; answers its stdout."""
        result = subprocess.run([sys.executable, "-m", module, *(args or [])], cwd=ROOT, env=self.env, input=stdin,
                                capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            raise StackError(f"{module} failed ({result.returncode}):\n{result.stderr[-3000:]}")
        return result.stdout

    # -- the portal ----------------------------------------------------------------------------------
    def _portal_env(self) -> dict[str, str]:
        cfg = self.config
        self.webhook_secret = secrets.token_urlsafe(32)
        self.port = free_port()
        redis_base = f"redis://{cfg.redis_host}:{cfg.redis_port}"
        overrides = {
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.database_url,
            "DATABASE_CONN_MAX_AGE": "60",  # as docker-compose.yml runs it
            "REDIS_URL": f"{redis_base}/{cfg.cache_db}",
            "CELERY_BROKER_URL": f"{redis_base}/{cfg.broker_db}",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PROVIDERS_USE_SANDBOX": "false",
            "PROVIDER_CALLS_HEADER": "true",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "text",
            "EMAIL_URL": "consolemail://",
            "WHMCS_API_URL": self.urls["whmcs"] + "/includes/api.php",
            "WHMCS_API_IDENTIFIER": WHMCS_IDENTIFIER,
            "WHMCS_API_SECRET": self.whmcs_secret,
            "WHMCS_WEBHOOK_SECRET": self.webhook_secret,
            "SALESFORCE_LOGIN_URL": self.urls["salesforce"],
            "SALESFORCE_CLIENT_ID": SALESFORCE_CONSUMER_KEY,
            "SALESFORCE_USERNAME": SALESFORCE_USERNAME,
            "SALESFORCE_PRIVATE_KEY_FILE": str(self._salesforce_key_path),
            "FREEBIT_API_URL": self.urls["freebit"] + "/emptool/api",
            "FREEBIT_OEM_ID": "sandbox-oem",
            "FREEBIT_OEM_KEY": self._freebit_key,
            "PORT": str(self.port),
            "PORTAL_PUBLIC_URL": f"http://{HOST}:{self.port}",
        }
        if cfg.pubsub:  # the Platform Event subscriber's target: the emulator's plaintext gRPC server
            overrides.update({"SALESFORCE_PUBSUB_TARGET": f"{HOST}:{self.pubsub_port}",
                              "SALESFORCE_PUBSUB_TLS": "false"})
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SANDBOX_", "SALESFORCE_", "WHMCS_", "FREEBIT_", "CACHE_TTL_"))}
        env.pop("SALESFORCE_PRIVATE_KEY", None)
        env.update(overrides)
        return env

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def _manage(self, command: list[str]) -> None:
        log_path = self.config.work_dir / "manage.log"
        with log_path.open("a") as out:
            result = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=self.env, stdout=out,
                                    stderr=subprocess.STDOUT, timeout=300, check=False)
        if result.returncode != 0:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
            raise StackError(f"manage.py {' '.join(command)} failed (log {log_path}):\n{tail}")

    def _start_gunicorn(self, log) -> None:
        cfg = self.config
        argv = [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--bind", f"{HOST}:{self.port}",
                "--workers", str(cfg.workers), "--threads", str(cfg.threads), "--timeout", "60",
                "--log-level", "warning", "--no-control-socket"]
        self.gunicorn = self._spawn("gunicorn", argv, self.env)
        self._wait_http("gunicorn", self.base_url + "/healthz", timeout=60)
        deadline = time.monotonic() + 30
        while len(self.worker_pids()) < cfg.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        log(f"==> Portal at {self.base_url}: gunicorn {cfg.workers} workers x {cfg.threads} threads "
            f"(pids {self.worker_pids()})")

    def exited(self) -> dict[str, int]:
        """The processes that have stopped on their own, with their exit codes."""
        return {p.name: p.popen.returncode for p in self.processes if p.popen.poll() is not None}

    def worker_pids(self) -> list[int]:
        return children_of(self.gunicorn.popen.pid) if self.gunicorn else []

    def start_celery(self, log=print) -> None:
        if self.celery is not None and self.celery.popen.poll() is None:
            return
        argv = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=WARNING",
                f"--concurrency={self.config.celery_concurrency}", "--without-heartbeat", "--without-gossip",
                "--without-mingle"]
        self.celery = self._spawn("celery", argv, self.env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.celery.popen.poll() is not None:
                raise StackError(f"the Celery worker exited (log {self.celery.log_path}):\n{self.celery.log_tail()}")
            if len(children_of(self.celery.popen.pid)) >= self.config.celery_concurrency:
                time.sleep(1)  # the pool processes connect to the broker
                log(f"==> Celery worker up (pid {self.celery.popen.pid}, {self.config.celery_concurrency} processes)")
                return
            time.sleep(0.2)
        raise StackError(f"the Celery worker did not start (log {self.celery.log_path})")

    # -- helpers -------------------------------------------------------------------------------------
    def _spawn(self, name: str, argv: list[str], env: dict[str, str]) -> Process:
        log_path = self.config.work_dir / f"{name}.log"
        with log_path.open("w") as out:
            popen = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        process = Process(name, popen, log_path)
        self.processes.append(process)
        return process

    def _wait_http(self, name: str, url: str, *, timeout: float) -> None:
        process = next(p for p in self.processes if p.name == name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.popen.poll() is not None:
                raise StackError(f"{name} exited with {process.popen.returncode} (log {process.log_path}):\n"
                                 f"{process.log_tail()}")
            try:
                if requests.get(url, timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise StackError(f"{name} did not answer {url} within {timeout:g} s (log {process.log_path}):\n"
                         f"{process.log_tail()}")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int, field: str = "VmHWM") -> int | None:
    """``VmHWM`` (the resident set's high-water mark) or ``VmRSS`` of a process, in KiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _stop(popen: subprocess.Popen) -> None:
    """SIGTERM to the process group we started (the process and its children), then SIGKILL to
    whatever of that group is left after a grace period."""
    group = popen.pid
    try:
        os.killpg(group, signal.SIGTERM)
    except ProcessLookupError:
        popen.poll()
        return
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        popen.poll()  # reap the leader
        if not _group_alive(group):
            return
        time.sleep(0.1)
    try:
        os.killpg(group, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        popen.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
