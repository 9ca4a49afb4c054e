"""Celery tasks. Beat (intervisie/celery.py) runs ``sweep_outbox`` (task name ``notifications.tasks.sweep``)
every minute, ``alert_scan`` and ``digests`` daily. Tasks take ids, never objects; acks_late with
reject-on-worker-lost come from the settings; the outbox rows, not the broker, are the source of truth,
so a lost task message loses no e-mail."""

from celery import shared_task
from django.db import DatabaseError

from . import alerts, conf, sweep
from .digests import digests_build

RETRY = {"autoretry_for": (DatabaseError,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}


@shared_task(name="notifications.tasks.sweep", ignore_result=True, acks_late=True, **RETRY)
def sweep_outbox() -> int:
    """Recover dead claims, then fan out senders that share the due rows (SKIP LOCKED)."""
    sweep.recover_stale()
    due = sweep.due_count()
    if sweep.outage_paused_until() is not None:  # the mail server is out: no sender until the pause ends
        return due
    senders = min(conf.parallel_senders(), -(-due // conf.batch_size()))
    for _ in range(senders):
        send_due.delay()
    return due


@shared_task(name="notifications.tasks.send_due", ignore_result=True, acks_late=True, **RETRY)
def send_due(ids: list[int] | None = None) -> int:
    """Send due rows (only ``ids`` when given: the rows a change just queued)."""
    return sweep.send_due(ids=ids)


@shared_task(name="notifications.tasks.alert_scan", ignore_result=True, acks_late=True, **RETRY)
def alert_scan() -> int:
    result = alerts.alert_scan()
    if result.opened:
        send_due.delay()
    return len(result.opened)


@shared_task(name="notifications.tasks.digests", ignore_result=True, acks_late=True, **RETRY)
def digests() -> int:
    ids = digests_build()
    if ids:
        send_due.delay(ids)
    return len(ids)
