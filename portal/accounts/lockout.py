"""django-axes hooks."""
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The sign-in email, normalised like the form does, so ``Alice@…`` and ``alice@…`` share
    one failure count (otherwise changing letter case would dodge the lockout)."""
    raw = (credentials or {}).get("username") or request.POST.get("username")
    return raw.strip().lower() if raw else None
