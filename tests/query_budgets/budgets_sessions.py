"""Sessions: the member's list and session page, RSVP, presenter slots, planning, the calendar feed."""

from sessions.models import Presenter
from tests.sessions.factories import schedule_confirm_data, schedule_form_data, session_form_data

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


BUDGETS = [
    Budget("sessions:mine", "member", 10),  # the "Reflectie schrijven" links: 3 queries for the page
    # The one session page with the sections of casussen and reflections (sessions.panels): the grown
    # scene adds members (the roster), RSVPs with reasons, booked casussen, reflections and attendance.
    # The session is read once, by the access check (``selectors.session_page_sessions``).
    Budget(
        "sessions:detail", "member", 18, kwargs=_upcoming, shows=lambda s: f"Op de agenda {min(s.last, 5)}"
    ),
    Budget(
        "sessions:detail",
        "facilitator",
        18,
        kwargs=_upcoming,
        label="facilitator",
        shows=lambda s: s.last_name(),
    ),
    Budget("sessions:detail", "member", 18, kwargs=lambda s: {"session_id": s.running.pk}, label="running"),
    Budget(
        "sessions:detail",
        "member",
        24,
        kwargs=lambda s: {"session_id": s.held.pk},
        label="held",
        shows=lambda s: s.last_name(),
    ),  # fmt: skip
    Budget(
        "sessions:detail",
        "member",
        24,
        kwargs=lambda s: {"session_id": s.due.pk},
        label="follow-up due",
    ),  # fmt: skip
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
    Budget("sessions:download", "member", 11, kwargs=_upcoming, method="head", label="head"),
    Budget("sessions:edit", "facilitator", 10, kwargs=_upcoming),
    Budget(
        "sessions:edit",
        "facilitator",
        40,
        kwargs=_fresh_session,
        method="post",
        data=lambda _: session_form_data(),
        status=302,
    ),
    Budget("sessions:cancel", "facilitator", 8, kwargs=_upcoming),
    Budget(
        "sessions:cancel",
        "facilitator",
        32,  # with the casussen app's look for booked casussen to give back to the queue
        kwargs=_fresh_session,
        method="post",
        status=302,
        data=lambda s: {"reason": "De begeleider is ziek."},
    ),  # fmt: skip
    Budget("sessions:group_schedule", "facilitator", 11, kwargs=_group),
    Budget(
        "sessions:group_schedule",
        "facilitator",
        16,
        kwargs=_group,
        method="post",
        data=lambda _: schedule_form_data(),
        status=200,
        label="preview",
    ),  # fmt: skip
    Budget(
        "sessions:group_schedule",
        "facilitator",
        21,
        kwargs=_group,
        method="post",
        data=lambda s: schedule_confirm_data(s.group),
        status=302,
        label="confirm",
    ),  # fmt: skip
    Budget("sessions:new", "facilitator", 10, kwargs=_group),
    Budget(
        "sessions:new",
        "facilitator",
        35,
        kwargs=_group,
        method="post",
        data=lambda _: session_form_data(),
        status=302,
    ),
    Budget("sessions:feed_settings", "member", 5),
    Budget("sessions:feed_regenerate", "member", 7, method="post", status=302),
    Budget("sessions:feed", "anonymous", 6, kwargs=lambda s: {"token": s.world.member.feed_token}),
    Budget(
        "sessions:feed",
        "anonymous",
        6,
        kwargs=lambda s: {"token": s.world.member.feed_token},
        method="head",
        label="head",
    ),  # fmt: skip
]
