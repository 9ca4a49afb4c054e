from celery import shared_task

from . import services


@shared_task(name="privacy.tasks.purge_expired_logged")
def purge_expired_logged() -> int:
    """The casussen retention purge, with a ``PurgeLog`` row per run (idempotent like the purge itself)."""
    return services.purge_expired_logged().count
