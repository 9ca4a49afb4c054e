"""Intervision in writing: the written page (the casus, the deadlines, the question log, the advice) and
its forms. The scene's written session gets one more question and advice per grow() step (topped up each
time its kwargs are built), so an N+1 over the contributions shows."""

from datetime import timedelta

from django.utils import timezone

from casussen import services, written
from casussen.models import Advice, Casus, Question
from sessions.models import PhaseDeadline

from . import Budget
from .scene import session_in


def _written_session(scene):
    def build():
        session = session_in(scene.group, days=14, presenter_slots=2)
        casus = Casus.objects.create(
            group=scene.group, author=scene.world.member, title="Schriftelijk", kernvraag="Hoe?",
            status="submitted", submitted_at=timezone.now(),
        )  # fmt: skip
        services.casus_book(casus=casus, session=session)
        run = written.written_switch(session=session, format="written")
        line = written.timeline(session)
        target = next(d for d in line.deadlines if d.phase.kind == "questions")
        for offset, deadline in enumerate(
            d for d in line.deadlines if d.phase.position < target.phase.position
        ):
            PhaseDeadline.objects.filter(pk=deadline.pk).update(
                due_at=timezone.now() - timedelta(hours=10 - offset)
            )
        return session, run

    session, run = scene.memo("written", build)
    # the contributions follow the scene's growth: one question and one advice per grown member
    for user in scene.grown[Question.objects.filter(run=run).count() :]:
        Question.objects.create(run=run, author=user, text=f"Schriftelijke vraag {scene.last}?")
        Advice.objects.get_or_create(run=run, author=user, defaults={"text": f"Advies {scene.last}"})
    return session, run


def _page(scene):
    return {"session_id": _written_session(scene)[0].pk}


def _deadline(scene):
    session, _run = _written_session(scene)
    deadline = PhaseDeadline.objects.filter(session=session).order_by("-phase__position").first()
    scene.current["deadline"] = deadline
    return {"session_id": session.pk, "deadline_id": deadline.pk}


def _deadline_data(scene):
    deadline = PhaseDeadline.objects.get(pk=scene.current["deadline"].pk)
    later = timezone.localtime(deadline.due_at + timedelta(minutes=scene.counter()))
    return {f"d{deadline.pk}-due_at": later.strftime("%Y-%m-%dT%H:%M")}


def _fresh_written(scene):
    """A new written session each time (closing one ends it)."""
    session = session_in(scene.group, days=20, presenter_slots=2)
    casus = Casus.objects.create(
        group=scene.group, author=scene.world.member, title=f"Af te ronden {scene.counter()}",
        kernvraag="Hoe?", status="submitted", submitted_at=timezone.now(),
    )  # fmt: skip
    services.casus_book(casus=casus, session=session)
    written.written_switch(session=session, format="written")
    return {"session_id": session.pk}


def _last_question(scene):
    return f"Schriftelijke vraag {scene.last}?"


def _home_with_a_written_round(scene):
    _written_session(scene)  # its question phase is open: the member's home asks for their questions
    return {}


BUDGETS = [
    # home's provider (casussen/written_panels.py) reads the open rounds in four queries whatever their number
    Budget(
        "home",
        "facilitator",
        23,
        kwargs=_home_with_a_written_round,
        label="written-round",
        shows=lambda s: "Schrijf je vragen voor de casus van",
    ),  # fmt: skip
    Budget("casussen:written", "member", 16, kwargs=_page, shows=_last_question),
    Budget("casussen:written", "facilitator", 16, kwargs=_page, label="facilitator", shows=_last_question),
    Budget("casussen:written_setup", "facilitator", 10, kwargs=_page),
    Budget(
        "casussen:written_setup",
        "facilitator",
        30,
        kwargs=_fresh_written,
        method="post",
        data=lambda s: {"format": "written"},
        status=302,
    ),  # fmt: skip
    Budget(
        "casussen:written_deadline",
        "facilitator",
        24,
        kwargs=_deadline,
        method="post",
        data=_deadline_data,
        htmx=True,
    ),  # fmt: skip
    Budget(
        "casussen:written_contribute",
        "facilitator",
        24,
        kwargs=_page,
        method="post",
        data=lambda s: {"text": f"Vraag {s.counter()}?"},
        status=302,
    ),  # fmt: skip
    Budget("casussen:written_close", "facilitator", 44, kwargs=_fresh_written, method="post", status=302),
]
