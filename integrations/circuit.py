"""The circuit-breaker hook every provider connection calls around each HTTP exchange.

A connection is given a :class:`CircuitBreaker` (the portal's lives in ``portal.core.circuit``, its
state shared through the cache so every process sees the same circuit). While the circuit is open
the connection raises its provider's ``…CircuitOpen`` error without calling the provider, so a
failing provider costs the portal nothing but a cache read; ``retryable`` is false on those errors,
so the retry policy does not wait for a circuit that will stay open.
"""
from collections.abc import Callable
from typing import Protocol, TypeVar

T = TypeVar("T")


class CircuitBreaker(Protocol):
    def allow(self) -> bool:
        """May a call go to the provider now? (False while the circuit is open.)"""

    def record_success(self) -> None:
        """The provider answered (any answer it meant to give, errors included)."""

    def record_failure(self) -> None:
        """The provider did not answer usefully: network error, timeout, 5xx, 429 or garbage."""


def through_breaker(breaker: CircuitBreaker | None, send: Callable[[], T], *,
                    is_failure: Callable[[BaseException], bool], refused: Callable[[], Exception]) -> T:
    """Run ``send`` unless the circuit is open (then raise ``refused()``), and report how it went."""
    if breaker is None:
        return send()
    if not breaker.allow():
        raise refused()
    try:
        result = send()
    except Exception as exc:
        if is_failure(exc):
            breaker.record_failure()
        else:
            breaker.record_success()
        raise
    breaker.record_success()
    return result
