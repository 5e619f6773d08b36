"""Subscriptions: the services a customer is billed for (WHMCS products/services)."""
