"""Pages of sign-up, linking an existing customer, a new customer's profile, changing phone and
address, identity documents and the second factor. Thin: each calls one service of
``portal.accounts`` (docs/accounts.md) and renders what it answers."""
from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from domain.shared import clock
from portal.accounts import codes, identity, linking, onboarding, profile, signup, two_factor
from portal.accounts.decorators import customer_required
from portal.accounts.forms import (
    CodeForm,
    ContactDetailsForm,
    IdentityDocumentsForm,
    LinkCredentialsForm,
    LinkNumberForm,
    NewCustomerForm,
    SignupDetailsForm,
    SignupEmailForm,
    TurnOffTwoFactorForm,
)
from portal.accounts.models import AccountCreation, Customer
from portal.core.client_address import client_address
from portal.core.middleware import accepts_uploads

SIGNUP_CODE = "signup_code_id"
SIGNUP_VERIFIED = "signup_verified_id"
LINK_CODE = "link_code_id"
PENDING = "two_factor_pending"
RECOVERY_CODES = "two_factor_new_codes"
BACKEND = "portal.accounts.backends.CustomerBackend"


def _code_problem(check: codes.Check) -> str:
    if check.outcome is codes.CheckOutcome.EXPIRED:
        return _("This code has expired. Please ask for a new one.")
    if check.outcome in (codes.CheckOutcome.EXHAUSTED, codes.CheckOutcome.USED):
        return _("This code cannot be used any more (too many wrong tries). Please ask for a new one.")
    if check.warn:
        return ngettext("That code is not right. You have %(count)d try left.",
                        "That code is not right. You have %(count)d tries left.", check.remaining) % {
            "count": check.remaining}
    return _("That code is not right. Please check the email and try again.")


