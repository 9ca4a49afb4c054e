"""Tunables of the outbox, from settings (``NOTIFICATIONS_*``) or the environment, with safe defaults."""

import os
from datetime import timedelta

from django.conf import settings


def _setting(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return int(value)


def batch_size() -> int:
    """Rows claimed per transaction by one sender (also the upper bound of rows a killed worker leaves in
    ``sending``)."""
    return _setting("NOTIFICATIONS_BATCH_SIZE", 200)


def max_attempts() -> int:
    return _setting("NOTIFICATIONS_MAX_ATTEMPTS", 5)


def sending_timeout() -> timedelta:
    """A ``sending`` claim older than this belongs to a dead worker. Longer than the task's hard time limit
    (CELERY_TASK_TIME_LIMIT), so a live sender is never taken over."""
    return timedelta(seconds=_setting("NOTIFICATIONS_SENDING_TIMEOUT", 420))


def sender_budget() -> timedelta:
    """How long one sender task keeps claiming batches before it returns (below the soft time limit)."""
    return timedelta(seconds=_setting("NOTIFICATIONS_SENDER_SECONDS", 180))


def parallel_senders() -> int:
    """Sender tasks each sweep fans out (they share the due rows through SKIP LOCKED)."""
    return _setting("NOTIFICATIONS_PARALLEL_SENDERS", 2)


def link_max_age() -> timedelta:
    return timedelta(days=_setting("NOTIFICATIONS_LINK_MAX_AGE_DAYS", 30))


def retry_delay(attempts: int) -> timedelta:
    """Backoff after a failed attempt: 2, 4, 8, … minutes, at most six hours."""
    return timedelta(minutes=min(2**attempts, 360))


def password_reset_interval() -> timedelta:
    """An account gets at most one password reset mail per interval (the outbox's unique constraint)."""
    return timedelta(minutes=_setting("NOTIFICATIONS_PASSWORD_RESET_INTERVAL_MINUTES", 15))


def outage_pause(failures: int) -> timedelta:
    """How long the sweep pauses after the n-th failed connection to the mail server in a row: 30 s, 1, 2,
    4, 8 minutes, then 10 (NOTIFICATIONS_OUTAGE_PAUSE_SECONDS / _MAX_SECONDS)."""
    first = _setting("NOTIFICATIONS_OUTAGE_PAUSE_SECONDS", 30)
    longest = _setting("NOTIFICATIONS_OUTAGE_PAUSE_MAX_SECONDS", 600)
    return timedelta(seconds=min(first * 2 ** max(failures - 1, 0), longest))


def reconnect_seconds() -> int:
    """How long a sender tries to reach the database again to record a message the mail server accepted."""
    return _setting("NOTIFICATIONS_RECONNECT_SECONDS", 15)
