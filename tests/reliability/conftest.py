"""Process fixtures of the fault drills: a private Redis broker, real Celery workers and beat, the
real Platform Event subscriber, each a subprocess the drill starts, breaks (SIGKILL, SIGSTOP, a
stopped broker) and starts again.

Every drill gets its own ``redis-server`` on a free port as the broker and its own queue name, so
nothing it queues or leaves unacknowledged reaches another test's worker. The processes run with
``tests.reliability.drill_settings`` (the test profile with tasks going through the broker) against
the test database and the session's provider emulators. Every process is killed when the test ends;
a drill that times out fails with the logs of its processes.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app as celery_app
from tests.emulator import FreebitEmulator
from tests.processes import Process, RedisServer, free_port, logs_of, wait_for

ROOT = Path(__file__).resolve().parents[2]
DRILL_SETTINGS = "tests.reliability.drill_settings"


def database_url() -> str:
    """The test database (the one pytest-django created) as the subprocesses' DATABASE_URL."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def provider_env() -> dict[str, str]:
    """The emulators the ``whmcs``, ``salesforce`` and ``freebit`` fixtures wired into this process's
    settings, as the environment variables the subprocesses' settings read."""
    names = ("WHMCS_API_URL", "WHMCS_API_IDENTIFIER", "WHMCS_API_SECRET", "SALESFORCE_LOGIN_URL",
             "SALESFORCE_CLIENT_ID", "SALESFORCE_USERNAME", "SALESFORCE_PRIVATE_KEY", "FREEBIT_API_URL",
             "FREEBIT_OEM_ID", "FREEBIT_OEM_KEY")
    return {name: str(getattr(settings, name)) for name in names if getattr(settings, name, None)}


class Drill:
    """Starts the drill's processes (all talking to ``broker``, on ``queue``) and kills them at the end."""

    def __init__(self, broker: RedisServer, queue: str, log_dir: Path) -> None:
        self.broker, self.queue, self.log_dir = broker, queue, log_dir
        self.processes: list[Process] = []

    def env(self, **extra: object) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": DRILL_SETTINGS,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": self.broker.url,
            "DRILL_CELERY_QUEUE": self.queue,
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **provider_env(),
        }
        env.pop("CELERY_RESULT_BACKEND", None)  # Celery reads it before the settings: no result backend
        env.update({name: str(value) for name, value in extra.items()})
        return env

    def start(self, name: str, argv: list[str], **env: object) -> Process:
        process = Process(name, argv, self.env(**env), self.log_dir / f"{name}.log")
        self.processes.append(process)
        return process

    def worker(self, name: str = "worker", **env: object) -> Process:
        """``celery -A portal worker --pool=solo`` on the drill's queue, once it says it is ready."""
        process = self.start(name, [
            sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
            "--queues", self.queue, "--hostname", f"{name}-{uuid.uuid4().hex[:6]}@%h",
            "--without-heartbeat", "--without-gossip", "--without-mingle",
        ], **env)
        wait_for(lambda: " ready." in process.log() or not process.alive(), what=f"{name} to be ready",
                 processes=[process])
        if not process.alive():
            pytest.fail(f"{name} exited while starting\n" + logs_of([process]), pytrace=False)
        return process

    def beat(self, name: str = "beat", **env: object) -> Process:
        """``celery -A portal beat`` with the settings' schedule (intervals from ``env``)."""
        return self.start(name, [
            sys.executable, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO",
            "--schedule", str(self.log_dir / f"{name}-schedule"), "--max-interval", "1",
        ], **env)

    def subscriber(self, name: str = "subscriber", **env: object) -> Process:
        """``python manage.py subscribe_platform_events``."""
        return self.start(name, [sys.executable, "manage.py", "subscribe_platform_events"], **env)

    def logs(self) -> str:
        return logs_of(self.processes)

    def wait_for(self, condition: Callable[[], object], *, what: str, timeout: float = 60.0, interval: float = 0.2):
        return wait_for(condition, what=what, processes=self.processes, timeout=timeout, interval=interval)

    def kill_all(self) -> None:
        for process in self.processes:
            with contextlib.suppress(Exception):  # clean up the others whatever happens to one
                process.kill()


@pytest.fixture
def drill_dir(tmp_path) -> Path:
    path = tmp_path / "drill"
    path.mkdir()
    return path


@pytest.fixture
def broker(drill_dir):
    """A private, empty Redis (no persistence) as the drill's broker."""
    if shutil.which("redis-server") is None:  # like the other real services: fail, never skip
        pytest.fail("the fault drills start their own broker: install the redis-server binary (Debian: redis-server)",
                    pytrace=False)
    server = RedisServer(free_port(), drill_dir)
    try:
        yield server.start()
    finally:
        if server.process is not None:
            server.process.kill()


@pytest.fixture
def drill(transactional_db, broker, drill_dir, monkeypatch):
    """The drill's processes, and this test process queueing its tasks through the drill's broker and
    queue (as the web process does in production: not eagerly). Every process is killed at the end."""
    queue = f"drill-{uuid.uuid4().hex[:8]}"
    conf = celery_app.conf
    saved = {name: conf[name] for name in ("broker_url", "task_always_eager", "task_default_queue")}
    monkeypatch.setenv("CELERY_BROKER_URL", broker.url)  # Celery reads it before its configuration
    conf.update(broker_url=broker.url, task_always_eager=False, task_default_queue=queue)
    _forget_broker_connections()
    processes = Drill(broker, queue, drill_dir)
    try:
        yield processes
    finally:
        processes.kill_all()
        conf.update(saved)
        _forget_broker_connections()


def _forget_broker_connections() -> None:
    """Make Celery look up the pools of the broker now configured (made on first use). The pools
    themselves stay open in kombu's registry, per broker URL, for whoever uses that broker next."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def sims(freebit) -> FreebitEmulator:
    freebit.reset_stats()
    return freebit
