"""The circuit breaker (``portal.core.circuit.CacheCircuitBreaker``) on the real Redis cache.

Closed until CIRCUIT_FAILURE_THRESHOLD failures in a row; open (refusing) for CIRCUIT_RESET_SECONDS;
then half-open: one probe at a time, across threads and processes, whose outcome closes or reopens
it. Its state lives in the cache, so two instances (two processes) share one circuit; and when the
cache itself fails, the breaker lets every call through instead of blocking a healthy provider.
Time is moved with time_machine (the breaker reads ``time.time()``).
"""
import logging
import socket
import threading
import time
import uuid

import pytest
from django.core.cache import cache

from integrations.http import through_breaker
from portal.core.circuit import CacheCircuitBreaker

THRESHOLD = 3
RESET_SECONDS = 30


@pytest.fixture(autouse=True)
def breaker_settings(settings):
    settings.CIRCUIT_BREAKER_ENABLED = True
    settings.CIRCUIT_FAILURE_THRESHOLD = THRESHOLD
    settings.CIRCUIT_RESET_SECONDS = RESET_SECONDS
    settings.PROVIDER_READ_TIMEOUT = 2.0
    settings.PROVIDER_MAX_ATTEMPTS = 2


@pytest.fixture
def provider() -> str:
    return f"unit-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def breaker(provider) -> CacheCircuitBreaker:
    return CacheCircuitBreaker(provider)


def fail(breaker: CacheCircuitBreaker, times: int = 1) -> None:
    for _ in range(times):
        breaker.record_failure()


def open_circuit(breaker: CacheCircuitBreaker) -> None:
    fail(breaker, THRESHOLD)
    assert breaker.state() == "open"


