"""Intervision in writing (casussen/written_views.py): the written page shows the casus text and the
contributions, so it is the current members' only (organisation admins who are not members get a 403,
everyone outside the group a 404); switching, moving a deadline and closing are the facilitators'."""

from datetime import timedelta

from django.utils import timezone

from . import Row, markers, standard

MEMBERS_ONLY = standard(200, admin=403)
FACILITATOR_ONLY = standard(200, member=403, admin=403)
FACILITATOR_POST = standard(302, member=403, admin=403)


def _coming_session(world):
    from tests.sessions.factories import SessionFactory

    start = (timezone.now() + timedelta(days=14)).replace(second=0, microsecond=0)
    return SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))


def _written(world):
    """A written session with the marked casus (the member's) booked on it."""
    from casussen import services, written

    session = _coming_session(world)
    services.casus_book(casus=markers.marked(world)["casus"], session=session)
    run = written.written_switch(session=session, format="written")
    world.extra["run"] = run
    return {"session_id": session.pk}


def _with_booked(world):
    from tests.casussen.factories import booked_casus
    from tests.factories import MembershipFactory

    session = _coming_session(world)
    booked_casus(session=session, author=MembershipFactory(group=world.group).user)
    return {"session_id": session.pk}


def _deadline(world):
    from sessions.models import PhaseDeadline

    kwargs = _written(world)
    deadline = (
        PhaseDeadline.objects.filter(session_id=kwargs["session_id"]).order_by("phase__position").first()
    )
    world.extra["deadline"] = deadline
    return {**kwargs, "deadline_id": deadline.pk}


def _deadline_data(world):
    deadline = world.extra["deadline"]
    later = timezone.localtime(deadline.due_at + timedelta(hours=1))
    return {f"d{deadline.pk}-due_at": later.strftime("%Y-%m-%dT%H:%M")}


def _question_phase(world):
    """A written session of another member's casus whose question phase is open."""
    from casussen import written
    from sessions.models import PhaseDeadline, Session

    kwargs = _with_booked(world)
    session = Session.objects.get(pk=kwargs["session_id"])
    written.written_switch(session=session, format="written")
    line = written.timeline(session)
    target = next(d for d in line.deadlines if d.phase.kind == "questions")
    earlier = [d.pk for d in line.deadlines if d.phase.position < target.phase.position]
    for offset, pk in enumerate(earlier):
        PhaseDeadline.objects.filter(pk=pk).update(due_at=timezone.now() - timedelta(hours=10 - offset))
    return kwargs


def _unchanged_unless_facilitator(world, role, response):
    from casussen.models import LiveRun

    run = LiveRun.objects.get(pk=world.extra["run"].pk)
    assert (run.finished_at is not None) == (role == "facilitator"), role


ROWS = [
    Row("casussen:written", MEMBERS_ONLY, kwargs=_written, shows=("casus_title", "kernvraag", "situatie")),
    Row("casussen:written_setup", FACILITATOR_ONLY, kwargs=_with_booked),
    Row(
        "casussen:written_setup",
        FACILITATOR_POST,
        kwargs=_with_booked,
        method="post",
        data=lambda w: {"format": "written"},
    ),
    Row("casussen:written_deadline", FACILITATOR_POST, kwargs=_deadline, method="post", data=_deadline_data),
    Row(
        "casussen:written_contribute",
        standard(302, admin=403),
        kwargs=_question_phase,
        method="post",
        data=lambda w: {"text": "Wat maakt dit lastig voor je?"},
    ),
    Row(
        "casussen:written_close",
        FACILITATOR_POST,
        kwargs=_written,
        method="post",
        check=_unchanged_unless_facilitator,
    ),
]
