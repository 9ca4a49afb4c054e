"""Attendance registration (``sessions:attendance``, sessions/attendance.py) and its old casussen address,
which only redirects."""

from datetime import timedelta

from django.utils import timezone

from groups.models import Membership
from sessions.models import RSVP

from . import Budget
from .scene import session_in


def _fresh_past(scene):
    session = session_in(scene.group, days=-1, facilitator=scene.world.facilitator)
    RSVP.objects.bulk_create(
        [RSVP(session=session, user=u, answer="attend") for u in (scene.world.member, *scene.grown)]
    )
    return {"session_id": session.pk}


def _attendance_data(scene):
    start = timezone.localtime(timezone.now() - timedelta(days=1))
    data = {
        "started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "break_minutes": "10",
    }
    active = Membership.objects.filter(group=scene.group, status="active").values_list("user_id", flat=True)
    return {**data, **{f"status_{user_id}": "present" for user_id in active}}


BUDGETS = [
    Budget(
        "sessions:attendance",
        "facilitator",
        12,
        kwargs=lambda s: {"session_id": s.past.pk},
        shows=lambda s: s.last_name(),
    ),  # fmt: skip
    Budget(
        "sessions:attendance",
        "facilitator",
        58,  # with the roles that stood stored as the record (sessions.roles.roles_settle: 10)
        kwargs=_fresh_past,
        method="post",
        data=_attendance_data,
        status=302,
    ),  # fmt: skip
    # The old address redirects without asking anything (the queries are the login's).
    Budget("casussen:attendance", "facilitator", 2, kwargs=lambda s: {"session_id": s.past.pk}, status=301),
    Budget(
        "casussen:attendance",
        "facilitator",
        2,
        kwargs=lambda s: {"session_id": s.past.pk},
        method="post",
        data=lambda s: {"break_minutes": "10"},
        status=308,
    ),  # fmt: skip
]
