"""The settings family: an embedded default that needs nothing, and a production profile that
passes Django's deployment checks."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], 'cache': s.CACHES['default']['BACKEND'], "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG, "
    "'hashers': s.PASSWORD_HASHERS[0], 'session_secure': s.SESSION_COOKIE_SECURE}))"
)
CONFIG_VARIABLES = (
    "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_DEBUG", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "LOG_FORMAT",
)


def run_python(args, settings_module, **extra_env):
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **extra_env)
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def probe(settings_module, **extra_env) -> dict:
    result = run_python(["-c", PROBE], settings_module, **extra_env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default_needs_no_external_service():
    assert probe("portal.settings.local") == {
        "db": "django.db.backends.sqlite3",
        "cache": "django.core.cache.backends.locmem.LocMemCache",
        "eager": True,
        "broker": "memory://",
        "debug": False,
        "hashers": "django.contrib.auth.hashers.Argon2PasswordHasher",
        "session_secure": False,
    }


def test_environment_switches_each_part_to_the_real_thing():
    found = probe(
        "portal.settings.local",
        DATABASE_URL="postgres://portal@db.internal:5432/portal",
        REDIS_URL="redis://cache.internal:6379/0",
        CELERY_BROKER_URL="redis://cache.internal:6379/1",
    )

    assert found["db"] == "django.db.backends.postgresql"
    assert found["cache"] == "django_redis.cache.RedisCache"
    assert found["eager"] is False
    assert found["broker"] == "redis://cache.internal:6379/1"


PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "Kq3v9-xP7mZ2_rT8wL4nB6yH1cF5jD0sA9gE3uI7oQ2kM8vR4tY6zX1wN5bC7dF0",
    "DJANGO_ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal@db.internal:5432/portal",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "CELERY_BROKER_URL": "redis://cache.internal:6379/1",
}


def test_production_profile_passes_the_deployment_checks():
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], "portal.settings.production", **PRODUCTION_ENV
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_profile_is_hardened():
    found = probe("portal.settings.production", **PRODUCTION_ENV)

    assert found["debug"] is False
    assert found["session_secure"] is True


def test_production_refuses_to_start_without_its_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}

    result = run_python(["-c", PROBE], "portal.settings.production", **env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
