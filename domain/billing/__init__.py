"""Billing: invoices, payments and stored payment methods."""
