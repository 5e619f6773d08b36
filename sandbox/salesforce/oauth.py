"""The OAuth 2.0 JWT bearer flow (``POST /services/oauth2/token``) and the sessions it opens.

Checks, in Salesforce's order and with its wording: the consumer key (``iss``), the RS256
signature against the connected app's certificate, the audience, the expiry (in the future and at
most about three minutes ahead), then the user (``sub``).
"""
from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLOCK_SKEW = 30.0
"""Seconds of clock difference tolerated on ``exp`` (a client's clock may run a little fast)."""


class OAuthError(Exception):
    """A token request refused: ``400 {"error": ..., "error_description": ...}``."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description

    def to_json(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


@dataclass(frozen=True)
class JwtPolicy:
    consumer_key: str
    username: str
    public_key: rsa.RSAPublicKey | None
    audiences: frozenset[str]
    max_lifetime: float = 180.0
    """How far ahead ``exp`` may be: Salesforce asks for an expiry within 3 minutes."""


def normalize_audience(value: str) -> str:
    return value.strip().rstrip("/").lower()


def verify_assertion(grant_type: str | None, assertion: str | None, policy: JwtPolicy, now: float) -> dict[str, Any]:
    """The assertion's claims when Salesforce would issue a token for it, else :class:`OAuthError`."""
    if grant_type != JWT_BEARER:
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    if not assertion:
        raise OAuthError("invalid_grant", "invalid assertion")
    try:
        header = jwt.get_unverified_header(assertion)
        claims = jwt.decode(assertion, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise OAuthError("invalid_grant", "invalid assertion") from None
    if not isinstance(claims, dict) or claims.get("iss") != policy.consumer_key:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if header.get("alg") != "RS256" or policy.public_key is None:
        raise OAuthError("invalid_grant", "invalid assertion")
    try:
        jwt.decode(assertion, policy.public_key, algorithms=["RS256"],
                   options={"verify_exp": False, "verify_aud": False, "verify_iss": False, "verify_nbf": False,
                            "verify_iat": False, "verify_sub": False, "verify_jti": False})
    except jwt.PyJWTError:
        raise OAuthError("invalid_grant", "invalid assertion") from None
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else audiences
    if not isinstance(audiences, list) or not any(
        isinstance(a, str) and normalize_audience(a) in policy.audiences for a in audiences
    ):
        raise OAuthError("invalid_grant", "audience is invalid")
    expiry = _number(claims.get("exp"))
    if expiry is None:
        raise OAuthError("invalid_grant", "invalid assertion")
    if expiry <= now - CLOCK_SKEW or expiry > now + policy.max_lifetime + CLOCK_SKEW:
        raise OAuthError("invalid_grant", "expired authorization code")
    if claims.get("sub") != policy.username:
        raise OAuthError("invalid_grant", "user hasn't approved this consumer")
    return claims


def _number(value: Any) -> float | None:
    """``exp`` as a number: simple-salesforce sends it as a string of digits, which Salesforce accepts."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and value.strip().isdigit():
        return float(value.strip())
    return None


class Sessions:
    """Access tokens and when they expire. Thread-safe."""

    def __init__(self, org_id: str, ttl: float):
        self.org_id = org_id
        self.ttl = ttl
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}

    def issue(self) -> str:
        token = f"{self.org_id[:15]}!{secrets.token_urlsafe(72)}"
        with self._lock:
            now = time.time()
            self._expiry = {t: e for t, e in self._expiry.items() if e > now}  # forget the dead ones
            self._expiry[token] = now + self.ttl
        return token

    def valid(self, token: str | None) -> bool:
        if not token:
            return False
        with self._lock:
            expiry = self._expiry.get(token)
        return expiry is not None and expiry > time.time()

    def expire(self, tokens: Iterable[str] | None = None) -> int:
        """End the given sessions, or all of them; how many were live."""
        now = time.time()
        with self._lock:
            chosen = list(self._expiry) if tokens is None else [t for t in tokens if t in self._expiry]
            ended = sum(1 for t in chosen if self._expiry[t] > now)
            for token in chosen:
                del self._expiry[token]
        return ended

    def count(self) -> int:
        now = time.time()
        with self._lock:
            return sum(1 for e in self._expiry.values() if e > now)
