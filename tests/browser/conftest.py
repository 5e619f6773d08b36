"""Headless Debian Chromium, driven through its matching chromedriver, against the running demo.

``demo`` starts the portal the way ``make run`` serves it: gunicorn with ``portal/demo/gunicorn.py``
(the in-process provider sandboxes and the Platform Event subscriber thread) and
``portal.settings.local``, on a free port, on a fresh SQLite database (migrated, ``seed_demo``
loaded) in a temporary directory. Its environment is built from scratch for the demo: nothing of
the test run's PostgreSQL, Redis or broker leaks into it. Its log is kept in
``test-output/browser/demo-server.log`` and printed under a failing test's report.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.browser.support import OUTPUT, ROOT
from tests.processes import real_time_env

PROVISIONING_SUBSCRIBED = "pubsub subscribed to /event/OrderProvisionRequested__e"
DEMO_START_SECONDS = 90  # migrate + seed + gunicorn boot on a slow, loaded 2-core machine
# gunicorn's graceful stop waits for the worker, whose sandbox servers' threads keep it alive until
# the master kills it (graceful_timeout, 30 s): give it a moment, then end the process group.
DEMO_STOP_SECONDS = 5
# Variables of the test run (or of a developer's shell) that would point the demo elsewhere.
_NOT_FOR_THE_DEMO = ("DATABASE_", "REDIS_", "CELERY_", "CACHE_", "DJANGO_", "TEST_DATABASE", "SANDBOX_",
                     "WHMCS_", "SALESFORCE_", "FREEBIT_", "PORTAL_", "PROVIDER", "PORT", "GUNICORN_CMD_ARGS",
                     "WEB_CONCURRENCY", "EMAIL_URL", "LOG_")


@pytest.fixture(scope="session")
def browser():
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        pytest.fail("chromium and chromedriver are missing: run `make test`, which installs them")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="portal-chromium-")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
                 "--disable-dev-shm-usage", "--window-size=1280,900", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Under CLOCK_AT (scripts/with-clock.sh) the browser keeps the real time: libfaketime makes
    # Chromium spin, and the pages' dates are the server's anyway.
    driver = webdriver.Chrome(service=Service(executable_path=chromedriver, env=real_time_env()), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(autouse=True)
def _fresh_browser_state(browser):
    """Each test starts signed out with an empty console log (the browser is shared; every site of
    these tests is on 127.0.0.1, whose cookies are shared across ports)."""
    if browser.current_url.startswith("http"):
        browser.delete_all_cookies()
    browser.get_log("browser")
    yield


@dataclass(frozen=True)
class Demo:
    url: str
    log_path: Path
    process: subprocess.Popen

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_environment(workdir: Path, port: int) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(_NOT_FOR_THE_DEMO)}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.local",
        DATABASE_URL=f"sqlite:///{workdir / 'portal.sqlite3'}",
        # Set to the embedded defaults explicitly, so that a .env file cannot switch them either.
        REDIS_URL="", CELERY_BROKER_URL="memory://", WHMCS_API_URL="", SALESFORCE_LOGIN_URL="",
        FREEBIT_API_URL="", PROVIDERS_USE_SANDBOX="true",
        LOG_LEVEL="INFO", LOG_FORMAT="text",  # INFO: the subscriber's "subscribed" line tells it is ready
        PORT=str(port), PORTAL_PUBLIC_URL=f"http://127.0.0.1:{port}",
        PYTHONUNBUFFERED="1", TMPDIR=str(workdir),
        DEMO_CLOCK_CONTROL="true",  # tests/browser/test_calendar_edges.py moves the demo's clock
    )
    return env


def _prepare(env: dict[str, str], log) -> None:
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        log.write(f"==> manage.py {' '.join(command)}\n")
        log.flush()
        done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT, timeout=DEMO_START_SECONDS, check=False)
        if done.returncode:
            raise RuntimeError(f"manage.py {command[0]} failed with exit code {done.returncode}")
    # collectstatic is left out: STATIC_ROOT is fixed to the tree's staticfiles/ (no variable), and
    # the demo serves /static/ from the source folders anyway (WHITENOISE_USE_FINDERS).


def _wait_until_serving(process: subprocess.Popen, url: str, log_path: Path) -> None:
    deadline = time.monotonic() + DEMO_START_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as answer:  # noqa: S310 (our own demo)
                healthy = answer.status == 200
        except (urllib.error.URLError, OSError):
            healthy = False
        # The provisioning subscription starts from LATEST: an order approved before it subscribed would
        # be missed (the case topic's starts from EARLIEST and may subscribe first).
        if healthy and PROVISIONING_SUBSCRIBED in log_path.read_text(encoding="utf-8", errors="replace"):
            return
        try:
            process.wait(timeout=0.5)  # the pause between two probes, and gunicorn exiting early
        except subprocess.TimeoutExpired:
            continue
        raise RuntimeError(f"gunicorn exited with code {process.returncode} while starting")
    raise RuntimeError(f"within {DEMO_START_SECONDS} s the demo did not both answer /healthz and log its "
                       f"Platform Event subscriber's {PROVISIONING_SUBSCRIBED!r} line")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop
    try:
        process.wait(timeout=DEMO_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        # The master and its worker run in their own process group (start_new_session).
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=DEMO_STOP_SECONDS)


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo served by gunicorn, as ``make run`` serves it, for the whole browser session."""
    workdir = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = demo_environment(workdir, port)
    url = f"http://127.0.0.1:{port}"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "demo-server.log"
    process = None
    with log_path.open("w", encoding="utf-8") as log:
        try:
            _prepare(env, log)
            log.write(f"==> gunicorn on {url}\n")
            log.flush()
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--config", "portal/demo/gunicorn.py",
                 "--bind", f"127.0.0.1:{port}", "--access-logfile", "-", "--log-level", "warning",
                 "--no-control-socket"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
            _wait_until_serving(process, url, log_path)
        except Exception as problem:
            if process is not None:
                _stop(process)
            shutil.copyfile(log_path, OUTPUT / "demo-server.log")
            pytest.fail(f"The demo did not start: {problem}\n--- demo server log ---\n{log_path.read_text()}",
                        pytrace=False)
        try:
            yield Demo(url=url, log_path=log_path, process=process)
        finally:
            _stop(process)
            shutil.copyfile(log_path, OUTPUT / "demo-server.log")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failing test shows where the browser was (its page kept in test-output/browser/failures/) and,
    when it used the demo, the demo's log (its last lines)."""
    outcome = yield
    report = outcome.get_result()
    if not report.failed or not hasattr(item, "funcargs"):
        return
    driver = item.funcargs.get("browser")
    if driver is not None and report.when == "call":
        report.sections.append(("browser", _keep_failed_page(driver, item.name)))
    demo_server = item.funcargs.get("demo")
    if isinstance(demo_server, Demo):
        lines = demo_server.log().splitlines()
        report.sections.append(("demo server log (last 300 lines; all in test-output/browser/demo-server.log)",
                                "\n".join(lines[-300:])))


def _keep_failed_page(driver, name: str) -> str:
    folder = OUTPUT / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        driver.save_screenshot(str(folder / f"{name}.png"))
        (folder / f"{name}.html").write_text(driver.page_source, encoding="utf-8")
        return f"at {driver.current_url} ({driver.title!r}); page kept in {folder.relative_to(ROOT)}/{name}.*"
    except Exception as problem:  # a crashed tab: say so rather than hide the test's own failure
        return f"the page could not be kept: {problem!r}"
