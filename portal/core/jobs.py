"""One durable-job mechanism: work that must not be lost is a database row before it is a task.

Every flow that talks to providers in the background (webhook events, provisioning jobs, SIM
top-ups, plan changes) is a model row that moves through its own statuses, run by this one
mechanism:

- **claim with a lease**: a run takes the row with one conditional UPDATE (status waiting, no live
  lease), sets ``lease_until`` (``<PREFIX>_LEASE_SECONDS``) and counts the attempt; a second
  worker, a Celery redelivery or the sweep then finds nothing to claim. A run whose process died
  loses its lease when it runs out.
- **steps**: a flow lists its steps in order; each is a method safe to run twice (it looks at what
  the row already records and skips what is done, and records each result the moment it exists).
  A step may answer ``DONE`` to end the run early.
- **waits**: a step raising ``JobWait`` (the provider asks to be asked again later, e.g. a line
  locked while a 4G/5G switch completes) is not a failure: the attempt is not counted and the row
  is queued again after ``JOB_WAIT_SECONDS``, for at most ``<PREFIX>_MAX_WAIT_SECONDS`` (default
  ``JOB_MAX_WAIT_SECONDS``) in a row; past that it is a transient failure like any other.
- **attempts with backoff**: an exception from a step is transient: the row goes back to waiting
  with ``last_error`` and the flow's ``retry_error`` makes its Celery task retry with exponential
  backoff and jitter (``<PREFIX>_RETRY_BACKOFF_SECONDS`` up to ``_RETRY_BACKOFF_MAX_SECONDS``), until
  ``<PREFIX>_MAX_ATTEMPTS``: then ``give_up``. A ``JobFailed`` (a business failure: a refused card,
  an unknown product) fails the row at once through ``fail``.
- **queued on commit, guarded by a sweep**: ``enqueue`` hands the row to Celery once the caller's
  transaction commits; a broker that is down only costs a log line, because the beat's ``sweep``
  queues again every row left waiting (``<PREFIX>_SWEEP_AFTER_SECONDS``, plus the longest backoff
  once it has been tried) and releases every row whose lease ran out (a killed worker).
- **staff retry**: ``retry`` (the admin action of ``portal.core.jobs_admin``) puts failed rows
  back with a fresh set of attempts.

Usage (the plan changes would look like this)::

    # models.py
    class PlanChange(DurableJob):            # attempts, lease_until, last_attempt_at, last_error, updated_at
        class Status(models.TextChoices):
            REQUESTED = "requested"; CHARGED = "charged"; DONE = "done"; FAILED = "failed"
        status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED)
        ...

    # flows (e.g. portal/sim/plan_changes.py)
    class PlanChangeRetry(JobRetry): ...

    class PlanChangeFlow(JobFlow):
        model = PlanChange
        noun, sweep_label, unit = "plan change", "plan change", "plan change"
        settings_prefix = "SIM_PLAN_CHANGE"   # SIM_PLAN_CHANGE_MAX_ATTEMPTS, _LEASE_SECONDS, _RETRY_BACKOFF_SECONDS,
                                              # _RETRY_BACKOFF_MAX_SECONDS, _SWEEP_AFTER_SECONDS (all required)
        task = "portal.sim.tasks.run_plan_change"
        waiting = (PlanChange.Status.REQUESTED, PlanChange.Status.CHARGED)
        failed = PlanChange.Status.FAILED
        retry_error = PlanChangeRetry
        steps = ("create_invoice", "capture_payment", "change_plan")

        def create_invoice(self): ...         # self.job is the claimed row; self.save("field", ...) records
        def succeed(self): self.finish(PlanChange.Status.DONE)

    # services: record the row and queue it once the transaction commits
    change = PlanChange.objects.create(...); PlanChangeFlow.enqueue(change.pk)
    # or make the first attempt in the request itself, the row created already claimed by it
    # (a transient failure then queues the next attempt after the backoff instead of raising):
    change = PlanChangeFlow.claim_new(PlanChange(...)); change.save(force_insert=True)
    PlanChangeFlow.run_inline(change)
    # a repeat, or any caller that wants to move a row now if nobody holds it:
    if (claimed := PlanChangeFlow.claim(change.pk)) is not None: PlanChangeFlow.run_inline(claimed)

    # tasks.py (names are what beat and the broker know)
    run_plan_change = job_task(PlanChangeFlow, name="portal.sim.run_plan_change")
    sweep_plan_changes = sweep_task(PlanChangeFlow, name="portal.sim.sweep_plan_changes")

    # settings: CELERY_BEAT_SCHEDULE["sim-plan-changes-sweep"] = {"task": "portal.sim.sweep_plan_changes", ...}
    # admin.py: actions = (retry_action(PlanChangeFlow, ...),)   (portal.core.jobs_admin)

Money writes whose answer can be lost follow the house rule on top of this: record that the call is
about to be sent (a ``..._requested_at`` field, saved before the call), put a marker the job can
search for in what the call creates, and after a lost answer search and adopt instead of sending
again (see the top-up flow in ``portal/sim/topups.py`` and docs/jobs.md).
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any, ClassVar

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SWEEP_BATCH = 200
MAX_ERROR_LENGTH = 4000
ABANDONED = "the worker processing it stopped before finishing (its lease ran out)"

DONE = object()
"""What a step answers to end the run early: the job is complete, the remaining steps are skipped."""


class DurableJob(models.Model):
    """The fields the mechanism keeps on every durable row (a flow may override a field's
    definition, e.g. its verbose name). The flow's own status field is declared by the model."""

    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    """When the provider first asked it to wait (``JobWait``), in the current run of waits."""
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class JobRetry(Exception):
    """A transient failure: the row is waiting again and the Celery task retries with backoff.
    Each flow subclasses it, so its task retries on its own failures only."""


