"""Sessions: the member's list and session page, RSVP, presenter slots, planning, the calendar feed."""

from datetime import timedelta

from django.utils import timezone

from sessions.models import Presenter

from . import Budget
from .scene import session_in


def _group(scene):
    return {"group_id": scene.group.pk}


def _upcoming(scene):
    return {"session_id": scene.upcoming.pk}


def _fresh_session(scene):
    """A new session of the group, for acts that change or use up the session they are sent to."""
    return {"session_id": session_in(scene.group, days=9, presenter_slots=2).pk}


def _claimed_session(scene):
    session = session_in(scene.group, days=9, presenter_slots=2)
    Presenter.objects.create(session=session, user=scene.world.member, slot=1)
    return {"session_id": session.pk}


def _future_form(scene):
    day = timezone.localdate() + timedelta(days=10)
    return {"day": day.isoformat(), "start_time": "14:00", "end_time": "16:30", "presenter_slots": 1}


def _schedule_form(scene):
    return {
        "rrule": "FREQ=WEEKLY;INTERVAL=4;BYDAY=TU",
        "first_date": timezone.localdate().isoformat(),
        "start_time": "14:00",
        "duration_minutes": 150,
        "timezone": "Europe/Amsterdam",
        "horizon_months": 6,
    }


BUDGETS = [
    Budget("sessions:mine", "member", 7),
    Budget("sessions:detail", "member", 14, kwargs=_upcoming),
    Budget("sessions:detail", "facilitator", 14, kwargs=_upcoming, label="facilitator"),
    Budget(
        "sessions:rsvp",
        "member",
        18,
        kwargs=_upcoming,
        method="post",
        data=lambda s: {"answer": "attend"},
        htmx=True,
    ),  # fmt: skip
    Budget(
        "sessions:rsvp",
        "member",
        15,
        kwargs=_upcoming,
        method="post",
        status=302,
        label="page",
        data=lambda s: {"answer": "decline", "decline_reason": "busy"},
    ),  # fmt: skip
    Budget("sessions:presenter_claim", "member", 35, kwargs=_fresh_session, method="post", status=302),
    Budget("sessions:presenter_release", "member", 23, kwargs=_claimed_session, method="post", status=302),
    Budget("sessions:download", "member", 11, kwargs=_upcoming),
    Budget("sessions:edit", "facilitator", 10, kwargs=_upcoming),
    Budget(
        "sessions:edit",
        "facilitator",
        40,
        kwargs=_fresh_session,
        method="post",
        data=_future_form,
        status=302,
    ),
    Budget("sessions:cancel", "facilitator", 8, kwargs=_upcoming),
    Budget(
        "sessions:cancel",
        "facilitator",
        31,
        kwargs=_fresh_session,
        method="post",
        status=302,
        data=lambda s: {"reason": "De begeleider is ziek."},
    ),  # fmt: skip
    Budget("sessions:group_schedule", "facilitator", 11, kwargs=_group),
    Budget(
        "sessions:group_schedule",
        "facilitator",
        32,
        kwargs=_group,
        method="post",
        data=_schedule_form,
        status=302,
    ),  # fmt: skip
    Budget("sessions:new", "facilitator", 10, kwargs=_group),
    Budget("sessions:new", "facilitator", 35, kwargs=_group, method="post", data=_future_form, status=302),
    Budget("sessions:feed_settings", "member", 5),
    Budget("sessions:feed_regenerate", "member", 7, method="post", status=302),
    Budget("sessions:feed", "anonymous", 6, kwargs=lambda s: {"token": s.world.member.feed_token}),
]
