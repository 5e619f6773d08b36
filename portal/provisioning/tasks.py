"""Celery tasks of provisioning: thin, each calls one service."""
from celery import shared_task
from django.conf import settings

from portal.provisioning import services


@shared_task(
    name="portal.provisioning.run_job",
    acks_late=True,
    autoretry_for=(services.ProvisioningRetry,),
    retry_backoff=settings.PROVISIONING_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=settings.PROVISIONING_RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    # The job's own attempt count decides when it has failed (orchestrator.provisioning_run); this
    # only keeps Celery from retrying longer than that.
    max_retries=settings.PROVISIONING_MAX_ATTEMPTS - 1,
    soft_time_limit=settings.PROVISIONING_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.PROVISIONING_TASK_TIME_LIMIT,
)
def run_job(job_id: int) -> str | None:
    return services.provisioning_run(job_id=job_id)


@shared_task(name="portal.provisioning.sweep_jobs")
def sweep_jobs() -> int:
    return services.provisioning_sweep()
