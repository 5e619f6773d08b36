from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import AccountCreation, Customer, IdentitySubmission, LinkAttempt, User
from portal.accounts.onboarding import AccountCreationFlow
from portal.core.jobs_admin import JOB_FIELDS, retry_action


class CustomerInline(admin.StackedInline):
    model = Customer
    can_delete = False
    fields = ("salesforce_account_id", "whmcs_client_id", "billing_email", "billing_email_updated_at")
    readonly_fields = ("billing_email", "billing_email_updated_at")  # from WHMCS's ClientEdit webhooks


class LinkedFilter(admin.SimpleListFilter):
    title = "customer link"
    parameter_name = "linked"

    def lookups(self, request, model_admin):
        return (("yes", "Linked to a customer"), ("no", "Not linked"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(customer__isnull=False)
        if self.value() == "no":
            return queryset.filter(customer__isnull=True)
        return queryset


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    inlines = [CustomerInline]
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", LinkedFilter)
    search_fields = ("email", "first_name", "last_name", "customer__salesforce_account_id")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("user", "salesforce_account_id", "whmcs_client_id", "user_is_active", "created_at")
    list_filter = ("user__is_active", "created_at")
    search_fields = ("user__email", "user__first_name", "user__last_name", "salesforce_account_id", "=whmcs_client_id")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    readonly_fields = ("billing_email", "billing_email_updated_at", "created_at", "updated_at")

    @admin.display(boolean=True, description="active", ordering="user__is_active")
    def user_is_active(self, obj: Customer) -> bool:
        return obj.user.is_active


@admin.register(AccountCreation)
class AccountCreationAdmin(admin.ModelAdmin):
    """New customers being created: the billing client, the CRM Account and Contact, the link (one
    durable job each). A failed one shows how far it went and why; Retry finishes it (each step
    reuses what exists: never a second client or Account)."""

    list_display = ("email", "status", "whmcs_client_id", "salesforce_account_id", "attempts", "created_at")
    list_filter = ("status", "created_at")
    search_fields = ("email", "=request_id", "=whmcs_client_id", "salesforce_account_id")
    readonly_fields = [field.name for field in AccountCreation._meta.fields if field.name not in JOB_FIELDS] + list(
        JOB_FIELDS)
    actions = (retry_action(
        AccountCreationFlow, name="retry", description=_("Retry the selected failed account creations"),
        queued_message=_("Queued %(count)d account creation(s) again."),
        skipped_message=_("%(count)d account creation(s) that had not failed were left alone."),
    ),)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LinkAttempt)
class LinkAttemptAdmin(admin.ModelAdmin):
    """Every attempt to link a billing customer. A refusal because the customer is linked to another
    user needs staff: find out who the customer really is, and move the link in Customers."""

    list_display = ("created_at", "user", "whmcs_client_id", "method", "outcome", "client_address")
    list_filter = ("outcome", "method", "created_at")
    search_fields = ("user__email", "=whmcs_client_id")
    readonly_fields = [field.name for field in LinkAttempt._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IdentitySubmission)
class IdentitySubmissionAdmin(admin.ModelAdmin):
    """Residence cards sent to the CRM (the files are on the customer's Account in Salesforce, where
    staff verify or reject them)."""

    list_display = ("customer", "status", "created_at", "submitted_at")
    list_filter = ("status",)
    readonly_fields = [field.name for field in IdentitySubmission._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
