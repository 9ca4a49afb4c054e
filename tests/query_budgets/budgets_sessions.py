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


def _role_session(scene):
    """A fresh session whose tijdbewaker the member chose to be (to hand over to the facilitator)."""
    from sessions.models import SessionRole

    session = session_in(scene.group, days=9, presenter_slots=2)
    SessionRole.objects.create(
        session=session,
        key="tijdbewaker",
        name_nl="Tijdbewaker",
        name_en="Timekeeper",
        user=scene.world.member,
    )
    return {"session_id": session.pk}


BUDGETS = [
    Budget("sessions:mine", "member", 10),  # the "Reflectie schrijven" links: 3 queries for the page
    # The one session page with the sections of casussen and reflections (sessions.panels): the grown
    # scene adds members (the roster), RSVPs with reasons, booked casussen, reflections and attendance.
    # The roles card (sessions/roles.py): a fixed number more (the proposal: seven; a held session: one).
    # The session is read once, by the access check (``selectors.session_page_sessions``).
    Budget(
        "sessions:detail", "member", 23, kwargs=_upcoming, shows=lambda s: f"Op de agenda {min(s.last, 5)}"
    ),
    Budget(
        "sessions:detail",
        "facilitator",
        23,
        kwargs=_upcoming,
        label="facilitator",
        shows=lambda s: s.last_name(),
    ),
    Budget("sessions:detail", "member", 23, kwargs=lambda s: {"session_id": s.running.pk}, label="running"),
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
    # Handing over a role answers with the roles card (the proposal for the rest read again).
    Budget(
        "sessions:role_set",
        "member",
        35,
        kwargs=_role_session,
        method="post",
        data=lambda s: {"role": "tijdbewaker", "to": s.world.facilitator.pk},
        htmx=True,
    ),  # fmt: skip
    # Who brought a casus when: the grown members, their presented sessions and roles (three queries).
    Budget("sessions:group_load", "member", 10, kwargs=_group, shows=lambda s: s.last_name()),
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
        35,  # with the casussen app's look for booked casussen to give back to the queue; full_clean
        # checks each session constraint in the database (the live/written one is new)
        kwargs=_fresh_session,
        method="post",
        status=302,
        data=lambda s: {"reason": "De begeleider is ziek."},
    ),  # fmt: skip
    Budget("sessions:group_schedule", "facilitator", 11, kwargs=_group),
    Budget(
        "sessions:group_schedule",
        "facilitator",
        19,  # full_clean checks the schedule's constraints (default format is new)
        kwargs=_group,
        method="post",
        data=lambda _: schedule_form_data(),
        status=200,
        label="preview",
    ),  # fmt: skip
    Budget(
        "sessions:group_schedule",
        "facilitator",
        24,  # full_clean checks the schedule's constraints (default format is new)
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


# --- the date poll (sessions/poll_views.py) -------------------------------------------------------------


def _poll(scene):
    """A fresh open poll for a new session of the group (confirming uses it up), answered by every member
    the scene grew (so an N+1 over answers or members would show)."""
    from datetime import timedelta

    from sessions import polls
    from sessions.models import DatePollAnswer

    session = session_in(scene.group, days=2)
    poll = polls.poll_open(
        group=scene.group,
        created_by=scene.world.facilitator,
        session=session,
        moments=[session.starts_at + timedelta(days=7), session.starts_at + timedelta(days=8)],
    )
    options = list(poll.options.order_by("position"))
    DatePollAnswer.objects.bulk_create(
        DatePollAnswer(option=option, user=user, answer="yes") for option in options for user in scene.grown
    )
    scene.current["poll"] = poll
    scene.current["option"] = options[0]
    return {"group_id": scene.group.pk, "poll_id": poll.pk}


def _poll_option(scene):
    kwargs = _poll(scene)
    return {**kwargs, "option_id": scene.current["option"].pk}


BUDGETS += [
    Budget("sessions:poll_new", "facilitator", 10, kwargs=_group),
    # Opening plans the members' e-mails in one insert (notifications.poll_mail.plan_date_poll).
    Budget(
        "sessions:poll_new",
        "facilitator",
        32,
        kwargs=_group,
        method="post",
        data=lambda _: {"weekday_1": "1", "time_1": "14:00", "weekday_2": "3", "time_2": "09:30"},
        status=302,
        label="weekdays",
    ),  # fmt: skip
    Budget("sessions:poll", "member", 10, kwargs=_poll),
    Budget(
        "sessions:poll_answer",
        "member",
        18,
        kwargs=_poll_option,
        method="post",
        data=lambda _: {"answer": "ifneed"},
        htmx=True,
    ),  # fmt: skip
    # Moving the session: session_update's invites (one bulk insert), then the RSVP reset, which calls
    # services.rsvp_set (its rules and its rsvp_changed signal) once per member who answered for the date.
    Budget(
        "sessions:poll_confirm",
        "facilitator",
        60,
        kwargs=_poll,
        method="post",
        data=lambda s: {"option": s.current["option"].pk},
        status=302,
        n_plus_one="the RSVP reset: services.rsvp_set once per member who answered for the new date",
    ),  # fmt: skip
    Budget("sessions:poll_close", "facilitator", 11, kwargs=_poll, method="post", status=302),
]
