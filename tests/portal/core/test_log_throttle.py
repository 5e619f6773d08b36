"""An outage's repeated error is logged once a minute, with a count of what was held back."""
import logging
import time

import pytest
from django.core.cache import caches

from portal.core.logging import OncePerInterval
from tests.processes import free_port


def record(message="cache call failed", name="portal.cache"):
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, None)


def test_one_record_of_a_kind_per_interval_then_a_count_of_those_held_back():
    throttle = OncePerInterval(seconds=0.2)

    passed = [throttle.filter(record()) for _ in range(5)]
    other = throttle.filter(record("another message"))
    time.sleep(0.25)
    later = record()

    assert passed == [True, False, False, False, False]
    assert other is True, "another kind of message has its own allowance"
    assert throttle.filter(later) is True
    assert later.getMessage() == "cache call failed (4 more like this in the last 0 s were not logged)"


@pytest.mark.django_db
def test_a_redis_outage_logs_the_swallowed_cache_errors_once(settings, caplog):
    settings.CACHES = {"default": {
        "BACKEND": "django_redis.cache.RedisCache", "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        "OPTIONS": {"CLIENT_CLASS": "django_redis.client.DefaultClient", "SOCKET_CONNECT_TIMEOUT": 0.2,
                    "SOCKET_TIMEOUT": 0.2, "IGNORE_EXCEPTIONS": True},
    }}
    caches._settings = None  # build the cache from the new settings
    [throttle] = [f for f in logging.getLogger("portal.cache").filters if isinstance(f, OncePerInterval)]
    throttle.reset()  # an earlier test's outage may have used this minute's allowance
    caplog.set_level(logging.ERROR, logger="portal.cache")
    from django.core.cache import cache

    for n in range(10):
        assert cache.get(f"key-{n}") is None  # a miss, not an error

    assert len([r for r in caplog.records if r.name == "portal.cache"]) == 1
