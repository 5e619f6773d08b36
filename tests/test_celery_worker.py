"""A task's round trip through a real Celery worker and the Redis broker, carrying the HTTP
request's correlation id into the task and its log lines."""
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import path

from portal.celery import app as celery_app
from portal.core.tasks import ping
from portal.urls import urlpatterns as portal_urlpatterns

ROOT = Path(__file__).resolve().parent.parent
QUEUE = f"portal-test-{uuid.uuid4().hex[:8]}"

pytestmark = pytest.mark.worker


@login_not_required
def queue_ping(request):
    result = ping.apply_async(args=["from-a-request"], queue=QUEUE)
    return JsonResponse({"task_id": result.id})


urlpatterns = [path("queue-ping/", queue_ping), *portal_urlpatterns]


@pytest.fixture(scope="module")
def worker(tmp_path_factory):
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "LOG_FORMAT": "text"}
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "--loglevel=INFO",
             "--queues", QUEUE, "--without-heartbeat", "--without-gossip", "--without-mingle"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_ready(log_path, process)
        yield log_path
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_for_ready(log_path: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited early:\n{log_path.read_text()}")
        if " ready." in log_path.read_text():
            return
        time.sleep(0.2)
    pytest.fail(f"the Celery worker did not start:\n{log_path.read_text()}")


@pytest.fixture
def through_the_broker():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


@pytest.mark.django_db
def test_a_task_queued_by_a_request_runs_on_the_worker_with_the_request_correlation_id(
    client, worker, through_the_broker, settings
):
    settings.ROOT_URLCONF = __name__
    correlation_id = uuid.uuid4().hex

    response = client.get("/queue-ping/", headers={"X-Request-ID": correlation_id})
    result = celery_app.AsyncResult(response.json()["task_id"]).get(timeout=30)

    assert result == {"pong": "from-a-request", "correlation_id": correlation_id}
    log_lines = worker.read_text().splitlines()
    assert any(correlation_id in line and "ping received: from-a-request" in line for line in log_lines)


def test_the_worker_uses_json_and_late_acknowledgement():
    conf = celery_app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late is True and conf.task_reject_on_worker_lost is True
    assert conf.task_time_limit > conf.task_soft_time_limit > 0
