from django import forms
from django.contrib.auth.forms import AuthenticationForm


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by email; the address is matched case-insensitively."""

    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "The email or password is not right. Please try again.",
        "inactive": "This account is disabled. Please contact support.",
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()
