"""Celery tasks of the SIMs: one top-up's attempt and the beat's sweep (``portal.core.jobs``)."""
from portal.core.jobs import job_task, sweep_task
from portal.sim.topups import TopUpFlow

process_topup = job_task(TopUpFlow, name="portal.sim.process_topup")
resume_topups = sweep_task(TopUpFlow, name="portal.sim.resume_topups")