def after_the_reset(time_machine, seconds: float = RESET_SECONDS + 1) -> None:
    time_machine.move_to(time.time() + seconds, tick=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- closed -> open -------------------------------------------------------------------------------------


def test_a_new_circuit_is_closed(breaker):
    assert breaker.state() == "closed"
    assert breaker.allow() is True


def test_it_opens_at_the_threshold_of_failures_in_a_row(breaker):
    fail(breaker, THRESHOLD - 1)
    assert breaker.state() == "closed" and breaker.allow() is True

    fail(breaker)

    assert breaker.state() == "open"
    assert breaker.allow() is False
    assert breaker.allow() is False  # refusing costs nothing and changes nothing


def test_a_success_resets_the_count(breaker):
    fail(breaker, THRESHOLD - 1)
    breaker.record_success()
    fail(breaker, THRESHOLD - 1)

    assert breaker.state() == "closed" and breaker.allow() is True
    fail(breaker)
    assert breaker.state() == "open"


def test_a_threshold_of_one_opens_at_the_first_failure(breaker, settings):
    settings.CIRCUIT_FAILURE_THRESHOLD = 1

    fail(breaker)

    assert breaker.allow() is False


def test_it_stays_open_for_the_reset_seconds(breaker, time_machine):
    time_machine.move_to(time.time(), tick=False)
    open_circuit(breaker)

    after_the_reset(time_machine, RESET_SECONDS - 1)
    assert breaker.state() == "open" and breaker.allow() is False

    after_the_reset(time_machine, 2)
    assert breaker.state() == "half-open"


# -- half-open: one probe at a time ---------------------------------------------------------------------


def test_half_open_lets_exactly_one_probe_through(breaker, time_machine):
    time_machine.move_to(time.time(), tick=False)
    open_circuit(breaker)
    after_the_reset(time_machine)

    assert breaker.allow() is True  # the probe
    assert [breaker.allow() for _ in range(5)] == [False] * 5  # the others, while it is out


def test_half_open_lets_exactly_one_probe_through_across_threads(breaker, provider, time_machine):
    time_machine.move_to(time.time(), tick=False)
    open_circuit(breaker)
    after_the_reset(time_machine)
    start = threading.Barrier(16)
    answers: list[bool] = []
    lock = threading.Lock()

    def caller():
        mine = CacheCircuitBreaker(provider)  # each thread has its own Redis connection, too
        start.wait()
        allowed = mine.allow()
        with lock:
            answers.append(allowed)

    threads = [threading.Thread(target=caller) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert len(answers) == 16
    assert answers.count(True) == 1


def test_a_successful_probe_closes_the_circuit(breaker, time_machine):
    time_machine.move_to(time.time(), tick=False)
    open_circuit(breaker)
    after_the_reset(time_machine)
    assert breaker.allow() is True

    breaker.record_success()

    assert breaker.state() == "closed"
    assert all(breaker.allow() for _ in range(5))
    fail(breaker, THRESHOLD - 1)  # and the count starts again from nothing
    assert breaker.state() == "closed"


def test_a_failed_probe_reopens_the_circuit_for_another_reset_period(breaker, time_machine):
    time_machine.move_to(time.time(), tick=False)
    open_circuit(breaker)
    after_the_reset(time_machine)
    assert breaker.allow() is True

    breaker.record_failure()

    assert breaker.state() == "open" and breaker.allow() is False
    after_the_reset(time_machine, RESET_SECONDS - 1)
    assert breaker.allow() is False
    after_the_reset(time_machine, 2)
    assert breaker.allow() is True  # the next probe
    assert breaker.allow() is False


def test_a_probe_that_never_reports_back_does_not_block_the_circuit_forever(breaker, settings, time_machine):
    settings.PROVIDER_READ_TIMEOUT = 0.1
    settings.PROVIDER_MAX_ATTEMPTS = 1  # the probe's lease: read timeout x attempts + 1 s, whole seconds
    time_machine.move_to(time.time(), tick=False)
    open_circuit(breaker)
    after_the_reset(time_machine)
    assert breaker.allow() is True  # the probe's process dies before it reports anything
    assert breaker.allow() is False

    time.sleep(1.2)  # the lease lives in Redis, on Redis's clock

    assert breaker.allow() is True  # another caller may probe


def test_through_breaker_sends_the_probe_and_its_answer_closes_the_circuit(breaker, time_machine):
    time_machine.move_to(time.time(), tick=False)
    open_circuit(breaker)
    sent = []

    def send():
        sent.append(1)
        return "answer"

    with pytest.raises(RuntimeError, match="refused"):
        through_breaker(breaker, send, is_failure=lambda exc: True, refused=lambda: RuntimeError("refused"))
    assert sent == []

    after_the_reset(time_machine)
    assert through_breaker(breaker, send, is_failure=lambda exc: True, refused=lambda: RuntimeError("x")) == "answer"
    assert sent == [1] and breaker.state() == "closed"


# -- shared state ---------------------------------------------------------------------------------------


def test_two_instances_share_one_circuit(provider, time_machine):
    """Two processes each build their own breaker for a provider: the failures of both count toward
    one circuit, and what one of them sees (open, the probe, closed) the other sees too."""
    time_machine.move_to(time.time(), tick=False)
    web_1, web_2 = CacheCircuitBreaker(provider), CacheCircuitBreaker(provider)

    web_1.record_failure()
    web_2.record_failure()
    web_1.record_failure()

    assert web_2.state() == "open" and web_2.allow() is False
    after_the_reset(time_machine)
    assert web_1.allow() is True  # web 1 probes
    assert web_2.allow() is False  # web 2 must not probe at the same time
    web_1.record_success()
    assert web_2.state() == "closed" and web_2.allow() is True


def test_each_provider_has_its_own_circuit(breaker):
    other = CacheCircuitBreaker(f"{breaker.provider}-other")

    open_circuit(breaker)

    assert other.state() == "closed" and other.allow() is True


def test_disabled_it_never_refuses(breaker, settings):
    open_circuit(breaker)
    settings.CIRCUIT_BREAKER_ENABLED = False

    assert breaker.allow() is True
    fail(breaker, THRESHOLD * 3)
    assert breaker.allow() is True


def test_disabled_it_keeps_no_state(breaker, settings):
    settings.CIRCUIT_BREAKER_ENABLED = False
    fail(breaker, THRESHOLD * 3)

    settings.CIRCUIT_BREAKER_ENABLED = True

    assert breaker.state() == "closed" and breaker.allow() is True


# -- the cache itself failing lets traffic through ------------------------------------------------------


def dead_redis(*, ignore_exceptions: bool) -> dict:
    """The production cache settings (``redis_cache()``), pointing at a port nothing listens on."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 0.5,
                "SOCKET_TIMEOUT": 0.5,
                "IGNORE_EXCEPTIONS": ignore_exceptions,
            },
            "KEY_PREFIX": "portal-test",
        }
    }


@pytest.mark.parametrize("ignore_exceptions", [True, False], ids=["errors-swallowed", "errors-raised"])
def test_a_dead_cache_lets_every_call_through_and_nothing_raises(breaker, settings, caplog, ignore_exceptions):
    open_circuit(breaker)  # open in the real cache...
    settings.CACHES = dead_redis(ignore_exceptions=ignore_exceptions)  # ...which then goes away
    if not ignore_exceptions:
        with pytest.raises(Exception):  # noqa: B017, PT011 - the cache really raises
            cache.get("anything")

    for _ in range(THRESHOLD * 2):
        assert breaker.allow() is True
        breaker.record_failure()
    breaker.record_success()

    assert breaker.allow() is True
    assert breaker.state() in ("closed", "unknown")
    assert not [r for r in caplog.records if r.name == "portal.core.circuit" and r.levelno >= logging.ERROR]


def test_a_dead_cache_lets_through_breaker_send(breaker, settings):
    settings.CACHES = dead_redis(ignore_exceptions=False)
    sent = []

    result = through_breaker(breaker, lambda: sent.append(1) or "answer", is_failure=lambda exc: True,
                             refused=lambda: RuntimeError("refused"))

    assert result == "answer" and sent == [1]


def test_when_the_cache_comes_back_the_circuit_it_held_is_there_again(breaker, settings):
    """An outage of the cache forgets nothing it still holds: an open circuit is open again after."""
    open_circuit(breaker)
    real = settings.CACHES
    settings.CACHES = dead_redis(ignore_exceptions=True)
    assert breaker.allow() is True

    settings.CACHES = real

    assert breaker.allow() is False
