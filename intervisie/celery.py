import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intervisie.settings")

app = Celery("intervisie")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
    # The retention purge runs through privacy, which logs each run (PurgeLog).
    "purge-expired-casussen": {"task": "privacy.tasks.purge_expired_logged", "schedule": 24 * 60 * 60.0},
}
