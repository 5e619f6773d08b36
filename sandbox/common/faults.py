"""Fault injection: the ways a provider misbehaves, configurable per emulator and seedable.

A :class:`FaultConfig` is built from a dict (the ``/__sandbox__/faults`` JSON body, or a
``faults=`` argument) or from environment variables; a :class:`FaultInjector` draws, for each API
call, which fault (if any) happens, from its own ``random.Random`` so a seeded run repeats exactly.
"""
from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

MALFORMED_KINDS = ("truncate", "html")


class FaultConfigError(ValueError):
    """A fault configuration that does not make sense (unknown key, rate outside 0..1, ...)."""


@dataclass(frozen=True)
class RateLimit:
    """Answer ``status`` (429) with ``Retry-After: retry_after`` on a ``rate`` share of calls."""

    status: int = 429
    retry_after: int = 1
    rate: float = 1.0


@dataclass(frozen=True)
class FaultConfig:
    latency_ms: float = 0
    """Fixed delay added before every API call is answered."""
    error_rate: float = 0.0
    """Share of calls answered with HTTP ``status`` (an upstream error page)."""
    status: int = 503
    timeout_rate: float = 0.0
    """Share of calls that hang for ``timeout_seconds`` and then close without any response."""
    timeout_seconds: float = 30.0
    malformed_rate: float = 0.0
    """Share of calls answered 200 with a broken body: the real body cut in half, or an HTML page."""
    malformed_kind: str = "truncate"
    lost_answer_rate: float = 0.0
    """Share of calls that are carried out, but answered 504 as if the answer was lost on the way."""
    rate_limit: RateLimit | None = None
    seed: int | None = None
    """Re-seeds the injector's random generator when this configuration is applied."""
    actions: tuple[str, ...] = ()
    """Only calls of these actions/operations are subject to faults (empty: every call)."""
    times: int | None = None
    """Inject at most this many faults (latency included), then answer normally (None: no limit)."""

    @property
    def active(self) -> bool:
        return bool(
            self.latency_ms or self.error_rate or self.timeout_rate or self.malformed_rate or self.lost_answer_rate
            or (self.rate_limit and self.rate_limit.rate)
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> FaultConfig:
        """Build from a JSON-like mapping; missing keys take their defaults (no fault)."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise FaultConfigError(f"unknown fault setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        rate_limit = data.pop("rate_limit", None)
        try:
            if rate_limit is True:
                rate_limit = RateLimit()
            elif isinstance(rate_limit, Mapping):
                extra = sorted(set(rate_limit) - {f.name for f in fields(RateLimit)})
                if extra:
                    raise FaultConfigError(f"unknown rate_limit setting(s): {', '.join(extra)}")
                rate_limit = RateLimit(
                    status=int(rate_limit.get("status", 429)),
                    retry_after=int(rate_limit.get("retry_after", 1)),
                    rate=float(rate_limit.get("rate", 1.0)),
                )
            elif rate_limit not in (None, False):
                raise FaultConfigError("rate_limit must be an object, true, false or null")
            else:
                rate_limit = None
            config = cls(
                latency_ms=float(data.get("latency_ms", 0)),
                error_rate=float(data.get("error_rate", 0.0)),
                status=int(data.get("status", 503)),
                timeout_rate=float(data.get("timeout_rate", 0.0)),
                timeout_seconds=float(data.get("timeout_seconds", 30.0)),
                malformed_rate=float(data.get("malformed_rate", 0.0)),
                malformed_kind=str(data.get("malformed_kind", "truncate")),
                lost_answer_rate=float(data.get("lost_answer_rate", 0.0)),
                rate_limit=rate_limit,
                seed=None if data.get("seed") is None else int(data["seed"]),
                actions=_actions(data.get("actions")),
                times=None if data.get("times") is None else int(data["times"]),
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, FaultConfigError):
                raise
            raise FaultConfigError(f"invalid fault setting: {exc}") from exc
        config.validate()
        return config

    @classmethod
    def from_env(cls, environ: Mapping[str, str], emulator: str | None = None) -> FaultConfig:
        """Read ``SANDBOX_FAULT_*`` variables; ``SANDBOX_<EMULATOR>_FAULT_*`` wins for one emulator.

        Names: ``LATENCY_MS``, ``ERROR_RATE``, ``STATUS``, ``TIMEOUT_RATE``, ``TIMEOUT_SECONDS``,
        ``MALFORMED_RATE``, ``MALFORMED_KIND``, ``LOST_ANSWER_RATE``, ``RATE_LIMIT_RATE`` (turns rate limiting on),
        ``RATE_LIMIT_STATUS``, ``RATE_LIMIT_RETRY_AFTER``, ``SEED``.
        """
        prefixes = [f"SANDBOX_{emulator.upper()}_FAULT_"] if emulator else []
        prefixes.append("SANDBOX_FAULT_")

        def get(name: str) -> str | None:
            for prefix in prefixes:
                value = environ.get(prefix + name)
                if value not in (None, ""):
                    return value
            return None

        data: dict[str, Any] = {}
        for name in ("latency_ms", "error_rate", "status", "timeout_rate", "timeout_seconds",
                     "malformed_rate", "malformed_kind", "lost_answer_rate", "seed"):
            value = get(name.upper())
            if value is not None:
                data[name] = value
        rate = get("RATE_LIMIT_RATE")
        if rate is not None and float(rate) > 0:
            data["rate_limit"] = {
                "rate": rate,
                "status": get("RATE_LIMIT_STATUS") or 429,
                "retry_after": get("RATE_LIMIT_RETRY_AFTER") or 1,
            }
        return cls.from_dict(data)

    def validate(self) -> None:
        for name in ("error_rate", "timeout_rate", "malformed_rate", "lost_answer_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise FaultConfigError(f"{name} must be between 0 and 1, got {value}")
        if self.rate_limit and not 0.0 <= self.rate_limit.rate <= 1.0:
            raise FaultConfigError(f"rate_limit.rate must be between 0 and 1, got {self.rate_limit.rate}")
        if self.latency_ms < 0 or self.timeout_seconds < 0:
            raise FaultConfigError("latency_ms and timeout_seconds must not be negative")
        if not 400 <= self.status <= 599:
            raise FaultConfigError(f"status must be an HTTP error status, got {self.status}")
        if self.rate_limit and not 400 <= self.rate_limit.status <= 599:
            raise FaultConfigError(f"rate_limit.status must be an HTTP error status, got {self.rate_limit.status}")
        if self.times is not None and self.times < 0:
            raise FaultConfigError("times must not be negative")
        if self.malformed_kind not in MALFORMED_KINDS:
            raise FaultConfigError(f"malformed_kind must be one of {', '.join(MALFORMED_KINDS)}")


def _actions(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not all(isinstance(item, str) for item in value):
        raise FaultConfigError("actions must be a list of action names")
    return tuple(value)


def coerce_config(value: FaultConfig | Mapping[str, Any] | None) -> FaultConfig:
    if isinstance(value, FaultConfig):
        value.validate()
        return value
    return FaultConfig.from_dict(value)


@dataclass(frozen=True)
class FaultDecision:
    """What happens to one API call: a delay, then at most one of the listed faults."""

    latency_s: float = 0.0
    fault: str | None = None  # "rate_limit" | "timeout" | "error" | "malformed" | "lost_answer" | None
    config: FaultConfig = field(default_factory=FaultConfig)


class FaultInjector:
    """Thread-safe holder of the live fault configuration and its random generator."""

    def __init__(self, config: FaultConfig | Mapping[str, Any] | None = None, seed: int | None = None):
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._config = FaultConfig()
        self.injected: Counter[str] = Counter()
        self.configure(config)

    @property
    def config(self) -> FaultConfig:
        with self._lock:
            return self._config

    def configure(self, config: FaultConfig | Mapping[str, Any] | None) -> FaultConfig:
        """Replace the whole configuration (missing settings mean "no such fault")."""
        config = coerce_config(config)
        with self._lock:
            self._config = config
            self._spent = 0
            if config.seed is not None:
                self._random.seed(config.seed)
        return config

    def clear(self) -> None:
        self.configure(None)

    def counts(self) -> dict[str, int]:
        """How many times each fault was injected since the last reset."""
        with self._lock:
            return dict(sorted(self.injected.items()))

    def reset_counts(self) -> None:
        with self._lock:
            self.injected.clear()

    def decide(self, call: str | None = None) -> FaultDecision:
        """Draw the fate of one call. Draws happen in a fixed order, one per enabled fault."""
        with self._lock:
            config = self._config
            if (config.actions and call not in config.actions) or (
                    config.times is not None and self._spent >= config.times):
                return FaultDecision(config=config)
            fault = None
            if config.rate_limit and config.rate_limit.rate and self._random.random() < config.rate_limit.rate:
                fault = "rate_limit"
            if config.timeout_rate and self._random.random() < config.timeout_rate and fault is None:
                fault = "timeout"
            if config.error_rate and self._random.random() < config.error_rate and fault is None:
                fault = "error"
            if config.malformed_rate and self._random.random() < config.malformed_rate and fault is None:
                fault = "malformed"
            if config.lost_answer_rate and self._random.random() < config.lost_answer_rate and fault is None:
                fault = "lost_answer"
            if config.latency_ms:
                self.injected["latency"] += 1
            if fault:
                self.injected[fault] += 1
            if fault or config.latency_ms:
                self._spent += 1
            return FaultDecision(latency_s=config.latency_ms / 1000.0, fault=fault, config=config)
