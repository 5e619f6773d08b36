"""Celery tasks of provisioning: one job's run and the beat's sweep (``portal.core.jobs``)."""
from portal.core.jobs import job_task, sweep_task
from portal.provisioning.orchestrator import ProvisioningFlow

run_job = job_task(ProvisioningFlow, name="portal.provisioning.run_job")
sweep_jobs = sweep_task(ProvisioningFlow, name="portal.provisioning.sweep_jobs")
