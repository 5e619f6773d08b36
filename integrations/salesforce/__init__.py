"""Salesforce: REST (JWT bearer) and the Pub/Sub API."""
