from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from domain.shared import salesforce_id
from portal.core.jobs import DurableJob


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
        # A staff user's hash also covers being staff: a signed-in customer made staff is signed out,
        # and signs in again through the second factor staff must pass (docs/accounts.md).
        staff = "\nstaff" if self.is_staff or self.is_superuser else ""
        return salted_hmac("portal.accounts.User.session", f"{self.password}\n{self.email.lower()}{staff}",
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


class OneTimeCode(models.Model):
    """A 6-digit code sent by email, to prove a person reads that mailbox: at sign-up (the address
    they gave) or to link an existing customer (the address billing has on file). Only an HMAC of
    the code is kept. A code works until ``expires_at``, for ``SIGNUP_CODE_MAX_ATTEMPTS`` tries,
    once. A sign-up for an address that already has an account gets a row that can never be used
    (``usable`` false): the page answers exactly as for a new address."""

    class Purpose(models.TextChoices):
        SIGNUP = "signup", _("sign-up")
        LINK = "link", _("linking a customer")

    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    email = models.EmailField(help_text="Where the code was sent (lower-cased).")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                             help_text="Linking: the portal user asking.")
    whmcs_client_id = models.PositiveIntegerField(null=True, blank=True, help_text="Linking: the customer number.")
    code_hash = models.CharField(max_length=64, editable=False)
    usable = models.BooleanField(default=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    sends = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True, help_text="When the account was made (or the link made).")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["purpose", "email"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} code for {self.email}"


class AccountCreation(DurableJob):
    """A new customer: their billing client (WHMCS ``AddClient``), their CRM Account and Contact, and
    the portal user's link to both, as one durable job (``portal.accounts.onboarding``). Never a
    client without an Account or the reverse: each step is retried until both exist, and staff see
    (and retry) the job here."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="account_creation")
    request_id = models.UUIDField(unique=True, editable=False,
                                  help_text="The marker: Portal_Request_Id__c in the CRM, portal-signup:<id> in the "
                                            "billing client's notes.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
    email = models.EmailField()
    first_name = models.CharField(max_length=50)
    last_name = models.CharField(max_length=50)
    first_name_local = models.CharField(max_length=50, blank=True)
    last_name_local = models.CharField(max_length=50, blank=True)
    phone = models.CharField(max_length=16)
    postal_code = models.CharField(max_length=8)
    prefecture = models.CharField(max_length=16)
    city = models.CharField(max_length=100)
    street = models.CharField(max_length=100)
    building = models.CharField(max_length=100, blank=True)
    whmcs_requested_at = models.DateTimeField(null=True, blank=True,
                                              help_text="Set before AddClient is sent: after it, a lost answer is "
                                                        "looked up by the marker instead of sent again.")
    whmcs_requests = models.PositiveSmallIntegerField(default=0)
    whmcs_client_id = models.PositiveIntegerField(null=True, blank=True)
    salesforce_account_id = models.CharField(max_length=18, blank=True)
    salesforce_contact_id = models.CharField(max_length=18, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"account creation for {self.email} ({self.get_status_display()})"


class IdentitySubmission(models.Model):
    """One upload of the residence card's two sides to the CRM (Salesforce Files on the Account).
    Recorded before anything is sent; each side's marker (``Portal_Request_Id__c``) finds a file
    whose answer was lost instead of sending it twice."""

    class Status(models.TextChoices):
        SENDING = "sending", _("sending")
        SUBMITTED = "submitted", _("submitted")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identity_submissions")
    request_id = models.UUIDField(unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SENDING)
    front_version_id = models.CharField(max_length=18, blank=True)
    back_version_id = models.CharField(max_length=18, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"identity documents of {self.customer} ({self.get_status_display()})"

    def marker(self, side: str) -> str:
        return f"{self.request_id}-{side}"


class LinkAttempt(models.Model):
    """A portal user's attempt to link a billing customer, kept for staff: who, which customer, how
    they proved it and what happened. A customer already linked to another user is refused, and the
    refusal is here for staff (the admin lists them first)."""

    class Method(models.TextChoices):
        CREDENTIALS = "credentials", _("billing sign-in")
        CODE = "code", _("customer number and code")

    class Outcome(models.TextChoices):
        LINKED = "linked", _("linked")
        ALREADY_LINKED = "already_linked", _("refused: the customer is linked to another user")
        NO_ACCOUNT = "no_account", _("refused: the customer has no CRM Account")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="link_attempts")
    method = models.CharField(max_length=16, choices=Method.choices)
    whmcs_client_id = models.PositiveIntegerField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} -> WHMCS {self.whmcs_client_id}: {self.get_outcome_display()}"
