"""Refresh a session's precomputed figures when something it counts changes."""

import logging

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from groups.models import Membership, OrganisationAdmin
from sessions import signals

from .services import session_stats_refresh
from .templatetags.dashboard_tags import nav_cache_key

logger = logging.getLogger(__name__)


# Planned, changed and cancelled sessions need no receiver: a new session has nothing to count yet, and
# the dashboards recompute a session's figures lazily when the session row is newer than its figures
# (``selectors.with_stats``). That keeps schedule generation free of extra queries.
@receiver(signals.session_held, dispatch_uid="dashboards.session_held")
def _on_session(sender, session, **kwargs):
    session_stats_refresh(session_ids=[session.pk])


@receiver(signals.rsvp_changed, dispatch_uid="dashboards.rsvp_changed")
def _on_rsvp(sender, rsvp, **kwargs):
    session_stats_refresh(session_ids=[rsvp.session_id])


@receiver(signals.presenter_changed, dispatch_uid="dashboards.presenter_changed")
def _on_presenter(sender, presenter, **kwargs):
    session_stats_refresh(session_ids=[presenter.session_id])


@receiver(post_save, sender=Membership, dispatch_uid="dashboards.nav_membership_saved")
@receiver(post_delete, sender=Membership, dispatch_uid="dashboards.nav_membership_deleted")
@receiver(post_save, sender=OrganisationAdmin, dispatch_uid="dashboards.nav_admin_saved")
@receiver(post_delete, sender=OrganisationAdmin, dispatch_uid="dashboards.nav_admin_deleted")
def _on_role_change(sender, instance, **kwargs):
    try:
        cache.delete(nav_cache_key(instance.user_id))
    except Exception:  # noqa: BLE001 - the link then follows the role change within NAV_TTL
        logger.warning("cache unavailable: dashboard link not cleared", exc_info=True)
