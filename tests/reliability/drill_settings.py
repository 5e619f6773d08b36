"""The settings of the processes the drills start (Celery worker, beat, the Platform Event
subscriber): the test profile, but with tasks going through the broker as in production, on the
drill's own queue, and no result backend (nobody waits for a result in production)."""
from portal.settings.test import *  # noqa: F403
from portal.settings.test import env

CELERY_TASK_ALWAYS_EAGER = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_DEFAULT_QUEUE = env("DRILL_CELERY_QUEUE")
