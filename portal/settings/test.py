"""The test suite: real PostgreSQL and Redis (this machine's by default, overridable)."""
from portal.settings.base import *  # noqa: F403
from portal.settings.base import DATABASES, env, redis_cache

DATABASES["default"] = env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/test")
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
DATABASES["default"]["TEST"] = {"NAME": env("TEST_DATABASE_NAME", default="test_portal")}

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {"default": redis_cache(REDIS_URL, "portal-test")}
# Tasks run in-process unless a test starts a real worker (tests/test_celery_worker.py).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/14")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = True

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PROVIDER_CALLS_HEADER = True
