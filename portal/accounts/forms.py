from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from domain.customers.types import (
    PREFECTURES,
    ContactDetails,
    JapaneseAddress,
    PersonName,
    check_latin_name,
    check_phone,
    check_postal_code,
)


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


# --- sign-up -------------------------------------------------------------------------------------------


class SignupEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
        help_text=_("We will send a 6-digit code to this address to check it is yours."),
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=12, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autofocus": True}),
    )


class SignupDetailsForm(forms.Form):
    """The person's name and a password (Django's password validators, with the name and email)."""

    first_name = forms.CharField(label=_("First name"), max_length=50,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=50,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    new_password1 = forms.CharField(label=_("Password"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                    help_text=password_validation.password_validators_help_text_html())
    new_password2 = forms.CharField(label=_("Password again"), strip=False,
                                    widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, email: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords are not the same."))
        elif first:
            user = get_user_model()(email=self.email, first_name=cleaned.get("first_name", ""),
                                    last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(first, user)
            except ValidationError as exc:
                self.add_error("new_password1", exc)
        return cleaned


# --- linking an existing customer -----------------------------------------------------------------------


class LinkCredentialsForm(forms.Form):
    email = forms.EmailField(label=_("Billing sign-in email"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    password = forms.CharField(label=_("Billing sign-in password"), strip=False, max_length=256,
                               widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
                               help_text=_("Checked with our billing system once, and never stored."))


class LinkNumberForm(forms.Form):
    client_id = forms.IntegerField(label=_("Customer number"), min_value=1, max_value=2_147_483_647,
                                   help_text=_("It is on your invoices."))


# --- a new customer's profile, and changing phone and address ---------------------------------------------


def _prefecture_choices():
    japanese = translation.get_language() == "ja"
    return [("", _("Choose a prefecture"))] + [(name, local if japanese else name) for name, local in PREFECTURES]


class ContactDetailsForm(forms.Form):
    phone = forms.CharField(label=_("Phone number"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
                            help_text=_("A Japanese number, for example 090-1234-5678."))
    postal_code = forms.CharField(label=_("Postal code"), max_length=10,
                                  widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
                                  help_text=_("For example 100-0001."))
    prefecture = forms.ChoiceField(label=_("Prefecture"), choices=())
    city = forms.CharField(label=_("City, ward, town or village"), max_length=100,
                           widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    street = forms.CharField(label=_("Street address"), max_length=100,
                             widget=forms.TextInput(attrs={"autocomplete": "address-line1"}))
    building = forms.CharField(label=_("Building and room (optional)"), max_length=100, required=False,
                               widget=forms.TextInput(attrs={"autocomplete": "address-line2"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefecture"].choices = _prefecture_choices()

    def clean_phone(self) -> str:
        return _checked(check_phone, self.cleaned_data["phone"],
                        _("Enter a Japanese phone number: 10 or 11 digits starting with 0."))

    def clean_postal_code(self) -> str:
        return _checked(check_postal_code, self.cleaned_data["postal_code"],
                        _("Enter the postal code as seven digits, for example 100-0001."))

    def contact_details(self) -> ContactDetails:
        data = self.cleaned_data
        return ContactDetails(phone=data["phone"], address=JapaneseAddress(
            postal_code=data["postal_code"], prefecture=data["prefecture"], city=data["city"], street=data["street"],
            building=data.get("building", "")))


class NewCustomerForm(ContactDetailsForm):
    first_name = forms.CharField(label=_("First name (in Latin letters)"), max_length=50,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name (in Latin letters)"), max_length=50,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    last_name_local = forms.CharField(label=_("Last name in Japanese (optional)"), max_length=50, required=False)
    first_name_local = forms.CharField(label=_("First name in Japanese (optional)"), max_length=50, required=False)

    field_order = ["first_name", "last_name", "last_name_local", "first_name_local", "phone", "postal_code",
                   "prefecture", "city", "street", "building"]

    def clean_first_name(self) -> str:
        return _checked(check_latin_name, self.cleaned_data["first_name"],
                        _("Write the name in Latin letters (A to Z), as on your residence card."))

    def clean_last_name(self) -> str:
        return _checked(check_latin_name, self.cleaned_data["last_name"],
                        _("Write the name in Latin letters (A to Z), as on your residence card."))

    def person_name(self) -> PersonName:
        data = self.cleaned_data
        return PersonName(first_name=data["first_name"], last_name=data["last_name"],
                          first_name_local=data.get("first_name_local", ""),
                          last_name_local=data.get("last_name_local", ""))


def _checked(check, value: str, message: str) -> str:
    try:
        return check(value)
    except ValueError:
        raise ValidationError(message, code="invalid") from None


# --- identity documents and the second factor -------------------------------------------------------------


class IdentityDocumentsForm(forms.Form):
    request_id = forms.UUIDField(widget=forms.HiddenInput)
    front = forms.FileField(label=_("Residence card, front"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,"
                                                                             "application/pdf"}))
    back = forms.FileField(label=_("Residence card, back"),
                           widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,"
                                                                            "application/pdf"}))


class TurnOffTwoFactorForm(forms.Form):
    password = forms.CharField(label=_("Your current password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        if not self.user.check_password(self.cleaned_data["password"]):
            raise ValidationError(_("That is not your current password."), code="wrong")
        return self.cleaned_data["password"]
