from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by email; the address is matched case-insensitively."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The email or password is not right. Please try again."),
        "inactive": _("This account is disabled. Please contact support."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class EmailChangeForm(forms.Form):
    """A new sign-in email, and the current password to show it is really the user asking."""

    new_email = forms.EmailField(
        label=_("New sign-in email"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("We will send a link to this address. Your sign-in email changes when you open it."),
    )
    password = forms.CharField(
        label=_("Your current password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_new_email(self) -> str:
        email = self.cleaned_data["new_email"].strip().lower()
        if email == self.user.email.lower():
            raise forms.ValidationError(_("This is already your sign-in email."), code="unchanged")
        return email


class NewPasswordMixin:
    """The password rules' errors ("This password is too common.") go under the new password the
    customer typed, not under its confirmation (Django puts them on the second field)."""

    new_password_field = "new_password1"  # noqa: S105 - a field's name, not a password

    def validate_password_for_user(self, user, *_field, **_named):
        super().validate_password_for_user(user, self.new_password_field)


class PortalSetPasswordForm(NewPasswordMixin, SetPasswordForm):
    """Choosing a new password from a reset link."""


class PortalPasswordChangeForm(NewPasswordMixin, PasswordChangeForm):
    """Changing the password while signed in."""
