"""Plumbing tasks: ``ping`` proves a worker, the broker and correlation ids work end to end."""
import logging

from celery import shared_task
from django_guid import get_guid

logger = logging.getLogger(__name__)


@shared_task(name="portal.core.ping")
def ping(payload: str) -> dict:
    correlation_id = get_guid()
    logger.info("ping received: %s", payload)
    return {"pong": payload, "correlation_id": correlation_id}
