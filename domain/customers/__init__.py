"""Customers: who a portal user is in billing and in the CRM, and their identity check."""
