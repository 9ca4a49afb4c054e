from datetime import timedelta

from django.utils import timezone

from sessions.models import Schedule
from tests.sessions.factories import schedule_confirm_data, schedule_form_data, session_form_data

from . import LOGIN, Row, logged_in, markers, public, standard

EVERYONE_LOGGED_IN = logged_in(200)
MEMBERS_ONLY = standard(200, admin=403)  # RSVPs are confidential to members (Need.MEMBER)


def _nothing_scheduled(world, role, response):
    """The preview stores nothing, for whoever asked."""
    assert not Schedule.objects.filter(group=world.group).exists()


def _session(world):
    from tests.sessions.factories import SessionFactory

    return {"session_id": SessionFactory(group=world.group).pk}


def _claimed_session(world):
    """A session in which every logged-in role that may claim holds a slot (so releasing is a real act)."""
    from sessions.models import Presenter
    from tests.sessions.factories import SessionFactory

    session = SessionFactory(group=world.group, presenter_slots=2)
    Presenter.objects.create(session=session, user=world.member, slot=1)
    Presenter.objects.create(session=session, user=world.facilitator, slot=2)
    return {"session_id": session.pk}


def _group(world):
    return {"group_id": world.group.pk}


def _marked_session(world):
    return {"session_id": markers.marked(world)["session"].pk}


def _session_with_casus_and_decline(world):
    """The marked session with the marked casus booked on it and a peer's decline with a note."""
    from casussen import services
    from sessions.models import RSVP
    from tests.factories import MembershipFactory

    marked = markers.marked(world)
    session = marked["session"]
    if marked["casus"].session_id is None:
        services.casus_book(casus=marked["casus"], session=session)
        peer = MembershipFactory(group=world.group).user
        RSVP.objects.create(
            session=session,
            user=peer,
            answer=RSVP.Answer.DECLINE,
            decline_reason=RSVP.Reason.OTHER,
            decline_note=markers.text("decline_note"),
        )
    return {"session_id": session.pk}


def _held_session(world):
    return {"session_id": markers.marked(world)["held"].pk}


def _feed_token(world):
    return {"token": world.member.feed_token}


def _past_session(world):
    from tests.sessions.factories import SessionFactory

    start = timezone.now() - timedelta(days=1)
    return {
        "session_id": SessionFactory(
            group=world.group, starts_at=start, ends_at=start + timedelta(hours=2)
        ).pk
    }


def _attendance_data(world):
    start = timezone.localtime(timezone.now() - timedelta(days=1))
    return {
        "started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "break_minutes": "10",
        f"status_{world.member.pk}": "present",
        f"status_{world.facilitator.pk}": "present",
    }


def _held_only_by_facilitator(world, role, response):
    from django.urls import resolve

    from sessions.models import Session

    session = Session.objects.get(pk=resolve(response.request["PATH_INFO"]).kwargs["session_id"])
    assert (session.status == Session.Status.HELD) == (role == "facilitator")


def _role_session(world):
    """A planned session whose tijdbewaker is the member (chosen) and a peer to hand it to."""
    from sessions.models import SessionRole
    from tests.factories import MembershipFactory
    from tests.sessions.factories import SessionFactory

    session = SessionFactory(group=world.group)
    world.extra["role_peer"] = MembershipFactory(group=world.group).user
    SessionRole.objects.create(
        session=session, key="tijdbewaker", name_nl="Tijdbewaker", name_en="Timekeeper", user=world.member
    )
    return {"session_id": session.pk}


def _role_unchanged_unless_allowed(world, role, response):
    """A refused change leaves the member holding the role."""
    from sessions.models import SessionRole

    holder = SessionRole.objects.get(key="tijdbewaker", session__group=world.group).user
    assert (holder == world.extra["role_peer"]) == (role in ("member", "facilitator"))


def _notulist_unchanged(world, role, response):
    from sessions.models import SessionRole

    assert (
        not SessionRole.objects.filter(key="notulist", session__group=world.group)
        .exclude(user=world.facilitator)
        .exists()
    )


