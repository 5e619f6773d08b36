from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.messages.views import SuccessMessageMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.accounts import services, two_factor
from portal.accounts.forms import (
    EmailAuthenticationForm,
    EmailChangeForm,
    PortalPasswordChangeForm,
    PortalSetPasswordForm,
)
from portal.accounts.onboarding_views import start_second_factor
from portal.core.client_address import client_address


class SignInView(auth_views.LoginView):
    """``/login/`` and ``/admin/login/``. A user with a second factor (every staff user) is not
    signed in by the password alone: the sign-in waits for the code (``portal.accounts.two_factor``)."""

    form_class = EmailAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if two_factor.required(user):
            return start_second_factor(self.request, user, self.get_success_url())
        return super().form_valid(form)


class AdminSignInView(SignInView):
    """``/admin/login/``: the same sign-in (so staff pass the second factor); a signed-in user who
    is not staff is told so, as Django's admin does, rather than sent back to the admin."""

    redirect_authenticated_user = False
    template_name = "registration/admin_login.html"


@method_decorator(login_not_required, name="dispatch")
class SignOutView(auth_views.LogoutView):
    """POST signs out. GET (a typed or bookmarked /logout/) changes nothing: it shows a page that
    asks to confirm with a button, or says the visitor is already signed out."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/sign_out.html")

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("accounts:account")
    success_message = gettext_lazy("Your password has been changed.")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        # Over a limit nothing is sent, and the answer is the same "check your email" page.
        if services.password_reset_allowed(email=form.cleaned_data["email"], address=client_address(self.request)):
            return super().form_valid(form)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


def account(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/account.html", {"customer": getattr(request.user, "customer", None)})


@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    if not services.email_change_allowed(request.user):
        return render(request, "registration/email_change_staff.html", status=403)
    form = EmailChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = services.email_change_request(
            user=request.user, new_email=form.cleaned_data["new_email"], password=form.cleaned_data["password"],
            link_for=lambda token: request.build_absolute_uri(reverse("email_change_confirm", args=[token])),
        )
        if outcome is services.RequestOutcome.SENT:
            messages.info(request, _("We have sent a link to %(email)s. Open it within %(hours)d hours to make it "
                                     "your sign-in email; until then nothing changes.")
                          % {"email": form.cleaned_data["new_email"], "hours": services.email_change_hours()})
            return redirect("accounts:account")
        if outcome is services.RequestOutcome.WRONG_PASSWORD:
            form.add_error("password", _("That is not your current password."))
        else:
            form.add_error(None, _("You have asked for this too often. Please try again later."))
    return render(request, "registration/email_change_form.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the new address: a page to confirm (GET changes nothing: mail scanners open
    links), then the change (POST)."""
    try:
        if request.method == "POST":
            change = services.email_change_confirm(token=token, request=request)
            return render(request, "registration/email_change_done.html", {"new_email": change.new_email})
        change = services.email_change_read(token)
    except services.EmailChangeRefused:
        return render(request, "registration/email_change_invalid.html", status=400)
    return render(request, "registration/email_change_confirm.html", {"new_email": change.new_email})
