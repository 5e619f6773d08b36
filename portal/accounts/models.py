from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.crypto import salted_hmac

from domain.shared import salesforce_id


class EmailUserManager(UserManager):
    """Users are identified by their email address, stored lower-cased."""

    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    username = None
    email = models.EmailField("email address", unique=True)
    language = models.CharField(
        "language", max_length=16, blank=True, default="",
        help_text="The language the user chose with the switcher (a code of settings.LANGUAGES); empty: "
                  "their browser's (Accept-Language).",
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    # The session hash covers the sign-in email as well as the password: changing either ends
    # every other session of the user (Django checks the hash on each request).
    def get_session_auth_hash(self):
        return self._identity_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._identity_hash(secret=fallback_secret)

    def _identity_hash(self, secret=None) -> str:
        return salted_hmac("portal.accounts.User.session", f"{self.password}\n{self.email.lower()}",
                           secret=secret, algorithm="sha256").hexdigest()


def validate_salesforce_account_id(value: str) -> None:
    try:
        normalised = salesforce_id.to_18(value)
    except salesforce_id.InvalidSalesforceId as exc:
        raise ValidationError(f"Not a Salesforce id: {exc}.", code="invalid") from exc
    if not normalised.startswith("001"):
        raise ValidationError("Not an Account id (Account ids start with 001).", code="invalid")


class Customer(models.Model):
    """A portal user's link to their records in the CRM and in billing (docs/decisions.md §3)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="customer")
    salesforce_account_id = models.CharField(
        "Salesforce Account Id",
        max_length=18,
        unique=True,
        validators=[validate_salesforce_account_id],
        help_text="15 or 18 characters; stored in the 18-character form.",
    )
    whmcs_client_id = models.PositiveIntegerField("WHMCS client id", unique=True)
    billing_email = models.EmailField(
        "billing contact email", blank=True,
        help_text="The client's email in WHMCS (from its ClientEdit webhooks): where billing mail goes. "
                  "Never the sign-in email, which only the user changes, in the portal.",
    )
    billing_email_updated_at = models.DateTimeField(null=True, blank=True, editable=False)
    known_iccids = models.JSONField(
        default=list, blank=True, editable=False,
        help_text="The SIMs last seen on the customer's WHMCS services: lets the dashboard read them from "
                  "Freebit while WHMCS is still answering. Never used to grant access.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user.email} (WHMCS {self.whmcs_client_id})"

    def clean(self):
        super().clean()
        if self.salesforce_account_id and salesforce_id.is_valid(self.salesforce_account_id):
            self.salesforce_account_id = salesforce_id.to_18(self.salesforce_account_id)
