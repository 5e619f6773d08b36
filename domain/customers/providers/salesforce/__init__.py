"""Salesforce Accounts and Contacts <-> customer types, and the identity check on the Account."""
