"""Celery tasks of the accounts: one account creation's attempt, and the beat's sweep (``portal.core.jobs``)."""
from portal.accounts.onboarding import AccountCreationFlow
from portal.core.jobs import job_task, sweep_task

run_account_creation = job_task(AccountCreationFlow, name="portal.accounts.run_account_creation")
sweep_account_creations = sweep_task(AccountCreationFlow, name="portal.accounts.sweep_account_creations")
