"""Celery tasks of the SIMs: one top-up's or plan change's attempt and the beat's sweeps
(``portal.core.jobs``), and the start of plan changes whose day has come."""
from celery import shared_task

from portal.core.jobs import job_task, sweep_task
from portal.sim import plan_changes
from portal.sim.plan_changes import PlanChangeFlow
from portal.sim.topups import TopUpFlow

process_topup = job_task(TopUpFlow, name="portal.sim.process_topup")
resume_topups = sweep_task(TopUpFlow, name="portal.sim.resume_topups")
process_plan_change = job_task(PlanChangeFlow, name="portal.sim.process_plan_change")
sweep_plan_changes = sweep_task(PlanChangeFlow, name="portal.sim.sweep_plan_changes")


@shared_task(name="portal.sim.start_due_plan_changes")
def start_due_plan_changes() -> int:
    """Periodic: start the plan changes booked for a day that has come (the first of the month)."""
    return plan_changes.start_due_plan_changes()

from portal.sim import actions  # noqa: E402
from portal.sim.actions import SimActionFlow  # noqa: E402

process_sim_action = job_task(SimActionFlow, name="portal.sim.process_sim_action")
sweep_sim_actions = sweep_task(SimActionFlow, name="portal.sim.sweep_sim_actions")


@shared_task(name="portal.sim.start_due_cancellations")
def start_due_cancellations() -> int:
    """Periodic: send the cancellations whose day has come to Freebit and WHMCS."""
    return actions.start_due_cancellations()
