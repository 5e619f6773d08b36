"""Inbound webhook events: what a provider tells us changed, as domain types."""