ROWS = [
    Row("sessions:mine", EVERYONE_LOGGED_IN),
    Row("sessions:detail", MEMBERS_ONLY, kwargs=_marked_session, shows=("location", "group", "parked")),
    # The one session page with the booked casus (title and kernvraag for members only) and a peer's decline
    # note (for the facilitator only).
    Row(
        "sessions:detail",
        MEMBERS_ONLY,
        kwargs=_session_with_casus_and_decline,
        label="casus",
        shows=("location", "casus_title", "kernvraag", "decline_note"),
    ),
    Row("sessions:detail", MEMBERS_ONLY, kwargs=_held_session, label="held", shows=("group",)),
    Row(
        "sessions:rsvp",
        standard(302, admin=403),
        kwargs=_session,
        method="post",
        data=lambda w: {"answer": "attend"},
    ),
    Row(
        "sessions:rsvp",
        standard(302, admin=403),
        kwargs=_session,
        method="post",
        data=lambda w: {"answer": "decline", "decline_reason": "busy"},
        label="decline",
    ),
    Row("sessions:rsvp", public(405), kwargs=_session, label="get-not-allowed"),
    Row(
        "sessions:presenter_claim",
        standard(302, admin=403),
        kwargs=_session,
        method="post",
    ),
    Row(
        "sessions:presenter_release",
        standard(302, admin=403),
        kwargs=_claimed_session,
        method="post",
    ),
    Row(
        "sessions:role_set",
        standard(302, admin=403),
        kwargs=_role_session,
        method="post",
        data=lambda w: {"role": "tijdbewaker", "to": w.extra["role_peer"].pk},
        check=_role_unchanged_unless_allowed,
    ),
    # A role somebody else holds: only the facilitator may give it away (the member is refused, 409).
    Row(
        "sessions:role_set",
        standard(302, member=409, admin=403),
        kwargs=_role_session,
        method="post",
        data=lambda w: {"role": "notulist", "to": w.facilitator.pk},
        label="not-yours",
        check=_notulist_unchanged,
    ),
    Row("sessions:role_set", public(405), kwargs=_role_session, label="get-not-allowed"),
    Row("sessions:download", MEMBERS_ONLY, kwargs=_marked_session, shows=("location", "group")),
    Row("sessions:download", MEMBERS_ONLY, kwargs=_marked_session, method="head"),
    Row("sessions:edit", standard(200, member=403), kwargs=_session),
    Row(
        "sessions:edit",
        standard(302, member=403),
        kwargs=_session,
        method="post",
        data=lambda _: session_form_data(),
    ),
    Row("sessions:cancel", standard(200, member=403), kwargs=_session),
    Row(
        "sessions:cancel",
        standard(302, member=403),
        kwargs=_session,
        method="post",
        data=lambda w: {"reason": "De begeleider is ziek."},
    ),
    Row("sessions:group_schedule", standard(200, member=403), kwargs=_group),
    Row(
        "sessions:group_schedule",
        standard(200, member=403),
        kwargs=_group,
        method="post",
        data=lambda _: schedule_form_data(),
        label="preview",
        check=_nothing_scheduled,
    ),
    Row(
        "sessions:group_schedule",
        standard(302, member=403),
        kwargs=_group,
        method="post",
        data=lambda w: schedule_confirm_data(w.group),
        label="confirm",
    ),
    # Who brought a casus when: the group's active members (and its facilitators), not an admin outside it.
    Row("sessions:group_load", MEMBERS_ONLY, kwargs=_group, shows=("group",)),
    Row("sessions:new", standard(200, member=403), kwargs=_group),
    Row(
        "sessions:new",
        standard(302, member=403),
        kwargs=_group,
        method="post",
        data=lambda _: session_form_data(),
    ),
    Row("sessions:feed_settings", EVERYONE_LOGGED_IN),
    Row("sessions:feed_regenerate", {**public(302), "anonymous": LOGIN}, method="post"),
    Row("sessions:feed_regenerate", public(405), label="get-not-allowed"),
    # The feed is public: the secret token in the URL is the key (calendar apps cannot log in).
    Row("sessions:feed", public(200), kwargs=_feed_token, seen_as="member", shows=("location", "group")),
    Row("sessions:feed", public(404), kwargs=lambda w: {"token": "not-a-token"}, label="bad-token"),
    Row("sessions:feed", public(200), kwargs=_feed_token, method="head", seen_as="member"),
    Row("sessions:feed", public(405), kwargs=_feed_token, method="post", label="post-not-allowed"),
    Row("sessions:attendance", standard(200, member=403, admin=403), kwargs=_past_session, shows=("group",)),
    Row(
        "sessions:attendance",
        standard(302, member=403, admin=403),
        kwargs=_past_session,
        method="post",
        data=_attendance_data,
        check=_held_only_by_facilitator,
    ),
]


