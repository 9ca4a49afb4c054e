"""Reflection helpers: members, scores and reflections written through the service (held sessions come from
tests/sessions/factories.held_session)."""

from datetime import timedelta

from django.utils import timezone

from groups.models import Membership
from reflections import services
from sessions.models import RSVP
from tests.factories import MembershipFactory
from tests.sessions.factories import RSVPFactory

SCORES = ("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used")
# What the reflection form posts for an attendee (a presenter adds advice_fit).
REFLECTION_FORM = {
    "usefulness": 4,
    "depth": 3,
    "candor": 4,
    "safety": 5,
    "stayed_intervision": 4,
    "time_well_used": 3,
    "takeaway": "Doorvragen loont",
}


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
    return RSVPFactory(session=session, user=user, answer=RSVP.Answer.DECLINE, decline_reason=reason)
