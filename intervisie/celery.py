import gc
import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intervisie.settings")

app = Celery("intervisie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Young objects are collected every this many allocations in a pool process (Python's default is 2,000).
WORKER_GC_THRESHOLD = 20_000


@worker_process_init.connect
def collect_garbage_less_often(**kwargs):
    """A pool process works in batches (a sweep builds a thousand e-mails per claim). Everything loaded at
    start-up lives as long as the process, so it is frozen out of the collector's sight, and young objects
    are collected ten times less often: the collector took about 10 % of a sender's CPU
    (``bench/bench_outbox.py``)."""
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, *gc.get_threshold()[1:])


# Beat schedule in code (UTC intervals; local-time rules are computed by the tasks themselves).
app.conf.beat_schedule = {
    "heartbeat": {
        "task": "groups.tasks.heartbeat",
        "schedule": float(os.environ.get("CELERY_HEARTBEAT_SECONDS", "60")),
    },
    # Notifications: the outbox sweep (interval overridable for tests), the alert scan and the digests (UTC).
    "notifications-sweep": {
        "task": "notifications.tasks.sweep",
        "schedule": float(os.environ.get("NOTIFICATIONS_SWEEP_SECONDS", "60")),
    },
    "notifications-alert-scan": {
        "task": "notifications.tasks.alert_scan",
        "schedule": crontab(hour=5, minute=0),
    },
    "notifications-digests": {"task": "notifications.tasks.digests", "schedule": crontab(hour=6, minute=0)},
    "generate-sessions": {"task": "sessions.tasks.generate_sessions", "schedule": 24 * 60 * 60.0},
    # Written sessions: the next phase opens at each deadline (casussen/written.py).
    "written-advance": {"task": "casussen.tasks.written_advance", "schedule": 5 * 60.0},
    # The retention purge runs through privacy, which logs each run (PurgeLog).
    "purge-expired-casussen": {"task": "privacy.tasks.purge_expired_logged", "schedule": 24 * 60 * 60.0},
}
