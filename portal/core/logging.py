"""Logging filters: secret values never reach a log line; an outage's repeated error is logged once a minute."""
import logging
import re
import threading
import time
import weakref

from django.core.signals import setting_changed

_SECRET_PAIR = re.compile(
    r"(?P<key>\b(?:password|passwd|secret|api[_-]?key|token|access[_-]?token|identifier|assertion"
    r"|authorization)\b\s*[=:]\s*)(?P<value>(?:Bearer\s+)?[^\s&,;\"']+)",
    re.IGNORECASE,
)
REDACTED = "[redacted]"
_FILTERS: "weakref.WeakSet[RedactSecretsFilter]" = weakref.WeakSet()


class RedactSecretsFilter(logging.Filter):
    """Replaces configured secret values and ``key=value`` credentials in a record.

    The secret values are the settings named in ``SECRET_SETTING_NAMES``, read once Django's
    settings are ready. Redaction runs on the fully formatted message and on the exception text,
    so a secret inside an argument or an exception message is caught too.
    """

    def __init__(self, name: str = "") -> None:
        super().__init__(name)
        self._secrets: list[str] | None = None
        _FILTERS.add(self)

    def forget_secrets(self) -> None:
        """Read the secret values again on the next record (a secret setting changed)."""
        self._secrets = None

    def filter(self, record: logging.LogRecord) -> bool:
        message = self.redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            # Formatters re-render exc_info when present: keep only the redacted text.
            record.exc_text, record.exc_info = self.redact(record.exc_text), None
        return True

    def redact(self, text: str) -> str:
        for secret in self._secret_values():
            if secret in text:
                text = text.replace(secret, REDACTED)
        return _SECRET_PAIR.sub(lambda m: m.group("key") + REDACTED, text)

    def _secret_values(self) -> list[str]:
        if self._secrets is None:
            try:
                from django.conf import settings

                names = getattr(settings, "SECRET_SETTING_NAMES", [])
                values = [str(getattr(settings, name, "") or "") for name in names]
            except Exception:  # settings not configured yet: try again on the next record
                return []
            # Short values would redact ordinary words; secrets worth the name are longer.
            self._secrets = sorted((v for v in values if len(v) >= 8), key=len, reverse=True)
        return self._secrets


def _secret_setting_changed(*, setting: str, **kwargs) -> None:
    """A secret setting changed at run time (``override_settings``, the test suite's ``settings``):
    redact the new value from then on, not only the one read at the first log record."""
    from django.conf import settings

    if setting == "SECRET_SETTING_NAMES" or setting in getattr(settings, "SECRET_SETTING_NAMES", ()):
        for log_filter in list(_FILTERS):
            log_filter.forget_secrets()


setting_changed.connect(_secret_setting_changed, dispatch_uid="portal.core.logging.secret_setting_changed")


class OncePerInterval(logging.Filter):
    """Lets one record of a kind (logger and message template) through per ``seconds``; the next one
    let through says how many were held back. For loggers that would otherwise repeat the same
    error on every call during an outage (django-redis logs each cache call it swallows)."""

    def __init__(self, name: str = "", seconds: float = 60.0) -> None:
        super().__init__(name)
        self.seconds = seconds
        self._lock = threading.Lock()
        self._last: dict[tuple[str, str], float] = {}
        self._held: dict[tuple[str, str], int] = {}

    def reset(self) -> None:
        with self._lock:
            self._last.clear()
            self._held.clear()

    def filter(self, record: logging.LogRecord) -> bool:
        kind = (record.name, str(record.msg))
        now = time.monotonic()
        with self._lock:
            last = self._last.get(kind)
            if last is not None and now - last < self.seconds:
                self._held[kind] = self._held.get(kind, 0) + 1
                return False
            self._last[kind] = now
            held = self._held.pop(kind, 0)
        if held:
            record.msg = f"{record.msg} ({held} more like this in the last {self.seconds:.0f} s were not logged)"
        return True
