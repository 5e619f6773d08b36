"""Logging filters: secret values never reach a log line."""
import logging
import re
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
