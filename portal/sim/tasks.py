from celery import shared_task

from portal.sim import services


@shared_task(name="portal.sim.process_topup")
def process_topup(topup_id: int) -> None:
    services.topup_process(topup_id=topup_id)


@shared_task(name="portal.sim.resume_topups")
def resume_topups() -> int:
    """Periodic: resume top-ups left half-way (charged but not applied, or charge outcome unknown)."""
    pending = services.topups_to_resume()
    for topup_id in pending:
        services.topup_process(topup_id=topup_id)
    return len(pending)
