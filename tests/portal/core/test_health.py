import pytest
from django.db import connection
from django.test import override_settings

from portal.celery import app as celery_app


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.fixture
def real_broker(settings):
    """Readiness as in production: tasks go through the Redis broker, not in-process."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = celery_app.conf.broker_url
    yield
    celery_app.conf.broker_url = original


@pytest.mark.django_db
def test_readyz_is_ok_when_database_cache_and_broker_answer(client, real_broker):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
        "failing": [],
    }


@pytest.mark.django_db
def test_readyz_names_an_unreachable_cache(client, real_broker):
    dead_redis = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5},
        }
    }
    with override_settings(CACHES=dead_redis):
        response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["cache"]
    assert body["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_names_an_unreachable_broker(client, real_broker, monkeypatch):
    # Celery prefers the CELERY_BROKER_URL environment variable over its configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert "127.0.0.1:1" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_readyz_names_an_unreachable_database(client, real_broker):
    original_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 1
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = original_port

    assert response.status_code == 503
    assert response.json()["failing"] == ["database"]
