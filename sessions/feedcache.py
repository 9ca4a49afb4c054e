"""The feed's ETag without a query: a per-reader version kept in the cache (Redis), invalidated by every
change that touches the reader's feed, with ``selectors.feed_version`` (two small queries) as the fallback.

Two keys per reader:

- ``gen``: a random token, replaced (never counted up, so an evicted key cannot come back with an old
  value) whenever something in the reader's feed changes;
- ``ver``: ``(gen, etag, valid_until)`` as computed from the database. It is used only while its ``gen``
  is still the current one and before ``valid_until`` (the moment the oldest session leaves the feed's
  3-month window, or the next session begins and loses its reminder, which no change announces).

Both are read in one round trip. Invalidation replaces ``gen`` right away *and* again after the commit:
a request that computed the version from the database before the change committed stored it under the
earlier ``gen``, which the second replacement retires, so a stale ETag is never served for longer than
that request. What invalidates whom (``connect``, from ``MeetingsConfig.ready``):

- a session saved or deleted (created by the schedule, changed, cancelled, restored, held; also in
  the admin) and a group's schedule or the group itself (rename) saved: the group's active members;
- an RSVP saved: its member; a membership saved or deleted (joined, left, role changed): its member and
  the group's active members (the facilitator is the events' ORGANIZER; their ETag stays the same unless
  it changed for them, so they still get 304);
- a user saved (token regenerated, language, name or address changed): that user, and the members of the
  groups they facilitate (their name and address are those groups' ORGANIZER).

Changes that bypass ``save()`` (``QuerySet.update``, ``bulk_create``) send no signal; ``VERSION_SECONDS``
bounds how long they can go unnoticed.
"""

import logging
import uuid
from datetime import datetime
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from groups.models import Group, Membership

from . import calendar, selectors
from .models import RSVP, Schedule, Session

logger = logging.getLogger(__name__)

GEN_SECONDS = 60 * 60 * 24 * 30
VERSION_SECONDS = 60 * 60
FETCHED_SECONDS = 60 * 60 * 24 * 30


def _gen_key(user_id: int) -> str:
    return f"ical-gen:{calendar.CACHE_VERSION}:{user_id}"


def _version_key(user_id: int) -> str:
    return f"ical-ver:{calendar.CACHE_VERSION}:{user_id}"


def feed_etag(user, *, now: datetime | None = None) -> str:
    """The reader's feed ETag: one cache round trip when nothing changed since it was last computed."""
    now = now or timezone.now()
    gen_key, version_key = _gen_key(user.pk), _version_key(user.pk)
    found = cache.get_many([gen_key, version_key])
    gen, entry = found.get(gen_key), found.get(version_key)
    if gen is not None and entry is not None:
        entry_gen, etag, valid_until = entry
        if entry_gen == gen and (valid_until is None or now < valid_until):
            return etag
    if gen is None:
        gen = uuid.uuid4().hex
        if not cache.add(gen_key, gen, timeout=GEN_SECONDS):
            gen = cache.get(gen_key) or gen  # somebody else just set it
    version = selectors.feed_version(user, now=now)
    etag = calendar.feed_etag(user, version)
    valid_until = _valid_until(version)
    cache.set(version_key, (gen, etag, valid_until), timeout=VERSION_SECONDS)
    return etag


def _valid_until(version: dict) -> datetime | None:
    """The first moment the feed changes by time alone: its oldest session leaves the window, or its next
    session begins (and loses its reminder)."""
    moments = []
    if version["oldest_end"] is not None:
        moments.append(version["oldest_end"] + selectors.FEED_PAST)
    if version.get("next_start") is not None:
        moments.append(version["next_start"])
    return min(moments) if moments else None


def _fetched_key(user_id: int) -> str:
    return f"ical-fetched:{user_id}"


def mark_fetched(user) -> None:
    """A calendar app fetched the reader's feed (a full answer, not a 304): the feed settings page then
    asks whether they want the feed as their only calendar path (no switch is made for them)."""
    try:
        cache.set(_fetched_key(user.pk), timezone.now(), timeout=FETCHED_SECONDS)
    except Exception:  # the cache being down must not break the feed
        logger.warning("feed fetch of user %s not recorded", user.pk, exc_info=True)


def last_fetched(user) -> datetime | None:
    """When a calendar app last fetched the reader's feed in full (within ``FETCHED_SECONDS``)."""
    return cache.get(_fetched_key(user.pk))


def _renew(user_ids) -> None:
    if user_ids:
        cache.set_many({_gen_key(pk): uuid.uuid4().hex for pk in user_ids}, timeout=GEN_SECONDS)


def _members(group_ids) -> set[int]:
    return set(
        Membership.objects.filter(group_id__in=group_ids, status=Membership.Status.ACTIVE).values_list(
            "user_id", flat=True
        )
    )


def invalidate_users(user_ids) -> None:
    """Now and again after the commit (see the module docstring)."""
    user_ids = set(user_ids)
    try:
        _renew(user_ids)
    except Exception:  # the cache being down must not break the change itself
        logger.warning("feed versions of %s users not invalidated", len(user_ids), exc_info=True)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(_renew, user_ids), robust=True)


def invalidate_groups(group_ids) -> None:
    invalidate_users(_members(set(group_ids)))


# --- receivers ----------------------------------------------------------------------------------------


def _on_group_part(sender, instance, **kwargs):
    """A session or schedule of the group."""
    invalidate_groups([instance.group_id])


def _on_group(sender, instance, created=False, **kwargs):
    if not created:
        invalidate_groups([instance.pk])


def _on_member(sender, instance, **kwargs):
    invalidate_users([instance.user_id])


def _on_membership(sender, instance, **kwargs):
    """Joined, left or another role: the member's feed, and every member's (a facilitator's membership
    decides the group's ORGANIZER; a role change cannot tell what it was before, so always)."""
    invalidate_users(_members([instance.group_id]) | {instance.user_id})


def _on_user(sender, instance, created=False, **kwargs):
    if created:
        return
    invalidate_users([instance.pk])
    if kwargs.get("update_fields") and not {"email", "display_name"} & set(kwargs["update_fields"]):
        return  # a login (last_login) or password change: nobody else's feed shows it
    facilitated = Membership.objects.filter(
        user_id=instance.pk, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
    ).values_list("group_id", flat=True)
    invalidate_groups(list(facilitated))  # the facilitator's name and address are every member's ORGANIZER


def connect() -> None:
    from django.contrib.auth import get_user_model

    uid = "sessions.feedcache"
    post_save.connect(_on_group_part, sender=Session, dispatch_uid=f"{uid}.session")
    post_delete.connect(_on_group_part, sender=Session, dispatch_uid=f"{uid}.session_deleted")
    post_save.connect(_on_group_part, sender=Schedule, dispatch_uid=f"{uid}.schedule")
    post_save.connect(_on_group, sender=Group, dispatch_uid=f"{uid}.group")
    post_save.connect(_on_member, sender=RSVP, dispatch_uid=f"{uid}.rsvp")
    post_save.connect(_on_membership, sender=Membership, dispatch_uid=f"{uid}.membership")
    post_delete.connect(_on_membership, sender=Membership, dispatch_uid=f"{uid}.membership_deleted")
    post_save.connect(_on_user, sender=get_user_model(), dispatch_uid=f"{uid}.user")