class JobWait(Exception):
    """The provider asks to be asked again later: not a failure (see the module docstring)."""


class JobFailed(Exception):
    """A business failure: trying again will not help; the flow's ``fail`` records it at once."""


class JobFlow:
    """One durable flow: its model, statuses, settings and steps (class attributes), and one
    attempt at one row (an instance: ``self.job``). See the module docstring."""

    model: ClassVar[type[DurableJob]]
    noun: ClassVar[str]
    """How a row is named in log lines: ``"<noun> <pk>"`` (see ``describe``)."""
    sweep_label: ClassVar[str]
    unit: ClassVar[str]
    """``"<sweep_label> sweep queued 2 waiting <unit>(s) again"``."""
    settings_prefix: ClassVar[str]
    task: ClassVar[str]
    """Dotted path of the Celery task that runs one row (built with ``job_task``)."""
    status_field: ClassVar[str] = "status"
    waiting: ClassVar[tuple[str, ...]]
    """Statuses in which a run may claim the row (with no live lease)."""
    running: ClassVar[str | None] = None
    """The status while a run holds the row (None: the status does not change when claimed)."""
    retrying: ClassVar[str | None] = None
    """The status after a transient failure (None: unchanged)."""
    retrying_statuses: ClassVar[tuple[str, ...]] = ()
    """Statuses meaning "tried before, a retry may still be on its way" even with no attempt counted."""
    failed: ClassVar[str]
    retryable: ClassVar[tuple[str, ...]] = ()
    """Statuses staff may retry (``retry``)."""
    retry_to: ClassVar[str | None] = None
    """The status a staff retry puts the row back in."""
    retry_error: ClassVar[type[JobRetry]] = JobRetry
    failure_error: ClassVar[type[JobFailed]] = JobFailed
    expected_errors: ClassVar[tuple[type[BaseException], ...]] = ()
    """Transient failures logged without a traceback (provider errors always are)."""
    steps: ClassVar[tuple[str, ...]] = ()

    def __init__(self, job: DurableJob) -> None:
        self.job = job
        self.step: str | None = None

    # -- settings -----------------------------------------------------------------------------------
    @classmethod
    def setting(cls, name: str, default: Any = None) -> Any:
        full = f"{cls.settings_prefix}_{name}"
        value = getattr(settings, full, default)
        if value is None:
            raise AttributeError(f"setting {full} is missing")
        return value

    @classmethod
    def max_attempts(cls) -> int:
        return int(cls.setting("MAX_ATTEMPTS"))

    @classmethod
    def lease(cls) -> timedelta:
        """How long a claim lasts: longer than any run may take, so a live run never loses it."""
        return timedelta(seconds=cls.setting("LEASE_SECONDS"))

    @classmethod
    def backoff(cls, attempts: int) -> int:
        """Seconds before the next attempt after ``attempts`` failed ones: Celery's own formula
        (``retry_backoff`` with full jitter), so inline and task retries wait alike."""
        return get_exponential_backoff_interval(
            factor=int(cls.setting("RETRY_BACKOFF_SECONDS")), retries=max(attempts - 1, 0),
            maximum=int(cls.setting("RETRY_BACKOFF_MAX_SECONDS")), full_jitter=True)

    # -- claiming and running -----------------------------------------------------------------------
    @classmethod
    def claimable(cls, now) -> Q:
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        claimable = Q(**{f"{cls.status_field}__in": cls.waiting}) & free
        if cls.running is not None:  # held by a run whose lease ran out
            claimable |= Q(**{cls.status_field: cls.running, "lease_until__lt": now})
        return claimable

    @classmethod
    def queryset(cls) -> models.QuerySet:
        return cls.model.objects.all()

    @classmethod
    def claim(cls, pk: int) -> DurableJob | None:
        """Take the row for one attempt: one caller wins (a conditional update). The row, or None."""
        now = timezone.now()
        fields: dict[str, Any] = {"lease_until": now + cls.lease(), "attempts": F("attempts") + 1,
                                  "last_attempt_at": now, "updated_at": now}
        if cls.running is not None:
            fields[cls.status_field] = cls.running
        if cls.model.objects.filter(pk=pk).filter(cls.claimable(now)).update(**fields) != 1:
            return None
        return cls.queryset().get(pk=pk)

    @classmethod
    def claim_new(cls, job: DurableJob) -> DurableJob:
        """Mark a row not saved yet as claimed by its creator (who runs its first attempt)."""
        now = timezone.now()
        job.lease_until, job.attempts, job.last_attempt_at = now + cls.lease(), 1, now
        if cls.running is not None:
            setattr(job, cls.status_field, cls.running)
        return job

    @classmethod
    def run(cls, pk: int) -> str | None:
        """Claim the row and take it as far as it goes: its status afterwards, or None when there
        was nothing to claim. Raises ``retry_error`` after a transient failure (not the last)."""
        job = cls.claim(pk)
        if job is None:
            logger.info("%s %s is not waiting to run (claimed elsewhere, done or failed)", cls.noun, pk)
            return None
        return cls(job).attempt()

    @classmethod
    def run_inline(cls, job: DurableJob) -> str:
        """One attempt at a row this process has claimed, in this process (a web request): a
        transient failure queues the next attempt after the backoff instead of raising."""
        try:
            return cls(job).attempt()
        except cls.retry_error:
            cls.enqueue(job.pk, countdown=cls.backoff(job.attempts))
            return cls.status_of(job)

    def attempt(self) -> str:
        job = self.job
        try:
            for step in self.steps:
                self.step = step
                if getattr(self, step)() is DONE:
                    break
            self.step = None
        except self.failure_error as failure:
            self.fail(failure)
            return self.status
        except Exception as exc:
            waiting = isinstance(exc, JobWait)
            if waiting and self.wait(exc):
                return self.status
            error = self.describe_error(exc)[:MAX_ERROR_LENGTH]
            if job.attempts >= self.max_attempts():
                logger.error("%s failed after %d attempts: %s", self.describe(), job.attempts, error)
                self.give_up(error)
                return self.status
            self.release(error, waiting_since=job.waiting_since if waiting else None)  # waited out: attempts count
            expected = isinstance(exc, self.expected_errors) or type(exc).__module__.startswith(
                ("integrations.", "domain."))
            (logger.warning if expected else logger.exception)(
                "%s attempt %d failed at step %s, will retry: %s", self.describe(), job.attempts, self.step, error)
            raise self.retry_error(error) from exc
        finally:
            self.after_attempt()
        self.succeed()
        return self.status

    # -- outcomes (a flow overrides what it records) ------------------------------------------------
    def succeed(self) -> None:
        """All steps done: record the final status (the flow says which)."""
        raise NotImplementedError

    def fail(self, failure: JobFailed) -> None:
        """A business failure: the row is failed at once."""
        self.finish(self.failed, last_error=str(failure)[:MAX_ERROR_LENGTH])
        logger.warning("%s failed at step %s: %s", self.describe(), self.step, failure)

    def give_up(self, error: str) -> None:
        """The attempts ran out (also called by the sweep for a row whose last run died)."""
        self.finish(self.failed, last_error=error)

    def release(self, error: str, **fields: Any) -> bool:
        """Back to waiting after a transient failure, the error noted (whether it still held the row)."""
        fields = {"last_error": error, "waiting_since": None, **fields}
        if self.retrying is not None:
            fields[self.status_field] = self.retrying
        return self.finish(None, **fields)

    def wait(self, wait: JobWait) -> bool:
        """Back to waiting without counting the attempt, queued again after ``JOB_WAIT_SECONDS``;
        False when it has waited ``MAX_WAIT_SECONDS`` in a row already (the caller then treats it as
        a transient failure)."""
        job, now = self.job, timezone.now()
        since = job.waiting_since or now
        if now - since > timedelta(seconds=self.setting("MAX_WAIT_SECONDS", settings.JOB_MAX_WAIT_SECONDS)):
            return False
        if self.release(f"waiting: {wait}"[:MAX_ERROR_LENGTH], attempts=max(job.attempts - 1, 0),
                        waiting_since=since):
            logger.info("%s waits %ss at step %s: %s", self.describe(), settings.JOB_WAIT_SECONDS, self.step, wait)
            self.enqueue(job.pk, countdown=settings.JOB_WAIT_SECONDS)
        return True

    def after_attempt(self) -> None:
        """Runs after every attempt, whatever its outcome (e.g. forget the customer's cache)."""

    def describe(self) -> str:
        return f"{self.noun} {self.job.pk}"

    def describe_error(self, exc: BaseException) -> str:
        return f"{type(exc).__name__}: {exc}"

    # -- recording ----------------------------------------------------------------------------------
    @property
    def status(self) -> str:
        return self.status_of(self.job)

    @classmethod
    def status_of(cls, job: DurableJob) -> str:
        return getattr(job, cls.status_field)

    def save(self, *fields: str) -> None:
        """Record a step's result at once (the row keeps its lease)."""
        self.job.save(update_fields=[*fields, "updated_at"])

    def finish(self, new_status: str | None, /, **fields: Any) -> bool:
        """End the attempt: the status (None: unchanged) and ``fields`` written and the lease
        released, only while this attempt still holds the row. Answers whether it did."""
        job = self.job
        values = {**fields, "lease_until": None, "updated_at": timezone.now()}
        if new_status is not None:
            values[self.status_field] = new_status
        held = self.model.objects.filter(pk=job.pk, lease_until=job.lease_until).update(**values) == 1
        if not held:
            logger.warning("%s: its lease was taken over before it finished; %s not recorded", self.describe(),
                           new_status or "the release")
            job.refresh_from_db()
            return False
        for name, value in values.items():
            setattr(job, name, value)
        return True

    # -- queueing -----------------------------------------------------------------------------------
    @classmethod
    def enqueue(cls, pk: int, *, countdown: float | None = None) -> None:
        """Queue a run of the row once the current transaction commits (at once outside one)."""
        transaction.on_commit(partial(cls.send, pk, countdown=countdown))

    @classmethod
    def send(cls, pk: int, *, countdown: float | None = None) -> bool:
        """Hand the row to Celery now. A broker outage is not the caller's problem: the row is
        stored and the sweep queues it again (queueing gives up within about two seconds, see the
        broker settings). With in-process tasks (the demo) a delayed retry is not run at once:
        a repeat of the request, the sweep or the admin's retry picks the row up."""
        task = import_string(cls.task)
        if countdown is not None and task.app.conf.task_always_eager:
            logger.info("%s %s: no worker to retry it later; it waits for the sweep or a repeat", cls.noun, pk)
            return False
        try:
            task.apply_async(args=[pk], countdown=countdown)
        except Exception:
            logger.exception("could not queue (or, with in-process tasks, run) %s %s; the sweep will queue it again",
                             cls.noun, pk)
            return False
        return True

    # -- the sweep (beat) -----------------------------------------------------------------------------
    @classmethod
    def sweep(cls) -> int:
        """Queue again the rows nobody is working on: waiting for longer than
        ``<PREFIX>_SWEEP_AFTER_SECONDS`` (plus the longest backoff once tried: a retry may still be
        on its way), and rows whose run's lease ran out (released first; failed when that was their
        last attempt). Running claims each row, so a spare queueing is harmless."""
        now = timezone.now()
        after = timedelta(seconds=cls.setting("SWEEP_AFTER_SECONDS"))
        backoff_max = timedelta(seconds=cls.setting("RETRY_BACKOFF_MAX_SECONDS"))
        status = cls.status_field
        waited = Q(waiting_since__isnull=False)  # its next run is queued JOB_WAIT_SECONDS after its last
        tried = Q(attempts__gt=0) | Q(**{f"{status}__in": cls.retrying_statuses})  # a retry may be on its way
        wait = timedelta(seconds=settings.JOB_WAIT_SECONDS)
        forgotten = Q(**{f"{status}__in": cls.waiting}, lease_until__isnull=True) & (
            (waited & Q(updated_at__lt=now - after - wait))
            | (~waited & tried & Q(updated_at__lt=now - after - backoff_max))
            | (~waited & ~tried & Q(updated_at__lt=now - after)))
        held = (*cls.waiting, cls.running) if cls.running is not None else cls.waiting
        abandoned = Q(**{f"{status}__in": held}, lease_until__lt=now)
        if cls.running is not None:  # claimed without a lease (before leases were kept): counted from its update
            abandoned |= Q(**{status: cls.running}, lease_until__isnull=True, updated_at__lt=now - cls.lease())
        to_queue: list[int] = []
        # No transaction: every change below is conditional on the row being as it was read, so
        # two sweeps (or a sweep and a run) never both act on one row.
        for job in list(cls.queryset().filter(forgotten | abandoned).order_by("updated_at")[:SWEEP_BATCH]):
            if job.lease_until is not None or getattr(job, status) == cls.running:
                flow = cls(job)
                if job.attempts >= cls.max_attempts():
                    logger.error("%s: %s on its last attempt; failed", flow.describe(), ABANDONED)
                    flow.give_up(ABANDONED)
                elif flow.release(ABANDONED):
                    to_queue.append(job.pk)
            elif cls.model.objects.filter(pk=job.pk, updated_at=job.updated_at, lease_until__isnull=True).update(
                    updated_at=now):  # touched, so the next sweep leaves it to the run queued now
                to_queue.append(job.pk)
        for pk in to_queue:
            cls.send(pk)
        if to_queue:
            logger.warning("%s sweep queued %d waiting %s(s) again", cls.sweep_label, len(to_queue), cls.unit)
        return len(to_queue)

    # -- staff retry ------------------------------------------------------------------------------------
    @classmethod
    def retry_filter(cls) -> Q:
        return Q(**{f"{cls.status_field}__in": cls.retryable})

    @classmethod
    def retry_fields(cls, now) -> dict[str, Any]:
        """What else a staff retry resets (error codes, finish times...)."""
        return {}

    @classmethod
    def retry(cls, jobs: Iterable[DurableJob]) -> int:
        """Put rows in a retryable status back to ``retry_to`` with a fresh set of attempts and
        queue them on commit; others are left alone. Answers how many were queued."""
        queued = 0
        with transaction.atomic():
            for pk in [job.pk for job in jobs]:
                now = timezone.now()
                if cls.model.objects.filter(pk=pk).filter(cls.retry_filter()).update(
                    **{cls.status_field: cls.retry_to}, attempts=0, last_error="", lease_until=None, updated_at=now,
                    **cls.retry_fields(now),
                ):
                    cls.enqueue(pk)
                    queued += 1
        if queued:
            logger.info("%d %s(s) queued again by staff", queued, cls.noun)
        return queued


