from celery import shared_task

from .schedule import schedule_generate_all


@shared_task(name="sessions.tasks.generate_sessions", ignore_result=True)
def generate_sessions() -> int:
    """Daily: create every group's sessions up to its horizon (idempotent; see ``schedule.py``)."""
    return schedule_generate_all()
