"""Logs are structured, carry the correlation id, and never contain secrets or passwords."""
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
SECRET = "whmcs-secret-Zx81-do-not-leak"
LOGGING_SCRIPT = f"""
import logging, django
django.setup()
from django_guid import set_guid
set_guid("c0ffee00c0ffee00c0ffee00c0ffee00")
log = logging.getLogger("portal.test")
log.error("calling WHMCS with secret %s", "{SECRET}")
log.warning("form post: email=alice@example.com&password=hunter2-pass&remember=1")
log.warning("header Authorization: Bearer abc.def.ghi")
try:
    raise ValueError("token={SECRET}")
except ValueError:
    log.exception("provider call failed")
"""


def run_logging_script(log_format: str) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.local", "WHMCS_API_SECRET": SECRET,
           "LOG_FORMAT": log_format}
    result = subprocess.run([sys.executable, "-c", LOGGING_SCRIPT], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_secrets_and_passwords_are_redacted_from_log_lines(log_format):
    output = run_logging_script(log_format)

    assert "calling WHMCS with secret [redacted]" in output
    for leaked in (SECRET, "hunter2-pass", "abc.def.ghi"):
        assert leaked not in output
    assert "email=alice@example.com" in output  # only the secret part goes


def test_json_logs_are_one_object_per_line_with_the_correlation_id():
    lines = [json.loads(line) for line in run_logging_script("json").splitlines() if line.startswith("{")]

    assert len(lines) == 4
    assert {line["correlation_id"] for line in lines} == {"c0ffee00c0ffee00c0ffee00c0ffee00"}
    assert lines[0]["level"] == "ERROR" and lines[0]["logger"] == "portal.test"
    assert "exc_info" in lines[3] and SECRET not in lines[3]["exc_info"]


@pytest.mark.django_db
def test_a_failed_sign_in_never_logs_the_password(client, customer_user, caplog):
    caplog.set_level(logging.DEBUG)

    client.post(reverse("login"), {"username": "alice@example.com", "password": "Typo-In-My-Passw0rd"})

    assert "Typo-In-My-Passw0rd" not in caplog.text
