"""docker-compose.yml mirrors the deployment on several hosts (docs/operations.md, "Several hosts"):
web and worker scaled out behind one load balancer, one beat, a subscriber with a hot standby, one
PostgreSQL and one Redis shared by all, migrations once. No Docker engine here: the file is read
as YAML (merge keys resolved as Compose does) and HAProxy checks its own configuration."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PORTAL = ("migrate", "web", "worker", "beat", "subscriber")
SHARED = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SECRET_KEY", "DJANGO_SETTINGS_MODULE")


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def replicas(service: dict) -> int:
    return service.get("deploy", {}).get("replicas", 1)


def test_web_and_worker_scale_out_beat_is_single_and_the_subscriber_has_a_standby(services):
    assert replicas(services["web"]) >= 2
    assert replicas(services["worker"]) >= 2
    assert replicas(services["beat"]) == 1
    assert replicas(services["subscriber"]) == 2
    assert services["subscriber"]["command"] == "python manage.py subscribe_platform_events"  # no flags
    for name in ("postgres", "redis", "loadbalancer", "migrate"):
        assert replicas(services[name]) == 1
    assert not any("container_name" in service for service in services.values())  # replicas need their own


def test_every_portal_process_shares_one_release_one_database_one_redis_and_the_secrets(services):
    first = services["web"]
    for name in PORTAL:
        service = services[name]
        assert service["image"] == first["image"]
        assert {key: service["environment"][key] for key in SHARED} == {key: first["environment"][key]
                                                                          for key in SHARED}
    assert "@postgres:5432/" in first["environment"]["DATABASE_URL"]
    assert first["environment"]["REDIS_URL"].startswith("redis://redis:6379/")


def test_migrations_run_once_before_the_processes_start(services):
    assert services["migrate"]["restart"] == "no"
    assert "migrate" in services["migrate"]["command"]
    for name in ("web", "worker", "beat", "subscriber"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in str(services[name].get("command", ""))


def test_one_load_balancer_publishes_the_port_and_reaches_every_web_replica(services):
    assert "ports" not in services["web"]  # two replicas cannot both bind the host's port
    assert services["loadbalancer"]["ports"] == ["8000:8000"]
    [mount] = services["loadbalancer"]["volumes"]
    config = ROOT / mount.split(":")[0]
    assert "web:8000" in config.read_text()
    assert services["sandbox-whmcs"]["environment"]["SANDBOX_WHMCS_WEBHOOK_URL"].startswith("http://loadbalancer:8000/")
    haproxy = shutil.which("haproxy")
    if haproxy is None:  # like the other real tools: fail, never skip
        pytest.fail("install haproxy (scripts/ensure-system-packages.sh)", pytrace=False)
    result = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
