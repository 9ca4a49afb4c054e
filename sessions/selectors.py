"""Reads shared by views, the feed and tasks. Each returns a fixed number of queries whatever the number
of sessions or members (the tests assert it)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from dateutil.relativedelta import relativedelta
from django.db.models import (
    Count,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from groups.models import Membership
from groups.selectors import user_memberships

from .models import RSVP, Presenter, Session

FEED_PAST = relativedelta(months=3)


def _member_group_ids(user):
    return user_memberships(user).values("group_id")


def my_sessions(user) -> QuerySet[Session]:
    """Sessions of all groups the user is an active member of, with the user's own RSVP
    (``my_rsvps``), the number of confirmed attendees and the presenters (the session page)."""
    return (
        Session.objects.filter(group_id__in=_member_group_ids(user))
        .select_related("group")
        .annotate(attend_count=Count("rsvps", filter=Q(rsvps__answer=RSVP.Answer.ATTEND)))
        .prefetch_related(
            _mine(user),
            Prefetch("presenters", queryset=Presenter.objects.select_related("user")),
        )
    )


def _attend_count():
    """Confirmed attendees, as a subquery: PostgreSQL evaluates it for the rows a LIMIT keeps only
    (a Count() join would aggregate every matching session first)."""
    attending = (
        RSVP.objects.filter(session=OuterRef("pk"), answer=RSVP.Answer.ATTEND)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(attending), 0)


def _mine(user) -> Prefetch:
    return Prefetch("rsvps", queryset=RSVP.objects.filter(user=user), to_attr="my_rsvps")


def _with_my_answer(queryset: QuerySet[Session], user) -> QuerySet[Session]:
    """The reader's RSVP joined into the same query (no prefetch query)."""
    return queryset.annotate(
        mine=FilteredRelation("rsvps", condition=Q(rsvps__user=user)),
        my_answer=F("mine__answer"),
        my_decline_reason=F("mine__decline_reason"),
        my_decline_note=F("mine__decline_note"),
        my_answered_at=F("mine__answered_at"),
    )


def _set_my_rsvps(sessions: list[Session], user) -> list[Session]:
    """``my_rsvps`` as the views expect it (like the prefetch in ``my_sessions``), from the join."""
    for session in sessions:
        session.my_rsvps = (
            [
                RSVP(
                    session=session,
                    user=user,
                    answer=session.my_answer,
                    decline_reason=session.my_decline_reason,
                    decline_note=session.my_decline_note,
                    answered_at=session.my_answered_at,
                )
            ]
            if session.my_answer
            else []
        )
    return sessions


def user_upcoming_sessions(user, *, now: datetime | None = None, limit: int = 12) -> list[Session]:
    """The next ``limit`` sessions of the user's groups with their own RSVP (``my_rsvps``) and the number
    of confirmed attendees, in one query. Sessions a rule change cancelled are left out unless the user
    had answered for them (a changed rule would otherwise fill the list with cancelled cards; their
    calendars got the cancellation)."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(group_id__in=_member_group_ids(user), ends_at__gt=now)
        .select_related("group")
        .annotate(attend_count=_attend_count())
        .order_by("starts_at")
    )
    sessions = _with_my_answer(sessions, user).exclude(cancelled_by_schedule=True, my_answer__isnull=True)
    return _set_my_rsvps(list(sessions[:limit]), user)


def past_sessions(user, *, now: datetime | None = None, limit: int = 10, offset: int = 0) -> list[Session]:
    """One page of the user's past sessions, newest first, with their own RSVP (``my_rsvps``); one more
    than ``limit`` when there is an older page. One query."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(group_id__in=_member_group_ids(user), ends_at__lte=now)
        .select_related("group")
        .order_by("-starts_at", "-pk")
    )
    return _set_my_rsvps(list(_with_my_answer(sessions, user)[offset : offset + limit + 1]), user)


def session_for_member(user, session_id: int) -> Session | None:
    return my_sessions(user).filter(pk=session_id).first()


def session_page_sessions(user) -> QuerySet[Session]:
    """Sessions as the session page and its actions need them, for the access check to fetch once
    (``groups.permissions.object_in_group_or_404``): the group, the reader's own answer joined in (call
    ``with_my_rsvps`` on the result), the number of confirmed attendees and the presenters. Not narrowed to
    the reader's groups: the access check does that (and tells a 404 from a 403)."""
    sessions = (
        Session.objects.select_related("group")
        .annotate(attend_count=_attend_count())
        .prefetch_related(Prefetch("presenters", queryset=Presenter.objects.select_related("user")))
    )
    return _with_my_answer(sessions, user)


def with_my_rsvps(session: Session, user) -> Session:
    """``my_rsvps`` on a session of ``session_page_sessions`` (from the joined answer, no query)."""
    return _set_my_rsvps([session], user)[0]


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


