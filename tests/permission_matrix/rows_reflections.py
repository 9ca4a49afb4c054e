"""Reflections are confidential to their group (Need.MEMBER: organisation admins who are not members get a
403); a single reflection is its author's only (everyone else a 404, the facilitator too)."""

from datetime import timedelta

from tests.reflections.factories import REFLECTION_FORM

from . import LOGIN, Row, logged_in, markers, public, standard

EVERYONE_LOGGED_IN = logged_in(200)
VALID = {**REFLECTION_FORM, "advice_fit": 4}


def _session(world, **kwargs):
    from tests.sessions.factories import held_session

    attendees = [world.facilitator, world.member, world.former_member]
    return {
        "session_id": held_session(world.group, present=attendees, presenters=[world.member], **kwargs).pk
    }


def _due_session(world):
    return _session(world, ended_ago=timedelta(weeks=world.group.followup_weeks, days=1))


def _marked_reflection(world):
    return {"reflection_id": markers.marked(world)["reflection"].pk}


def _group(world):
    return {"group_id": world.group.pk}


def _author_only(status=200):
    return {**public(404), "anonymous": LOGIN, "member": status}


ROWS = [
    Row("reflections:session", standard(200, admin=403), kwargs=_session),
    Row("reflections:write", standard(200, admin=403), kwargs=_session),
    Row(
        "reflections:write",
        standard(302, admin=403),
        kwargs=_session,
        method="post",
        data=lambda w: VALID,
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
    ),
    Row(
        "reflections:followup",
        standard(member=302, facilitator=403, admin=403),
        kwargs=_due_session,
        method="post",
        data=lambda w: {"outcome": "applied", "what_changed": "Ik vraag eerst door"},
    ),
    Row("reflections:detail", _author_only(), kwargs=_marked_reflection, shows=("reflection",)),
    Row("reflections:group", standard(200, admin=403), kwargs=_group),
    Row("reflections:health", standard(member=403, view=200, admin=403), kwargs=_group),
    # One's own takeaways: the member reads theirs, nobody else does.
    Row("reflections:learning_log", EVERYONE_LOGGED_IN, shows=("reflection",)),
    Row("reflections:learning_log_csv", EVERYONE_LOGGED_IN, shows=("reflection",)),
]
