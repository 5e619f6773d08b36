"""The retry policy every provider connection uses for calls that are safe to repeat (docs/decisions.md §7).

Exponential backoff with full jitter, a bounded number of attempts, and a server's ``Retry-After``
honoured (capped) when the error carries one. Only errors whose ``retryable`` is true are retried.
"""
import logging

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt, wait_random_exponential

MAX_RETRY_AFTER_SECONDS = 10.0


def read_retrying(*, error_type: type[Exception], max_attempts: int, backoff_base: float, backoff_max: float,
                  provider: str, logger: logging.Logger) -> Retrying:
    backoff = wait_random_exponential(multiplier=backoff_base, max=backoff_max)

    def wait(state: RetryCallState) -> float:
        delay = backoff(state)
        retry_after = getattr(_exception(state), "retry_after", None)
        return max(delay, min(retry_after, MAX_RETRY_AFTER_SECONDS)) if retry_after else delay

    def log_retry(state: RetryCallState) -> None:
        logger.warning("%s retry after attempt %d: %s", provider, state.attempt_number, _exception(state))

    return Retrying(
        retry=retry_if_exception(lambda exc: isinstance(exc, error_type) and getattr(exc, "retryable", False)),
        stop=stop_after_attempt(max_attempts),
        wait=wait,
        before_sleep=log_retry,
        reraise=True,
    )


def retry_after_seconds(response: requests.Response) -> float | None:
    """``Retry-After`` in seconds (its delta-seconds form), or None."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _exception(state: RetryCallState) -> BaseException | None:
    return state.outcome.exception() if state.outcome else None
