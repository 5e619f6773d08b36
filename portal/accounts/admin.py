from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from portal.accounts.models import Customer, User


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
