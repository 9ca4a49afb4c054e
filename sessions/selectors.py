"""Reads shared by views, the feed and tasks. Each returns a fixed number of queries whatever the number
of sessions or members (the tests assert it)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.db.models import Count, FilteredRelation, Max, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from groups.models import Membership

from .models import RSVP, Presenter, Session

FEED_PAST = relativedelta(months=3)


def _member_group_ids(user):
    return Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("group_id")


def my_sessions(user) -> QuerySet[Session]:
    """Sessions of all groups the user is an active member of, with the user's own RSVP
    (``my_rsvps``), the number of confirmed attendees and the presenters."""
    return (
        Session.objects.filter(group_id__in=_member_group_ids(user))
        .select_related("group")
        .annotate(attend_count=Count("rsvps", filter=Q(rsvps__answer=RSVP.Answer.ATTEND)))
        .prefetch_related(
            Prefetch("rsvps", queryset=RSVP.objects.filter(user=user), to_attr="my_rsvps"),
            Prefetch("presenters", queryset=Presenter.objects.select_related("user")),
        )
    )


def upcoming_sessions(user, *, now: datetime | None = None, limit: int = 12) -> list[Session]:
    now = now or timezone.now()
    return list(my_sessions(user).filter(ends_at__gt=now).order_by("starts_at")[:limit])


def past_sessions(user, *, now: datetime | None = None, limit: int = 10) -> list[Session]:
    now = now or timezone.now()
    return list(my_sessions(user).filter(ends_at__lte=now).order_by("-starts_at")[:limit])


def session_for_member(user, session_id: int) -> Session | None:
    return my_sessions(user).filter(pk=session_id).first()


@dataclass
class Roster:
    """Who comes, who declined, who may come, who has not answered: the group's active members."""

    attend: list = field(default_factory=list)
    maybe: list = field(default_factory=list)
    decline: list = field(default_factory=list)
    no_answer: list = field(default_factory=list)
    quorum: int = 0

    @property
    def quorum_met(self) -> bool:
        return len(self.attend) >= self.quorum


def session_roster(session: Session) -> Roster:
    """Two queries: the active members, and the session's RSVPs."""
    roster = Roster(quorum=session.quorum)
    answers = {r.user_id: r for r in RSVP.objects.filter(session=session)}
    members = (
        Membership.objects.filter(group_id=session.group_id, status=Membership.Status.ACTIVE)
        .select_related("user")
        .order_by("user__display_name")
    )
    for membership in members:
        rsvp = answers.get(membership.user_id)
        entry = (membership, rsvp)
        if rsvp is None:
            roster.no_answer.append(entry)
        else:
            getattr(roster, rsvp.answer).append(entry)
    return roster


def feed_window_start(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - FEED_PAST


class FeedRow(NamedTuple):
    pk: int
    updated_at: datetime
    sequence: int
    answer: str | None  # the reader's RSVP
    answered_at: datetime | None
    tzid: str | None  # the group's schedule zone


def _feed_queryset(user, now: datetime | None) -> QuerySet[Session]:
    return Session.objects.filter(
        group_id__in=_member_group_ids(user), ends_at__gte=feed_window_start(now)
    ).annotate(mine=FilteredRelation("rsvps", condition=Q(rsvps__user=user)))


def feed_version(user, *, now: datetime | None = None) -> dict:
    """One aggregate row that changes whenever the feed does: a session added, removed, changed (its
    ``updated_at`` is set to now on every save) or leaving the window; the reader's RSVP given, changed
    (``answered_at`` is now) or removed; a group's schedule (time zone) changed. It fixes the ETag and
    Last-Modified without reading the rows, so a conditional GET is one small query."""
    return _feed_queryset(user, now).aggregate(
        count=Count("pk"),
        pk_sum=Sum("pk"),
        sequence_sum=Sum("sequence"),
        updated=Max("updated_at"),
        answers=Count("mine"),
        answered=Max("mine__answered_at"),
        schedule_updated=Max("group__schedule__updated_at"),
    )


def feed_rows(user, *, now: datetime | None = None) -> list[FeedRow]:
    """What each event of the user's feed depends on, oldest session first, in one query: the cache keys
    of its events."""
    rows = (
        _feed_queryset(user, now)
        .order_by("starts_at", "pk")
        .values_list(
            "pk", "updated_at", "sequence", "mine__answer", "mine__answered_at", "group__schedule__timezone"
        )
    )
    return [FeedRow(*row) for row in rows]


def feed_sessions(session_ids) -> dict[int, Session]:
    sessions = Session.objects.filter(pk__in=list(session_ids)).select_related("group", "group__schedule")
    return {s.pk: s for s in sessions}


def group_upcoming_sessions(group, *, now: datetime | None = None, limit: int = 30) -> list[Session]:
    now = now or timezone.now()
    return list(
        Session.objects.filter(group=group, ends_at__gt=now - timedelta(days=1))
        .annotate(attend_count=Count("rsvps", filter=Q(rsvps__answer=RSVP.Answer.ATTEND)))
        .order_by("starts_at")[:limit]
    )
