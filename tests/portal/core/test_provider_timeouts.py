"""``PROVIDER_READ_TIMEOUTS``: one provider's own read timeout; the others keep ``PROVIDER_READ_TIMEOUT``.

Against the emulators slowed by their own fault control; nothing of ours is patched.
"""
import json
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.cache import cache

from portal.core.circuit import CacheCircuitBreaker
from sandbox.whmcs import DEMO_SIMS
from tests.emulator import EmulatorControl

pytestmark = pytest.mark.django_db

ALICE_SIM = next(sim.iccid for sim in DEMO_SIMS if sim.service_id == 12)
SHORT = 0.3
LATENCY_MS = 1200  # past SHORT, well inside the long timeout below


@pytest.fixture
def slowed(whmcs, freebit, settings):
    """Slows one emulator past PROVIDER_READ_TIMEOUT (SHORT); one try per read."""
    settings.PROVIDER_MAX_ATTEMPTS = 1
    settings.PROVIDER_READ_TIMEOUT = SHORT
    emulators = {"whmcs": EmulatorControl(whmcs), "freebit": EmulatorControl(freebit)}
    yield lambda provider: emulators[provider].faults(latency_ms=LATENCY_MS)
    for emulator in emulators.values():
        emulator.clear_faults()


def test_a_provider_with_its_own_timeout_is_waited_for(slowed, settings, customer_client):
    settings.PROVIDER_READ_TIMEOUTS = {"freebit": 10.0, "whmcs": 10.0}  # WHMCS: the SIM's owner is read there
    slowed("freebit")

    sim = customer_client.get(f"/api/v1/sims/{ALICE_SIM}")
    assert sim.status_code == 200, sim.content
    assert sim.json()["stale"] is False


def test_without_its_own_timeout_a_provider_has_the_default(slowed, settings, customer_client):
    settings.PROVIDER_READ_TIMEOUTS = {"freebit": 10.0}
    slowed("whmcs")
    assert customer_client.get("/api/v1/invoices").status_code == 503


def test_the_circuit_probe_is_held_for_that_providers_own_timeout(settings):
    provider = f"unit-{uuid.uuid4().hex[:8]}"
    settings.CIRCUIT_BREAKER_ENABLED = True
    settings.CIRCUIT_FAILURE_THRESHOLD = 1
    settings.CIRCUIT_RESET_SECONDS = 0.01
    settings.PROVIDER_READ_TIMEOUT = 2.0
    settings.PROVIDER_MAX_ATTEMPTS = 2
    settings.PROVIDER_READ_TIMEOUTS = {provider: 10.0}
    breaker = CacheCircuitBreaker(provider)
    breaker.record_failure()
    time.sleep(0.05)  # past CIRCUIT_RESET_SECONDS: half-open
    assert breaker.state() == "half-open"

    assert breaker.allow()  # this caller probes
    assert 15 < cache.ttl(f"circuit:{provider}:probe") <= 21  # 10 s x 2 tries + 1, not 2 s x 2 + 1
    assert not breaker.allow()


def test_the_setting_is_read_from_the_environment():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test",
                   "PROVIDER_READ_TIMEOUTS": "freebit=20,whmcs=5.5"}
    shown = subprocess.run(
        [sys.executable, "-c", "import django, json; django.setup(); from django.conf import settings; "
                               "print(json.dumps(settings.PROVIDER_READ_TIMEOUTS))"],
        env=environment, capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == {"freebit": 20.0, "whmcs": 5.5}
