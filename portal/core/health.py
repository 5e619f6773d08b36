"""Readiness checks: each answers ``None`` when its part works, or a short reason when not.

The reasons are for operators (the ``/readyz`` body and the logs); they name the failing part and
the error type, never a connection string or a credential.
"""
import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from portal.celery import app as celery_app

logger = logging.getLogger(__name__)


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failure("database", exc)
    return None


def check_cache() -> str | None:
    key, token = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        # django-redis swallows connection errors (IGNORE_EXCEPTIONS): a failed round trip
        # shows up as a missing value, which is what we test for.
        cache.set(key, token, timeout=10)
        ok = cache.get(key) == token
        cache.delete(key)
    except Exception as exc:
        return _failure("cache", exc)
    return None if ok else "cache: value written could not be read back"


def check_broker() -> str | None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None  # the embedded default runs tasks in-process: there is no broker to reach
    try:
        with celery_app.connection_for_write(connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:
        return _failure("broker", exc)
    return None


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def readiness() -> dict[str, str]:
    """``{"database": "ok", "cache": "...reason..."}`` for every check."""
    results = {}
    for name, check in CHECKS.items():
        reason = check()
        results[name] = "ok" if reason is None else reason
    return results


def _failure(part: str, exc: Exception) -> str:
    logger.warning("readiness check failed: %s (%s)", part, type(exc).__name__)
    return f"{part}: unreachable ({type(exc).__name__})"