def job_task(flow: type[JobFlow], *, name: str, **options: Any):
    """The Celery task that runs one row of ``flow``: late acknowledgement, retried with backoff on
    the flow's ``retry_error`` (the row's own attempts decide when it has failed; ``max_retries``
    only keeps Celery from retrying longer), time limits from ``<PREFIX>_TASK_(SOFT_)TIME_LIMIT``
    when the flow has them."""
    options = {
        "name": name, "acks_late": True, "autoretry_for": (flow.retry_error,),
        "retry_backoff": flow.setting("RETRY_BACKOFF_SECONDS"),
        "retry_backoff_max": flow.setting("RETRY_BACKOFF_MAX_SECONDS"), "retry_jitter": True,
        "max_retries": flow.max_attempts() - 1, **options,
    }
    for option, setting in (("soft_time_limit", "TASK_SOFT_TIME_LIMIT"), ("time_limit", "TASK_TIME_LIMIT")):
        value = getattr(settings, f"{flow.settings_prefix}_{setting}", None)
        if value is not None:
            options.setdefault(option, value)

    def run_one(pk: int) -> str | None:
        return flow.run(pk)

    run_one.__name__ = run_one.__qualname__ = name.rsplit(".", 1)[-1]
    run_one.__doc__ = f"Run one {flow.noun} (portal.core.jobs)."
    return shared_task(**options)(run_one)


def sweep_task(flow: type[JobFlow], *, name: str):
    """The beat task that sweeps ``flow`` (``JobFlow.sweep``)."""

    def sweep() -> int:
        return flow.sweep()

    sweep.__name__ = sweep.__qualname__ = name.rsplit(".", 1)[-1]
    sweep.__doc__ = f"Queue again the {flow.unit}s nobody is working on (portal.core.jobs)."
    return shared_task(name=name)(sweep)


__all__ = ["DONE", "DurableJob", "JobFailed", "JobFlow", "JobRetry", "JobWait", "job_task", "sweep_task"]
