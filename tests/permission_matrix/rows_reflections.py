"""Reflections are confidential to their group (Need.MEMBER: organisation admins who are not members get a
403); a single reflection is its author's only (everyone else a 404, the facilitator too)."""

from datetime import timedelta

from . import LOGIN, Row, standard

EVERYONE_LOGGED_IN = {"anonymous": LOGIN, "outsider": 200, "member": 200, "facilitator": 200, "admin": 200}
FORMER = {"former_member": 404}
VALID = {
    "usefulness": 4,
    "depth": 3,
    "candor": 4,
    "safety": 5,
    "stayed_intervision": 4,
    "time_well_used": 3,
    "takeaway": "Doorvragen loont",
    "advice_fit": 4,
}


def _session(world, **kwargs):
    from tests.reflections.factories import held_session

    attendees = [world.facilitator, world.member, world.former_member]
    return {"session_id": held_session(world.group, attendees=attendees, presenter=world.member, **kwargs).pk}


def _due_session(world):
    return _session(world, ended_ago=timedelta(weeks=world.group.followup_weeks, days=1))


def _reflection(world):
    from tests.reflections.factories import reflect

    session_id = _session(world)["session_id"]
    from sessions.models import Session

    return {"reflection_id": reflect(Session.objects.get(pk=session_id), world.member).pk}


def _group(world):
    return {"group_id": world.group.pk}


def _author_only(status=200):
    return {"anonymous": LOGIN, "outsider": 404, "member": status, "facilitator": 404, "admin": 404}


ROWS = [
    Row("reflections:session", standard(200, admin=403), kwargs=_session, extra_roles=FORMER),
    Row("reflections:write", standard(200, admin=403), kwargs=_session, extra_roles=FORMER),
    Row(
        "reflections:write",
        standard(302, admin=403),
        kwargs=_session,
        method="post",
        data=lambda w: VALID,
        extra_roles=FORMER,
    ),
    Row(
        "reflections:write",
        standard(400, admin=403),
        kwargs=_session,
        method="post",
        data=lambda w: {**VALID, "depth": 9},
        label="out-of-range",
    ),
    Row(
        "reflections:followup",
        standard(member=200, facilitator=403, admin=403),
        kwargs=_due_session,
        extra_roles=FORMER,
    ),
    Row(
        "reflections:followup",
        standard(member=302, facilitator=403, admin=403),
        kwargs=_due_session,
        method="post",
        data=lambda w: {"outcome": "applied", "what_changed": "Ik vraag eerst door"},
        extra_roles=FORMER,
    ),
    Row("reflections:detail", _author_only(), kwargs=_reflection, extra_roles=FORMER),
    Row("reflections:group", standard(200, admin=403), kwargs=_group, extra_roles=FORMER),
    Row("reflections:health", standard(member=403, view=200, admin=403), kwargs=_group, extra_roles=FORMER),
    Row("reflections:learning_log", EVERYONE_LOGGED_IN),
    Row("reflections:learning_log_csv", EVERYONE_LOGGED_IN),
]
