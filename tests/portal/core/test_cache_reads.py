"""portal.core.cache within one request: the namespace version read once, a page's keys in one MGET,
a bump in the request taking effect at once, a miss in two round trips with its stale copy written."""
import contextvars
import threading
import time

import pytest
from django.core.cache import cache

from integrations.whmcs.errors import WhmcsTransportError
from portal.core.cache import fetch_for_customer, invalidate_customer, preload, request_reads
from tests.redis_commands import counted_redis_commands

FAILURES = (WhmcsTransportError,)
USER = 4242


def reader(values: list):
    """A fetch that answers the next value each time it is called, and counts its calls."""
    calls = []

    def fetch():
        calls.append(1)
        return values[len(calls) - 1]

    return fetch, calls


def test_in_a_request_the_namespace_version_is_read_once_and_each_value_once():
    fetch, calls = reader(["invoices", "services"])
    with request_reads():
        fetch_for_customer(USER, "invoices", 60, fetch, failures=FAILURES)
        fetch_services, _ = reader(["services"])
        fetch_for_customer(USER, "services", 60, fetch_services, failures=FAILURES)
        with counted_redis_commands() as log:
            again = fetch_for_customer(USER, "invoices", 60, fetch, failures=FAILURES)
            also = fetch_for_customer(USER, "services", 60, fetch_services, failures=FAILURES)

    assert (again.value, also.value, len(calls)) == ("invoices", "services", 1)
    assert log.commands == []  # both read already in this request: nothing sent to Redis


def test_a_pages_keys_are_read_in_one_mget_after_one_namespace_read():
    with request_reads():
        for suffix in ("a", "b"):
            fetch_for_customer(USER, suffix, 60, lambda suffix=suffix: suffix.upper(), failures=FAILURES)
    with request_reads(), counted_redis_commands() as log:
        missing = preload(USER, ["a", "b", "c"])
        values = [fetch_for_customer(USER, suffix, 60, lambda: "fresh C", failures=FAILURES).value
                  for suffix in ("a", "b")]

    assert missing == {"c"} and values == ["A", "B"]
    assert log.commands == ["GET", "MGET"]


def test_a_bump_within_the_request_takes_effect_in_that_request():
    fetch, calls = reader(["before", "after"])
    with request_reads():
        first = fetch_for_customer(USER, "invoices", 60, fetch, failures=FAILURES)
        invalidate_customer(USER)
        second = fetch_for_customer(USER, "invoices", 60, fetch, failures=FAILURES)

    assert (first.value, second.value, len(calls)) == ("before", "after", 2)


def test_a_bump_elsewhere_is_seen_by_the_next_request():
    fetch, calls = reader(["before", "after"])
    with request_reads():
        fetch_for_customer(USER, "invoices", 60, fetch, failures=FAILURES)
    invalidate_customer(USER)  # a webhook, in a worker
    with request_reads():
        second = fetch_for_customer(USER, "invoices", 60, fetch, failures=FAILURES)

    assert (second.value, len(calls)) == ("after", 2)


def test_a_miss_is_two_round_trips_and_leaves_the_value_its_stale_copy_and_no_lock():
    with request_reads():
        preload(USER, ["invoices"])
        with counted_redis_commands() as log:
            fresh = fetch_for_customer(USER, "invoices", 60, lambda: "fresh", failures=FAILURES)

    assert fresh.value == "fresh"
    assert log.round_trips == 2
    assert sorted(log.commands) == ["DEL", "GET", "SET", "SET", "SET"]  # lock+read, value+stale+unlock
    assert cache.get(f"stale:user:{USER}:invoices").value == "fresh"
    assert cache.get(f"lock:user:{USER}:v1:invoices") is None


def test_the_stale_copy_written_on_a_miss_is_served_when_the_provider_fails_later():
    fetch_for_customer(USER, "invoices", 60, lambda: "kept", failures=FAILURES)
    invalidate_customer(USER)

    def failing():
        raise WhmcsTransportError("GetInvoices", "down")

    with request_reads():
        served = fetch_for_customer(USER, "invoices", 60, failing, failures=FAILURES)

    assert (served.value, served.stale) == ("kept", True)
    assert cache.get(f"lock:user:{USER}:v2:invoices") is None


def test_two_threads_of_one_request_missing_one_key_make_one_call_and_do_not_poll_the_lock():
    calls, fetching = [], threading.Event()

    def slow():
        calls.append(1)
        fetching.set()
        time.sleep(0.3)
        return "services"

    with request_reads(), counted_redis_commands() as log:
        other = threading.Thread(target=contextvars.copy_context().run,
                                 args=(lambda: fetch_for_customer(USER, "services", 60, slow, failures=FAILURES),))
        other.start()
        assert fetching.wait(10)
        mine = fetch_for_customer(USER, "services", 60, slow, failures=FAILURES)
        other.join()

    assert mine.value == "services" and len(calls) == 1
    assert not [key for name, key in log.keys if name == "GET" and ":lock:" in key]  # waited in-process


def test_without_a_request_every_read_goes_to_the_cache():
    fetch, calls = reader(["one", "two"])
    fetch_for_customer(USER, "invoices", 60, fetch, failures=FAILURES)
    with counted_redis_commands() as log:
        again = fetch_for_customer(USER, "invoices", 60, fetch, failures=FAILURES)

    assert (again.value, len(calls)) == ("one", 1)
    assert log.commands == ["GET", "GET"]  # the namespace version, then the value
    assert preload(USER, ["invoices"]) == {"invoices"}  # nothing to keep it in


@pytest.fixture(autouse=True)
def _forget_user():
    yield
    cache.delete_many([f"user:{USER}:ns"])
