from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users (signing in by email), customers and their links to Salesforce and WHMCS."""

    name = "portal.accounts"
    label = "accounts"
