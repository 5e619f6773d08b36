"""The client's address behind ``TRUSTED_PROXY_COUNT`` proxies, and the cache-counted rate limits."""
import pytest
from django.test import RequestFactory

from portal.core import throttle
from portal.core.client_address import UNKNOWN, client_address, known_client_address


def request(remote="10.0.0.7", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(("count", "forwarded", "expected"), [
    (0, "203.0.113.9", "10.0.0.7"),  # no trusted proxy: the header is the client's own words
    (1, None, "10.0.0.7"),
    (1, "203.0.113.9", "203.0.113.9"),
    (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # the left entry was written by the client
    (2, "198.51.100.1, 203.0.113.9, 10.0.0.3", "203.0.113.9"),  # CDN, then load balancer
    (2, "203.0.113.9", "203.0.113.9"),  # fewer entries than proxies: the leftmost
    (1, "203.0.113.9:51234", "203.0.113.9"),
    (1, "[2001:db8::1]:443", "2001:db8::1"),
    (1, "2001:DB8:0::1", "2001:db8::1"),
    (1, "not-an-address", "10.0.0.7"),
    (1, " , ", "10.0.0.7"),
])
def test_the_client_address(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count

    assert client_address(request(forwarded=forwarded)) == expected


def test_a_request_with_no_ip_address_is_counted_as_one_unknown(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    unix_socket = request(remote="unix:/run/gunicorn.sock")

    assert known_client_address(unix_socket) is None
    assert client_address(unix_socket) == UNKNOWN


@pytest.mark.parametrize(("text", "count", "seconds"), [("5/h", 5, 3600), ("300/min", 300, 60), (" 1/s ", 1, 1),
                                                        ("10/day", 10, 86400)])
def test_rates_read_like_drf_rates(text, count, seconds):
    assert throttle.Rate.parse(text) == throttle.Rate(count, seconds)


@pytest.mark.parametrize("text", ["", "5", "five/h", "0/h", "5/w", "-1/m"])
def test_a_malformed_rate_is_refused(text):
    with pytest.raises(ValueError, match="count/s, m, h or d"):
        throttle.Rate.parse(text)


def test_hits_over_the_rate_wait_for_the_next_window(time_machine):
    time_machine.move_to("2026-11-26 10:00:30+00:00", tick=False)

    answers = [throttle.hit("test", "someone", "3/m") for _ in range(4)]

    assert answers[:3] == [None, None, None]
    assert answers[3] == 30  # seconds to the next minute
    assert throttle.hit("test", "someone else", "3/m") is None
    time_machine.shift(30)
    assert throttle.hit("test", "someone", "3/m") is None
