import logging

from django import template
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q

from groups.models import Membership

logger = logging.getLogger(__name__)
register = template.Library()

NAV_TTL = 300


def nav_cache_key(user_id: int) -> str:
    return f"dashboards:nav:{user_id}"


@register.inclusion_tag("dashboards/_nav_link.html", takes_context=True)
def dashboard_nav_link(context) -> dict:
    """The dashboard link for facilitators and organisation admins. Cached per user (at most one query on
    a miss; cleared when the user's memberships or admin links change)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    key = nav_cache_key(user.pk)
    try:
        show = cache.get(key)
    except Exception:  # noqa: BLE001 - a cache outage must not break every page: ask the database
        logger.warning("cache unavailable for the dashboard link", exc_info=True)
        show, key = None, None
    if show is None:
        show = user.is_superuser or (
            get_user_model()
            .objects.filter(pk=user.pk)
            .filter(
                Q(
                    memberships__role=Membership.Role.FACILITATOR,
                    memberships__status=Membership.Status.ACTIVE,
                )
                | Q(admin_links__isnull=False)
            )
            .exists()
        )
        if key is not None:
            try:
                cache.set(key, show, NAV_TTL)
            except Exception:  # noqa: BLE001
                logger.warning("cache unavailable for the dashboard link", exc_info=True)
    return {"show": show}
