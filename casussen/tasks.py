from celery import shared_task

from . import services


@shared_task(name="casussen.tasks.purge_expired_casussen")
def purge_expired_casussen() -> int:
    """Daily: purge casus text, question log and advice after each group's retention period (attendance
    stays). Idempotent: already purged casussen are skipped."""
    return services.casus_purge_expired()


@shared_task(name="casussen.tasks.written_advance")
def written_advance() -> int:
    """Every few minutes: written sessions follow their deadlines (the next phase opens, the round ends
    after the last one). Idempotent."""
    from . import written

    return written.written_advance_due()
