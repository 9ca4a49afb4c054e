import os

from celery import Celery

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
    "purge-expired-casussen": {"task": "casussen.tasks.purge_expired_casussen", "schedule": 24 * 60 * 60.0},
    "generate-sessions": {"task": "sessions.tasks.generate_sessions", "schedule": 24 * 60 * 60.0},
}