# --- the date poll (sessions/poll_views.py) ----------------------------------------------------------------


def _poll(world) -> dict:
    """An open date poll for a session of the group two days ahead (made once per world)."""
    if "poll" not in world.extra:
        from sessions import polls
        from tests.sessions.factories import SessionFactory

        start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
        session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
        world.extra["poll"] = polls.poll_open(
            group=world.group,
            created_by=world.facilitator,
            session=session,
            moments=[start + timedelta(days=7), start + timedelta(days=8)],
        )
    poll = world.extra["poll"]
    return {"group_id": world.group.pk, "poll_id": poll.pk}


def _poll_option(world) -> dict:
    kwargs = _poll(world)
    return {**kwargs, "option_id": world.extra["poll"].options.order_by("position").first().pk}


def _poll_confirm_data(world) -> dict:
    return {"option": world.extra["poll"].options.order_by("position").first().pk}


def _poll_open_unless_facilitator(world, role, response):
    """A refused confirm or close leaves the poll open and the session where it was."""
    from sessions.models import DatePoll

    poll = DatePoll.objects.get(pk=world.extra["poll"].pk)
    assert (poll.closed_at is None) == (role != "facilitator")


def _weekday_poll_data(world) -> dict:
    return {"weekday_1": "1", "time_1": "14:00", "weekday_2": "3", "time_2": "09:30"}


def _no_weekday_poll_unless_facilitator(world, role, response):
    from sessions.models import DatePoll

    assert DatePoll.objects.filter(group=world.group).exists() == (role == "facilitator")


FACILITATORS_ONLY = standard(200, member=403, admin=403)  # Need.FACILITATE: not organisation admins

ROWS += [
    Row("sessions:poll_new", FACILITATORS_ONLY, kwargs=_group),
    Row(
        "sessions:poll_new",
        standard(302, member=403, admin=403),
        kwargs=_group,
        method="post",
        data=_weekday_poll_data,
        label="weekdays",
        check=_no_weekday_poll_unless_facilitator,
    ),
    Row("sessions:poll", MEMBERS_ONLY, kwargs=_poll, shows=("group",)),
    Row(
        "sessions:poll_answer",
        standard(302, admin=403),
        kwargs=_poll_option,
        method="post",
        data=lambda w: {"answer": "yes"},
    ),
    Row("sessions:poll_answer", public(405), kwargs=_poll_option, label="get-not-allowed"),
    Row(
        "sessions:poll_confirm",
        standard(302, member=403, admin=403),
        kwargs=_poll,
        method="post",
        data=_poll_confirm_data,
        check=_poll_open_unless_facilitator,
    ),
    Row("sessions:poll_confirm", public(405), kwargs=_poll, label="get-not-allowed"),
    Row(
        "sessions:poll_close",
        standard(302, member=403, admin=403),
        kwargs=_poll,
        method="post",
        check=_poll_open_unless_facilitator,
    ),
    Row("sessions:poll_close", public(405), kwargs=_poll, label="get-not-allowed"),
]
