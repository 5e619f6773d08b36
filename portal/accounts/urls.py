from django.contrib.auth import views as auth_views
from django.urls import path

from portal.accounts import onboarding_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("email/", views.email_change, name="email_change"),
    # Becoming a customer after sign-up (docs/accounts.md): link an existing one, or a new one.
    path("start/", onboarding_views.start, name="start"),
    path("link/", onboarding_views.link, name="link"),
    path("link/code/", onboarding_views.link_code, name="link_code"),
    path("link/code/verify/", onboarding_views.link_code_verify, name="link_code_verify"),
    path("new/", onboarding_views.new_customer, name="new_customer"),
    path("new/status/", onboarding_views.new_customer_status, name="new_customer_status"),
    path("profile/", onboarding_views.profile_edit, name="profile"),
    path("identity/", onboarding_views.identity_documents, name="identity"),
    path("two-factor/", onboarding_views.two_factor_settings, name="two_factor"),
    path("two-factor/recovery-codes/", onboarding_views.recovery_codes, name="recovery_codes"),
    path("two-factor/off/", onboarding_views.two_factor_off, name="two_factor_off"),
]

# Sign-in and password reset live at the site root (/login/, /password-reset/...).
auth_urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    # The second step of signing in (the password was right): a code from the authenticator.
    path("login/second-factor/", onboarding_views.second_factor, name="second_factor"),
    path("signup/", onboarding_views.signup_start, name="signup"),
    path("signup/verify/", onboarding_views.signup_verify, name="signup_verify"),
    path("signup/resend/", onboarding_views.signup_resend, name="signup_resend"),
    path("signup/details/", onboarding_views.signup_details, name="signup_details"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    # Opened from the new address's mailbox, signed in or not: the signed token is the authority.
    path("account/email/confirm/<str:token>/", views.email_change_confirm, name="email_change_confirm"),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