# --- sign-up -----------------------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def signup_start(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    form = SignupEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        row = signup.start(email=form.cleaned_data["email"], address=client_address(request))
        request.session[SIGNUP_CODE] = row.pk
        request.session.pop(SIGNUP_VERIFIED, None)
        return redirect("signup_verify")
    return render(request, "accounts/signup_email.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def signup_verify(request: HttpRequest) -> HttpResponse:
    row = signup.OneTimeCode.objects.filter(pk=request.session.get(SIGNUP_CODE)).first()
    if row is None:
        return redirect("signup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = signup.verify(row.pk, form.cleaned_data["code"])
        if check.outcome is codes.CheckOutcome.OK:
            request.session[SIGNUP_VERIFIED] = row.pk
            return redirect("signup_details")
        form.add_error("code", _code_problem(check))
    return render(request, "accounts/signup_verify.html", {
        "form": form, "email": row.email, "expires_at": codes.expires_at_local(row),
        "minutes": settings.SIGNUP_CODE_TTL_SECONDS // 60, "resend_wait": codes.resend_wait(row)})


@login_not_required
@require_POST
def signup_resend(request: HttpRequest) -> HttpResponse:
    row_id = request.session.get(SIGNUP_CODE)
    if not row_id:
        return redirect("signup")
    outcome = signup.resend(row_id, address=client_address(request))
    if outcome.wait_seconds:
        messages.warning(request, ngettext("You can ask for a new code in %(count)d second.",
                                           "You can ask for a new code in %(count)d seconds.",
                                           outcome.wait_seconds) % {"count": outcome.wait_seconds})
    else:
        messages.info(request, _("We have sent a new code. The earlier one no longer works."))
    return redirect("signup_verify")


@login_not_required
@require_http_methods(["GET", "POST"])
def signup_details(request: HttpRequest) -> HttpResponse:
    row_id = request.session.get(SIGNUP_VERIFIED)
    email = signup.verified_email(row_id) if row_id else None
    if email is None:
        return redirect("signup")
    form = SignupDetailsForm(email, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = signup.complete(row_id, password=form.cleaned_data["new_password1"],
                                   first_name=form.cleaned_data["first_name"],
                                   last_name=form.cleaned_data["last_name"], language=get_language() or "")
        except signup.SignupRefused:
            messages.error(request, _("This sign-up cannot be finished. If you already have an account, please "
                                      "sign in; otherwise start again."))
            return redirect("login")
        for key in (SIGNUP_CODE, SIGNUP_VERIFIED):
            request.session.pop(key, None)
        login(request, user, backend=BACKEND)
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("accounts:start")
    return render(request, "accounts/signup_details.html", {"form": form, "email": email})


# --- becoming a customer: link, or new ------------------------------------------------------------------


def _has_customer(request: HttpRequest) -> bool:
    return Customer.objects.filter(user=request.user).exists()


def start(request: HttpRequest) -> HttpResponse:
    """After sign-up: an existing customer links, a new one fills in their profile."""
    if _has_customer(request):
        return redirect("dashboard")
    if AccountCreation.objects.filter(user=request.user).exists():
        return redirect("accounts:new_customer_status")
    return render(request, "accounts/start.html")


@transaction.non_atomic_requests  # each try is recorded for staff, whatever the provider answers
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest) -> HttpResponse:
    if _has_customer(request):
        return redirect("dashboard")
    form = LinkCredentialsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            linking.link_with_credentials(user=request.user, email=form.cleaned_data["email"],
                                          password=form.cleaned_data["password"], address=client_address(request))
        except linking.LinkRefused as refused:
            form.add_error(None, _link_problem(refused.reason))
        else:
            messages.success(request, _("Your customer account is linked. Welcome back!"))
            return redirect("dashboard")
    return render(request, "accounts/link.html", {"form": form, "number_form": LinkNumberForm()})


@transaction.non_atomic_requests
@require_POST
def link_code(request: HttpRequest) -> HttpResponse:
    if _has_customer(request):
        return redirect("dashboard")
    form = LinkNumberForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/link.html", {"form": LinkCredentialsForm(), "number_form": form})
    try:
        row = linking.request_code(user=request.user, client_id=form.cleaned_data["client_id"],
                                   address=client_address(request))
    except linking.LinkRefused as refused:
        form.add_error(None, _link_problem(refused.reason))
        return render(request, "accounts/link.html", {"form": LinkCredentialsForm(), "number_form": form})
    request.session[LINK_CODE] = row.pk
    return redirect("accounts:link_code_verify")


@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def link_code_verify(request: HttpRequest) -> HttpResponse:
    if _has_customer(request):
        return redirect("dashboard")
    row = linking.OneTimeCode.objects.filter(pk=request.session.get(LINK_CODE), user=request.user).first()
    if row is None:
        return redirect("accounts:link")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = linking.link_with_code(user=request.user, row_id=row.pk, code=form.cleaned_data["code"],
                                            address=client_address(request))
        except linking.LinkRefused as refused:
            form.add_error(None, _link_problem(refused.reason))
        else:
            if isinstance(result, Customer):
                request.session.pop(LINK_CODE, None)
                messages.success(request, _("Your customer account is linked. Welcome back!"))
                return redirect("dashboard")
            form.add_error("code", _code_problem(result))
    return render(request, "accounts/link_code.html", {
        "form": form, "client_id": row.whmcs_client_id, "expires_at": codes.expires_at_local(row),
        "minutes": settings.SIGNUP_CODE_TTL_SECONDS // 60})


def _link_problem(reason: linking.Refusal) -> str:
    return {
        linking.Refusal.THROTTLED: _("You have tried this too often. Please try again later."),
        linking.Refusal.WRONG_CREDENTIALS: _("Our billing system did not accept that email and password. Please "
                                             "check them, or use your customer number instead."),
        linking.Refusal.NO_SINGLE_CLIENT: _("We could not tell which customer account that sign-in belongs to. "
                                            "Please use your customer number instead, or contact support."),
        linking.Refusal.ALREADY_LINKED: _("This customer account is already linked to another sign-in. We have "
                                          "told our support team; they will contact you."),
        linking.Refusal.NO_ACCOUNT: _("This customer account cannot be linked yet. Our support team has been "
                                      "told; please contact them."),
        linking.Refusal.HAS_LINK: _("Your sign-in is already linked to a customer account."),
    }[reason]


@transaction.non_atomic_requests  # each step of the creation is recorded the moment it happens
@require_http_methods(["GET", "POST"])
def new_customer(request: HttpRequest) -> HttpResponse:
    if _has_customer(request):
        return redirect("dashboard")
    if AccountCreation.objects.filter(user=request.user).exists():
        return redirect("accounts:new_customer_status")
    form = NewCustomerForm(request.POST or None, initial={"first_name": request.user.first_name,
                                                          "last_name": request.user.last_name})
    if request.method == "POST" and form.is_valid():
        onboarding.start(user=request.user, name=form.person_name(), contact=form.contact_details())
        return redirect("accounts:new_customer_status")
    return render(request, "accounts/new_customer.html", {"form": form})


@transaction.non_atomic_requests
def new_customer_status(request: HttpRequest) -> HttpResponse:
    job = AccountCreation.objects.filter(user=request.user).first()
    if job is None:
        return redirect("accounts:start")
    job = onboarding.resume(job)
    if job.status == AccountCreation.Status.DONE or _has_customer(request):
        messages.success(request, _("Your customer account is ready."))
        return redirect("dashboard")
    existing = job.status == AccountCreation.Status.FAILED and job.last_error == onboarding.EXISTING_CLIENT
    return render(request, "accounts/new_customer_status.html", {"job": job, "existing_client": existing},
                  status=200)


# --- profile and identity ----------------------------------------------------------------------------------


@customer_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, customer: Customer) -> HttpResponse:
    current = profile.customer_profile(customer)
    details = current.value
    initial = {"phone": details.phone}
    if details.address is not None:
        address = details.address
        initial.update(postal_code=address.postal_code, prefecture=address.prefecture, city=address.city,
                       street=address.street, building=address.building)
    form = ContactDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        profile.update_contact(customer, form.contact_details())
        messages.success(request, _("Your phone number and address have been saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "profile": details, "stale": current.stale})


@accepts_uploads("IDENTITY_UPLOAD_MAX_BODY_BYTES")
@transaction.non_atomic_requests  # the upload is recorded before it is sent to Salesforce
@customer_required
@require_http_methods(["GET", "POST"])
def identity_documents(request: HttpRequest, customer: Customer) -> HttpResponse:
    status = identity.identity_status(customer)
    form = IdentityDocumentsForm(request.POST or None, request.FILES or None,
                                 initial={"request_id": uuid.uuid4()})
    if request.method == "POST" and form.is_valid():
        try:
            documents = identity.check_documents(form.cleaned_data.get("front"), form.cleaned_data.get("back"))
            identity.submit(customer=customer, request_id=str(form.cleaned_data["request_id"]), documents=documents)
        except identity.IdentityRefused as refused:
            form.add_error(refused.side, _document_problem(refused.reason))
        else:
            messages.success(request, _("Thank you. We have your residence card and will check it, usually within "
                                        "one working day."))
            return redirect("accounts:identity")
    return render(request, "accounts/identity.html", {
        "form": form, "check": status, "max_mb": settings.IDENTITY_DOCUMENT_MAX_BYTES // (1024 * 1024)})


def _document_problem(reason: str) -> str:
    return {
        "empty": _("Please choose a file (a photo or a scan)."),
        "too_large": _("This file is too large: each side can be at most %(mb)d MB.") % {
            "mb": settings.IDENTITY_DOCUMENT_MAX_BYTES // (1024 * 1024)},
        "type": _("This file is not a photo or a PDF. Please send a PNG, JPEG or GIF image, or a PDF."),
        "not_now": _("Your identity documents cannot be changed now."),
    }.get(reason, _("This file cannot be used."))


# --- the second factor ----------------------------------------------------------------------------------


def start_second_factor(request: HttpRequest, user, next_url: str) -> HttpResponse:
    """After the password: remember who is signing in (not signed in yet) and ask for the code."""
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "hash": user.get_session_auth_hash(), "next": next_url,
                                "at": clock.now().timestamp()}
    return redirect("second_factor")


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None, ""
    if clock.now().timestamp() - float(pending.get("at", 0)) > settings.TWO_FACTOR_PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None, ""
    user = get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or not constant_time_compare(user.get_session_auth_hash(), str(pending.get("hash", ""))):
        request.session.pop(PENDING, None)
        return None, ""
    return user, str(pending.get("next") or "")


@login_not_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    user, next_url = _pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect("login")
    enrolling = not two_factor.has_authenticator(user)  # staff without an authenticator set one up now
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.throttled(user):
            form.add_error("code", _("Too many codes tried. Please wait a while and try again."))
        elif enrolling:
            new_codes = two_factor.confirm_enrolment(user, form.cleaned_data["code"])
            if new_codes is not None:
                device = two_factor.authenticator(user)
                return _signed_in(request, user, device, next_url, new_codes)
            form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
        else:
            device = two_factor.verify(user, form.cleaned_data["code"])
            if device is not None:
                return _signed_in(request, user, device, next_url, None)
            form.add_error("code", _("That code is not right. Use the code your authenticator app shows now, "
                                     "or one of your recovery codes."))
    context = {"form": form, "enrolling": enrolling, "staff": two_factor.is_staff(user)}
    if enrolling:
        context["enrolment"] = two_factor.enrolment(user)
    return render(request, "accounts/second_factor.html", context)


def _signed_in(request: HttpRequest, user, device, next_url: str, new_codes: list[str] | None) -> HttpResponse:
    request.session.pop(PENDING, None)
    login(request, user, backend=BACKEND)
    otp_login(request, device)
    if new_codes:
        request.session[RECOVERY_CODES] = new_codes
        return redirect(f"{reverse('accounts:recovery_codes')}?next={next_url}")
    safe = next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
    return redirect(next_url if safe else settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    on = two_factor.has_authenticator(user)
    form = CodeForm(request.POST or None)
    enrolment = None
    if not on:
        if request.method == "POST" and form.is_valid():
            if two_factor.throttled(user):
                form.add_error("code", _("Too many codes tried. Please wait a while and try again."))
            elif (new_codes := two_factor.confirm_enrolment(user, form.cleaned_data["code"])) is not None:
                otp_login(request, two_factor.authenticator(user))
                request.session[RECOVERY_CODES] = new_codes
                messages.success(request, _("Two-step sign-in is on."))
                return redirect("accounts:recovery_codes")
            else:
                form.add_error("code", _("That code is not right. Check the time on your phone and try again."))
        enrolment = two_factor.enrolment(user)
    return render(request, "accounts/two_factor.html", {
        "on": on, "form": form, "enrolment": enrolment, "staff": two_factor.is_staff(user),
        "codes_left": two_factor.recovery_codes_left(user) if on else 0, "off_form": TurnOffTwoFactorForm(user)})


@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """GET: the recovery codes just made (shown once); POST: new ones (the old stop working)."""
    if request.method == "POST":
        if not two_factor.has_authenticator(request.user):
            return redirect("accounts:two_factor")
        request.session[RECOVERY_CODES] = two_factor.new_recovery_codes(request.user)
        return redirect("accounts:recovery_codes")
    new_codes = request.session.pop(RECOVERY_CODES, None)
    if not new_codes:
        return redirect("accounts:two_factor")
    next_url = request.GET.get("next", "")
    safe = next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
    return render(request, "accounts/recovery_codes.html", {"codes": new_codes,
                                                            "next": next_url if safe else reverse("dashboard")})


@require_POST
def two_factor_off(request: HttpRequest) -> HttpResponse:
    if two_factor.is_staff(request.user):
        messages.error(request, _("Staff must keep two-step sign-in on."))
        return redirect("accounts:two_factor")
    form = TurnOffTwoFactorForm(request.user, request.POST)
    if form.is_valid():
        two_factor.turn_off(request.user)
        messages.success(request, _("Two-step sign-in is off."))
    else:
        messages.error(request, _("That is not your current password; two-step sign-in is still on."))
    return redirect("accounts:two_factor")
