import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

logger = logging.getLogger(__name__)


@shared_task(name="groups.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Proves beat and worker are alive: stores the time of the last beat in the cache."""
    now = timezone.now().isoformat()
    cache.set("celery-heartbeat", now, timeout=None)
    logger.debug("heartbeat %s", now)
    return now
