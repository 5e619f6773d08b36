"""Shared fixtures: ready-made users, one fixture per provider emulator, and the guarantee that the
real services are there.

The suite runs on real PostgreSQL and Redis. When either cannot be reached it stops at once with
a clear message (under CI=true as everywhere else): it never skips its way to a green run.
"""
import socket
from datetime import datetime
from urllib.parse import urlparse

import pytest
from django.conf import settings

from sandbox.demo_identities import DEMO_CUSTOMERS
from tests.emulator import CONTROL_TIMEOUT, FreebitEmulator, SalesforceEmulator, WhmcsEmulator, controlled

PASSWORD = "correct-horse-battery-9"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def _compile_catalogues() -> None:
    """The translation catalogues, compiled as scripts/bootstrap.sh does for `make run` (only the
    stale ones), so the pages and the demo the browser tests start speak every language."""
    import runpy
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "scripts" / "compile_messages.py"
    runpy.run_path(str(script))["main"]([])


def pytest_sessionstart(session: pytest.Session) -> None:
    _compile_catalogues()
    db = settings.DATABASES["default"]
    problems = []
    if db["ENGINE"] != "django.db.backends.postgresql":
        problems.append(f"DATABASE_URL must point at PostgreSQL (got {db['ENGINE']})")
    elif not _reachable(f"//{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}", 5432):
        problems.append(f"PostgreSQL is not reachable at {db.get('HOST')}:{db.get('PORT') or 5432}")
    if not _reachable(settings.REDIS_URL, 6379):
        problems.append("Redis is not reachable at REDIS_URL")
    if problems:
        pytest.exit("The test suite needs its real services: " + "; ".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Each test starts with an empty cache (lockouts, cached provider data)."""
    from django.core.cache import cache

    from portal.billing.selectors import forget_currencies
    from portal.core.redis_client import forget_failures

    forget_failures()
    cache.clear()
    forget_currencies()
    yield


@pytest.fixture
def make_user(db, django_user_model):
    def make(email="carol@example.com", password=PASSWORD, **extra):
        return django_user_model.objects.create_user(email=email, password=password, **extra)

    return make


def _demo_customer(make_user, demo):
    from portal.accounts.models import Customer

    user = make_user(email=demo.email, first_name=demo.first_name, last_name=demo.last_name)
    Customer.objects.create(
        user=user, salesforce_account_id=demo.salesforce_account_id, whmcs_client_id=demo.whmcs_client_id
    )
    return user


@pytest.fixture
def customer_user(make_user):
    """A signed-up user linked to the first demo customer's (Alice's) provider records."""
    return _demo_customer(make_user, DEMO_CUSTOMERS[0])


@pytest.fixture
def staff_user(make_user):
    return make_user(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def customer_client(client, customer_user):
    client.force_login(customer_user)
    return client


def signed_in(user):
    """A browser of its own (a Django test ``Client``), signed in as ``user``."""
    from django.test import Client

    browser = Client()
    browser.force_login(user)
    return browser


@pytest.fixture
def bob_client(other_customer_user):
    """A second browser, signed in as Bob (``customer_client`` is Alice's)."""
    return signed_in(other_customer_user)


@pytest.fixture
def unlinked_client(make_user):
    """Signed in, but the user has no Customer link yet."""
    return signed_in(make_user(email="newcomer@example.com"))


@pytest.fixture(scope="session")
def whmcs_server():
    """One WHMCS emulator for the session, on a free port, ignoring SANDBOX_* variables."""
    from sandbox.whmcs import start_whmcs_sandbox

    handle = start_whmcs_sandbox(env={}, seed=7)
    yield handle
    handle.stop()


def _fresh(server, settings) -> None:
    """The emulator back to its seed data with no faults; the portal's calls to it given short
    timeouts and two tries."""
    import requests

    requests.delete(server.url + "/__sandbox__/faults", timeout=CONTROL_TIMEOUT).raise_for_status()
    requests.post(server.url + "/__sandbox__/reset", timeout=CONTROL_TIMEOUT).raise_for_status()
    settings.PROVIDER_READ_TIMEOUT = 2.0
    settings.PROVIDER_MAX_ATTEMPTS = 2


@pytest.fixture
def whmcs(whmcs_server, settings) -> WhmcsEmulator:
    """The WHMCS emulator, reset to its seed data with no faults and zeroed call counts, wired into the
    portal's settings: a :class:`~tests.emulator.WhmcsEmulator` (``whmcs.store`` holds its live data,
    ``whmcs.faults(...)``, ``whmcs.calls(...)`` drive and count it over HTTP)."""
    _fresh(whmcs_server, settings)
    settings.WHMCS_API_URL = whmcs_server.url + "/includes/api.php"
    settings.WHMCS_API_IDENTIFIER = whmcs_server.app.config.identifier
    settings.WHMCS_API_SECRET = whmcs_server.app.config.secret
    yield from controlled(WhmcsEmulator, whmcs_server)


@pytest.fixture
def billing(whmcs) -> WhmcsEmulator:
    """``whmcs`` with its call counts zeroed when the test asks for it (after the other fixtures'
    calls): what the money tests count."""
    whmcs.reset_stats()
    return whmcs


@pytest.fixture
def other_customer_user(make_user):
    """The second demo customer (Bob), with his own provider records."""
    return _demo_customer(make_user, DEMO_CUSTOMERS[1])


SALESFORCE_CONSUMER_KEY = "test-connected-app"
SALESFORCE_USERNAME = "integration@portal.test"


@pytest.fixture(scope="session")
def salesforce_keys():
    from sandbox.salesforce.keys import generate_demo_keypair

    return generate_demo_keypair()


SALESFORCE_TEST_BATCH_SIZE = 200
"""The emulator's query batch size in the tests: Salesforce's minimum (its default is 2,000), so
that every answer of more than 200 records comes in batches the portal must follow."""


@pytest.fixture(scope="session")
def salesforce_server(salesforce_keys):
    """One Salesforce emulator for the session, trusting the test key pair, answering queries in
    batches of ``SALESFORCE_TEST_BATCH_SIZE`` records."""
    from sandbox.salesforce import start_salesforce_sandbox

    handle = start_salesforce_sandbox(env={}, consumer_key=SALESFORCE_CONSUMER_KEY, username=SALESFORCE_USERNAME,
                                      public_key_pem=salesforce_keys[1], seed=11,
                                      batch_size=SALESFORCE_TEST_BATCH_SIZE)
    yield handle
    handle.stop()


@pytest.fixture
def salesforce(salesforce_server, salesforce_keys, settings) -> SalesforceEmulator:
    """The Salesforce emulator, reset to its seed data with no faults and zeroed call counts, wired into
    the portal's settings (JWT bearer with the test key pair): a :class:`~tests.emulator.SalesforceEmulator`."""
    _fresh(salesforce_server, settings)
    settings.SALESFORCE_LOGIN_URL = salesforce_server.url
    settings.SALESFORCE_CLIENT_ID = SALESFORCE_CONSUMER_KEY
    settings.SALESFORCE_USERNAME = SALESFORCE_USERNAME
    settings.SALESFORCE_PRIVATE_KEY = salesforce_keys[0]
    yield from controlled(SalesforceEmulator, salesforce_server)


@pytest.fixture
def sf(salesforce, whmcs) -> SalesforceEmulator:
    """``salesforce`` with its call counts zeroed when the test asks for it, and WHMCS wired in too
    (checkout, cases and provisioning read the customer's billing)."""
    salesforce.reset_stats()
    return salesforce


@pytest.fixture(scope="session")
def freebit_server():
    """One Freebit emulator for the session. Its calendar follows the clock (Japan time, as the
    portal's): a test moves both with time-machine."""
    from sandbox.freebit import start_freebit_sandbox

    handle = start_freebit_sandbox(env={}, seed=5)
    yield handle
    handle.stop()


@pytest.fixture
def freebit(freebit_server, settings) -> FreebitEmulator:
    """The Freebit emulator, reset to its seed data with no faults and zeroed call counts, wired into
    the portal's settings: a :class:`~tests.emulator.FreebitEmulator`."""
    _fresh(freebit_server, settings)
    settings.FREEBIT_API_URL = freebit_server.url + "/emptool/api"
    settings.FREEBIT_OEM_ID = freebit_server.app.config.oem_id
    settings.FREEBIT_OEM_KEY = freebit_server.app.config.oem_key
    yield from controlled(FreebitEmulator, freebit_server)


class TaskQueue:
    """What the code under test handed to Celery, read back from a real broker queue."""

    def __init__(self, app, name: str) -> None:
        self.app, self.name = app, name
        self._seen: list[tuple[str, list]] = []
        self._etas: list[str | None] = []

    def messages(self) -> list[tuple[str, list]]:
        """(task name, args) of every message queued so far, in order."""
        self._read()
        return list(self._seen)

    def etas(self) -> list[datetime | None]:
        """When each message queued so far may run (None: at once), in order."""
        self._read()
        return [datetime.fromisoformat(eta) if eta else None for eta in self._etas]

    def _read(self) -> None:
        with self.app.connection_for_read() as connection:
            queue = connection.SimpleQueue(self.name, no_ack=True)
            try:
                while True:
                    try:
                        message = queue.get(block=False)
                    except queue.Empty:
                        break
                    args, _kwargs, _embed = message.payload
                    self._seen.append((message.headers["task"], list(args)))
                    self._etas.append(message.headers.get("eta"))
            finally:
                queue.close()

    def first_args(self, task: str) -> list:
        """The first argument of each queued call of ``task`` (the row ids our tasks take)."""
        return [args[0] for name, args in self.messages() if name == task]


@pytest.fixture
def task_queue():
    """Tasks go to the test broker (``CELERY_BROKER_URL``) on a private queue instead of running
    in-process, as the web process sends them in production; nothing consumes them but the test."""
    import uuid

    from portal.celery import app

    conf = app.conf
    saved = {name: conf[name] for name in ("task_always_eager", "task_default_queue")}
    name = f"test-queue-{uuid.uuid4().hex[:8]}"
    conf.update(task_always_eager=False, task_default_queue=name)
    queue = TaskQueue(app, name)
    yield queue
    conf.update(saved)
    with app.connection_for_write() as connection:
        connection.SimpleQueue(name).queue.delete()


@pytest.fixture
def cache_redis(tmp_path, settings):
    """A private, empty ``redis-server`` as the portal's cache (production's cache settings), which a
    test may stop (``.stop()``), freeze and start again: a real Redis outage. Killed at the end."""
    from portal.settings.base import redis_cache
    from tests.processes import RedisServer, free_port

    server = RedisServer(free_port(), tmp_path).start()
    settings.CACHES = {"default": redis_cache(server.url, "portal-private")}  # resets django.core.cache.caches
    try:
        yield server
    finally:
        server.stop()
