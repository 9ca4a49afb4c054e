"""Held sessions with attendance, written directly (the dashboards read what attendance registration
writes: Attendance rows, status=held, actual start/end and break)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from dashboards.services import session_stats_refresh
from sessions.models import RSVP, Attendance, Presenter, Session
from tests.factories import GroupFactory


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2, minutes=30))


def local(year, month, day, hour=19, minute=0) -> datetime:
    """An Europe/Amsterdam wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Amsterdam"))


def held_session(
    group,
    starts_at: datetime,
    attendance: dict,
    *,
    minutes: int = 150,
    break_minutes: int = 0,
    facilitator=None,
    declines: dict | None = None,
    presenters=(),
    refresh: bool = True,
) -> Session:
    """A held session: ``attendance`` maps users to Attendance.Status; ``declines`` users to a reason.
    Actual start is the planned start, actual end ``minutes`` later."""
    session = SessionFactory(
        group=group,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        status=Session.Status.HELD,
        actual_started_at=starts_at,
        actual_ended_at=starts_at + timedelta(minutes=minutes),
        break_minutes=break_minutes,
        facilitator=facilitator,
    )
    Attendance.objects.bulk_create(
        [Attendance(session=session, user=user, status=status) for user, status in attendance.items()]
    )
    RSVP.objects.bulk_create(
        [
            RSVP(session=session, user=user, answer=RSVP.Answer.DECLINE, decline_reason=reason)
            for user, reason in (declines or {}).items()
        ]
    )
    Presenter.objects.bulk_create(
        [Presenter(session=session, user=user, slot=n) for n, user in enumerate(presenters, start=1)]
    )
    if refresh:
        session_stats_refresh(session_ids=[session.pk])
    return session