def session_roster(session: Session, *, with_reasons: bool) -> Roster:
    """Two queries: the active members, and the session's RSVPs. Without ``with_reasons`` (a reader who
    may not see why someone declined, ``sessions.permissions.may_see_decline_reasons``) the RSVPs carry
    no reason and no note."""
    roster = Roster(quorum=session.quorum)
    answers = {r.user_id: r for r in RSVP.objects.filter(session=session)}
    if not with_reasons:
        for rsvp in answers.values():  # in memory only: these objects are never saved
            rsvp.decline_reason, rsvp.decline_note = "", ""
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
    """One event of the personal feed: what it shows and what its cache key depends on."""

    pk: int
    updated_at: datetime
    sequence: int
    answer: str | None  # the reader's RSVP
    tzid: str | None  # the group's schedule zone
    group_name: str
    starts_at: datetime
    ends_at: datetime
    location: str
    online_link: str
    status: str
    cancellation_reason: str
    group_id: int
    answered_at: datetime | None  # when the reader last gave or changed their answer


class Organizer(NamedTuple):
    """Who a group's calendar events name as ORGANIZER: its facilitator (a person who reads replies)."""

    email: str
    name: str


FEED_ROW_FIELDS = (
    "pk",
    "updated_at",
    "sequence",
    "mine__answer",
    "group__schedule__timezone",
    "group__name",
    "starts_at",
    "ends_at",
    "location",
    "online_link",
    "status",
    "cancellation_reason",
    "group_id",
    "mine__answered_at",
)


def _feed_queryset(user, now: datetime | None) -> QuerySet[Session]:
    return Session.objects.filter(
        group_id__in=_member_group_ids(user), ends_at__gte=feed_window_start(now)
    ).annotate(mine=FilteredRelation("rsvps", condition=Q(rsvps__user=user)))


def feed_version(user, *, now: datetime | None = None) -> dict:
    """What the feed depends on, in two small queries (no rows): an aggregate over its sessions that
    changes whenever one is added, removed, changed (``updated_at`` is set on every save) or leaves the
    window, when the reader's RSVP is given, changed (``answered_at`` is now) or removed, and when a
    group's schedule (time zone) changes; plus the names and facilitators (ORGANIZER) of the reader's
    groups (event text). It fixes the ETag. ``oldest_end`` tells when the first session leaves the window
    (``FEED_PAST`` later), ``next_start`` when the next one begins (it loses its reminder then)."""
    now = now or timezone.now()
    version = _feed_queryset(user, now).aggregate(
        count=Count("pk"),
        pk_sum=Sum("pk"),
        sequence_sum=Sum("sequence"),
        updated=Max("updated_at"),
        answers=Count("mine"),
        answered=Max("mine__answered_at"),
        schedule_updated=Max("group__schedule__updated_at"),
        oldest_end=Min("ends_at"),
        started=Count("pk", filter=Q(starts_at__lte=now)),
        next_start=Min("starts_at", filter=Q(starts_at__gt=now)),
    )
    version["groups"] = reader_groups(user)
    return version


def reader_groups(user) -> list[tuple[int, str, str | None, str | None]]:
    """The reader's active groups, in one query: id, name and the facilitator's e-mail and name (the
    longest-serving active facilitator; None when the group has none)."""
    facilitator = Membership.objects.filter(
        group=OuterRef("group_id"), role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
    ).order_by("joined_at", "pk")
    return list(
        user_memberships(user)
        .annotate(
            organizer_email=Subquery(facilitator.values("user__email")[:1]),
            organizer_name=Subquery(facilitator.values("user__display_name")[:1]),
        )
        .order_by("group_id")
        .values_list("group_id", "group__name", "organizer_email", "organizer_name")
    )


def group_organizer(group) -> Organizer | None:
    """The group's facilitator as ORGANIZER (one query), None when the group has none."""
    found = (
        Membership.objects.filter(
            group=group, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
        )
        .order_by("joined_at", "pk")
        .values_list("user__email", "user__display_name")
        .first()
    )
    return Organizer(*found) if found else None


def feed_rows(user, *, now: datetime | None = None) -> list[FeedRow]:
    """Every event of the user's feed, oldest session first, in one query: what it shows and its cache
    key (no model instances: the feed builds 500 of these)."""
    rows = _feed_queryset(user, now).order_by("starts_at", "pk").values_list(*FEED_ROW_FIELDS)
    return [FeedRow(*row) for row in rows]


def group_upcoming_sessions(group, *, now: datetime | None = None, limit: int = 30) -> list[Session]:
    now = now or timezone.now()
    return list(
        Session.objects.filter(group=group, ends_at__gt=now - timedelta(days=1))
        .annotate(attend_count=Count("rsvps", filter=Q(rsvps__answer=RSVP.Answer.ATTEND)))
        .order_by("starts_at")[:limit]
    )
