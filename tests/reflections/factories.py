"""Held sessions with attendance, written directly (the casussen attendance service is another app's)."""

from datetime import timedelta

from django.utils import timezone

from groups.models import Membership
from reflections import services
from sessions.models import RSVP, Attendance, Presenter, Session
from tests.factories import MembershipFactory

SCORES = ("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used")


def held_session(group, *, ended_ago=timedelta(hours=3), attendees=(), absent=(), presenter=None) -> Session:
    end = timezone.now() - ended_ago
    start = end - timedelta(hours=2, minutes=30)
    session = Session.objects.create(
        group=group,
        starts_at=start,
        ends_at=end,
        status=Session.Status.HELD,
        actual_started_at=start,
        actual_ended_at=end,
    )
    Attendance.objects.bulk_create(
        [Attendance(session=session, user=user, status=Attendance.Status.PRESENT) for user in attendees]
        + [Attendance(session=session, user=user, status=Attendance.Status.ABSENT) for user in absent]
    )
    if presenter is not None:
        Presenter.objects.create(session=session, user=presenter, slot=1)
    return session


def members(group, n: int) -> list:
    return [MembershipFactory(group=group, role=Membership.Role.MEMBER).user for _ in range(n)]


def scores(value: int = 4, **overrides) -> dict[str, int]:
    return {**dict.fromkeys(SCORES, value), **overrides}


def reflect(session, user, value: int = 4, *, now=None, **kwargs):
    """Write a reflection through the service (as the form does); ``now`` lets tests write inside the
    window of a session that is already closed for the test's own clock."""
    overrides = {k: kwargs.pop(k) for k in list(kwargs) if k in SCORES}
    if now is None:
        now = min(timezone.now(), services.selectors.reflection_closes_at(session) - timedelta(minutes=1))
    return services.reflection_submit(
        session=session, author=user, scores=scores(value, **overrides), now=now, **kwargs
    )


def decline(session, user, reason=RSVP.Reason.BUSY):
    return RSVP.objects.create(session=session, user=user, answer=RSVP.Answer.DECLINE, decline_reason=reason)
