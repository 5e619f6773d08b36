"""``manage.py subscribe_platform_events`` as its own process: records a job, stops on SIGTERM."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from portal.provisioning.models import ProvisioningJob
from tests.conftest import SALESFORCE_CONSUMER_KEY, SALESFORCE_USERNAME
from tests.portal.provisioning.test_subscriber import order_id, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def pubsub(salesforce, salesforce_server):
    from sandbox.salesforce.pubsub import start_pubsub_sandbox

    server = start_pubsub_sandbox(salesforce_app=salesforce_server.app, keepalive_seconds=0.5)
    yield server
    server.stop()


def test_the_command_records_jobs_and_stops_cleanly_on_sigterm(pubsub, salesforce_server, salesforce_keys):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "SALESFORCE_LOGIN_URL": salesforce_server.url,
        "SALESFORCE_CLIENT_ID": SALESFORCE_CONSUMER_KEY,
        "SALESFORCE_USERNAME": SALESFORCE_USERNAME,
        "SALESFORCE_PRIVATE_KEY": salesforce_keys[0],
        "SALESFORCE_PUBSUB_TARGET": pubsub.target,
        "SALESFORCE_PUBSUB_TLS": "false",
        "SALESFORCE_PUBSUB_FIRST_START": "EARLIEST",
        "LOG_FORMAT": "text",
    }
    pubsub.publish_order_provision_requested(order_id(7))
    process = subprocess.Popen([sys.executable, "manage.py", "subscribe_platform_events"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: ProvisioningJob.objects.filter(salesforce_order_id=order_id(7)).exists())
        time.sleep(0.5)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0, output
    assert "Subscriber stopped." in output
