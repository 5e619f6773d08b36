"""The portal's language: which one a request is served in, and the switcher that changes it.

Django's ``LocaleMiddleware`` picks the language of a request from the switcher's cookie, else
from ``Accept-Language`` (a first visit). For a signed-in user the language stored on the user
(``User.language``, set by the switcher) wins over both, on any device they sign in from; the
cookie follows it, so the sign-in page after signing out stays in the user's language.
The languages offered are ``settings.LANGUAGES``: English and one per catalogue in ``locale/``.
"""
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


def supported(code: str | None) -> str | None:
    """``code`` if the portal offers that language, else None."""
    return code if code and code in dict(settings.LANGUAGES) else None


class UserLanguageMiddleware:
    """After authentication: serve a signed-in user in their stored language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        stored = stored_language(request)
        if stored and stored != translation.get_language():
            translation.activate(stored)
            request.LANGUAGE_CODE = stored
        response = self.get_response(request)
        stored = stored_language(request)  # read again: the switcher may have just changed it
        if stored and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != stored:
            set_language_cookie(response, stored)
        return response


def customer_language(user) -> translation.override:
    """Write in ``user``'s language (their stored choice, else the portal's default): for text the
    portal stores at a provider for the customer to read later, e.g. an invoice line."""
    return translation.override(supported(getattr(user, "language", "")) or settings.LANGUAGE_CODE)


def stored_language(request: HttpRequest) -> str | None:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return supported(getattr(user, "language", ""))


def set_language_cookie(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The switcher's form (``language``, ``next``): Django's ``set_language`` (the cookie, and a
    redirect back to a safe ``next``), and for a signed-in user the choice is kept on the user."""
    response = django_set_language(request)
    code = supported(request.POST.get("language"))
    user = request.user
    if code and user.is_authenticated and user.language != code:
        user.language = code
        user.save(update_fields=["language"])
    return response
