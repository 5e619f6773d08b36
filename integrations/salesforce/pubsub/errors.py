"""What can go wrong on the Pub/Sub API, and how the subscriber reacts to each gRPC error.

Salesforce answers a failed call with a gRPC status and puts its own error code in the
``error-code`` trailer (``sfdc.platform.eventbus.grpc.service.auth.error``,
``sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted``, ...) and an ``rpc-id``
for support. :func:`classify` reads both and says what to do.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

import grpc

AUTH_ERROR_MARKER = ".auth."
"""Salesforce's auth error codes contain it (``sfdc.platform.eventbus.grpc.service.auth.error``)."""
REPLAY_ID_MARKERS = ("replayid", "replay id", "replay_id")
"""An INVALID_ARGUMENT mentioning one of these is about the replay id we asked to resume from."""

PERMANENT_CODES = frozenset({
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.UNIMPLEMENTED,
    grpc.StatusCode.FAILED_PRECONDITION,
})
"""Retrying the same call cannot help: a wrong topic, a missing permission, a bad request."""


class PubSubError(Exception):
    """The subscriber gave up: a failure that retrying cannot fix. ``run()`` raises it."""


class PubSubAuthError(PubSubError):
    """Salesforce refused the credentials again right after a fresh sign-in (a wrong tenant id,
    a user without access to the Pub/Sub API, ...)."""


class PubSubDecodeError(PubSubError):
    """An event's payload could not be decoded with the schema Salesforce gave for it."""


class Action(enum.Enum):
    REAUTHENTICATE = "re-authenticate"
    """UNAUTHENTICATED, or an auth error code: sign in again and resubscribe."""
    RESET_REPLAY = "reset replay id"
    """The stored replay id is corrupted or past the retention window: resubscribe from the fallback preset."""
    GIVE_UP = "give up"
    """A permanent error: surface it."""
    RETRY = "retry"
    """Anything else (UNAVAILABLE, INTERNAL, a dropped stream, ...): back off and resubscribe."""


@dataclass(frozen=True)
class RpcFailure:
    """A gRPC error, read once: its status, message and Salesforce's trailers."""

    code: grpc.StatusCode | None
    details: str
    error_code: str
    rpc_id: str

    @classmethod
    def of(cls, error: grpc.RpcError) -> RpcFailure:
        trailers = _trailers(error)
        code = error.code() if hasattr(error, "code") else None
        details = error.details() if hasattr(error, "details") else str(error)
        return cls(code=code, details=details or "", error_code=trailers.get("error-code", ""),
                   rpc_id=trailers.get("rpc-id", ""))

    def __str__(self) -> str:
        name = self.code.name if self.code is not None else "UNKNOWN"
        extra = f" [{self.error_code}]" if self.error_code else ""
        return f"{name}: {self.details}{extra}"


def classify(failure: RpcFailure) -> Action:
    """What the subscriber does about a failed call."""
    if failure.code == grpc.StatusCode.UNAUTHENTICATED or AUTH_ERROR_MARKER in failure.error_code:
        return Action.REAUTHENTICATE
    if failure.code == grpc.StatusCode.INVALID_ARGUMENT:
        text = f"{failure.error_code} {failure.details}".lower()
        if any(marker in text for marker in REPLAY_ID_MARKERS):
            return Action.RESET_REPLAY
    if failure.code in PERMANENT_CODES:
        return Action.GIVE_UP
    return Action.RETRY


def _trailers(error: grpc.RpcError) -> dict[str, str]:
    try:
        metadata = error.trailing_metadata() if hasattr(error, "trailing_metadata") else None
    except Exception:  # a call that never started has no trailers
        metadata = None
    found: dict[str, str] = {}
    for key, value in metadata or ():
        found[key.lower()] = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return found
