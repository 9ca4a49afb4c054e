from datetime import timedelta

from django.utils import timezone

from . import LOGIN, Row, standard

EVERYONE_LOGGED_IN = {"anonymous": LOGIN, "outsider": 200, "member": 200, "facilitator": 200, "admin": 200}
FORMER = {"former_member": 404}
MEMBERS_ONLY = standard(200, admin=403)  # RSVPs are confidential to members (Need.MEMBER)


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


def _future_form(world):
    day = timezone.localdate() + timedelta(days=10)
    return {"day": day.isoformat(), "start_time": "14:00", "end_time": "16:30", "presenter_slots": 1}


def _schedule_form(world):
    return {
        "rrule": "FREQ=WEEKLY;INTERVAL=4;BYDAY=TU",
        "first_date": timezone.localdate().isoformat(),
        "start_time": "14:00",
        "duration_minutes": 150,
        "timezone": "Europe/Amsterdam",
        "horizon_months": 6,
    }


def _feed_token(world):
    return {"token": world.member.feed_token}


def _public(status):
    return dict.fromkeys(("anonymous", "outsider", "member", "facilitator", "admin"), status)


ROWS = [
    Row("sessions:mine", EVERYONE_LOGGED_IN),
    Row("sessions:detail", MEMBERS_ONLY, kwargs=_session, extra_roles=FORMER),
    Row(
        "sessions:rsvp",
        standard(302, admin=403),
        kwargs=_session,
        method="post",
        data=lambda w: {"answer": "attend"},
        extra_roles=FORMER,
    ),
    Row(
        "sessions:rsvp",
        standard(302, admin=403),
        kwargs=_session,
        method="post",
        data=lambda w: {"answer": "decline", "decline_reason": "busy"},
        label="decline",
        extra_roles=FORMER,
    ),
    Row("sessions:rsvp", _public(405), kwargs=_session, label="get-not-allowed"),
    Row(
        "sessions:presenter_claim",
        standard(302, admin=403),
        kwargs=_session,
        method="post",
        extra_roles=FORMER,
    ),
    Row(
        "sessions:presenter_release",
        standard(302, admin=403),
        kwargs=_claimed_session,
        method="post",
        extra_roles=FORMER,
    ),
    Row("sessions:download", MEMBERS_ONLY, kwargs=_session, extra_roles=FORMER),
    Row("sessions:edit", standard(200, member=403), kwargs=_session, extra_roles=FORMER),
    Row(
        "sessions:edit",
        standard(302, member=403),
        kwargs=_session,
        method="post",
        data=_future_form,
        extra_roles=FORMER,
    ),
    Row("sessions:cancel", standard(200, member=403), kwargs=_session, extra_roles=FORMER),
    Row(
        "sessions:cancel",
        standard(302, member=403),
        kwargs=_session,
        method="post",
        data=lambda w: {"reason": "De begeleider is ziek."},
        extra_roles=FORMER,
    ),
    Row("sessions:group_schedule", standard(200, member=403), kwargs=_group, extra_roles=FORMER),
    Row(
        "sessions:group_schedule",
        standard(302, member=403),
        kwargs=_group,
        method="post",
        data=_schedule_form,
        extra_roles=FORMER,
    ),
    Row("sessions:new", standard(200, member=403), kwargs=_group, extra_roles=FORMER),
    Row(
        "sessions:new",
        standard(302, member=403),
        kwargs=_group,
        method="post",
        data=_future_form,
        extra_roles=FORMER,
    ),
    Row("sessions:feed_settings", EVERYONE_LOGGED_IN),
    Row("sessions:feed_regenerate", {**_public(302), "anonymous": LOGIN}, method="post"),
    Row("sessions:feed_regenerate", _public(405), label="get-not-allowed"),
    # The feed is public: the secret token in the URL is the key (calendar apps cannot log in).
    Row("sessions:feed", _public(200), kwargs=_feed_token),
    Row("sessions:feed", _public(404), kwargs=lambda w: {"token": "not-a-token"}, label="bad-token"),
]
