"""Casussen: queue, intake, detail, booking and votes, the session agenda and the live guide."""

from django.utils import timezone

from casussen import services
from casussen.models import Casus, Question
from sessions.models import RSVP

from . import Budget
from .scene import session_in

CASUS_DATA = {"title": "Titel", "kernvraag": "Hoe kan ik rustig blijven?", "wish": "advice"}


def _group(scene):
    return {"group_id": scene.group.pk}


def _casus(scene, *, author=None, status="submitted") -> Casus:
    return Casus.objects.create(
        group=scene.group,
        author=author or scene.world.member,
        title=f"Casus {scene.counter()}",
        kernvraag="Hoe?",
        status=status,
        submitted_at=None if status == "draft" else timezone.now(),
    )


def _book_session(scene):
    return scene.memo("book_session", lambda: session_in(scene.group, days=10, presenter_slots=6))


def _fresh_draft(scene):
    return {"casus_id": _casus(scene, status="draft").pk}


def _fresh_submitted(scene):
    return {"casus_id": _casus(scene).pk}


def _fresh_others(scene):
    return {"casus_id": _casus(scene, author=scene.world.facilitator).pk}


def _fresh_booked(scene):
    session = session_in(scene.group, days=10, presenter_slots=2)
    return {"casus_id": services.casus_book(casus=_casus(scene), session=session).pk}


def _last_queued(scene):
    return f"Wachtrij {scene.last}"


def _last_question(scene):
    return f"Vraag {scene.last}?"


def _running(scene):
    return {"session_id": scene.running.pk}


def _fresh_booked_session(scene):
    session = session_in(scene.group, days=0.01, facilitator=scene.world.facilitator)
    RSVP.objects.bulk_create(
        [RSVP(session=session, user=u, answer="attend") for u in (scene.world.member, *scene.grown)]
    )
    scene.current["casus"] = services.casus_book(casus=_casus(scene), session=session)
    return {"session_id": session.pk}


def _held_casus(scene):
    return {"casus_id": scene.held_casus.pk} if scene.held else {}


def _question_for_presenter(scene):
    session = scene.running  # the member presents
    question = Question.objects.create(run=scene.run, author=scene.world.facilitator, text="Wat?")
    return {"session_id": session.pk, "question_id": question.pk}


def _advance_casus(scene):
    """A casus of the facilitator booked on a session the member declined (casussen/advance.py)."""

    def build():
        session = session_in(scene.group, days=10, presenter_slots=2)
        RSVP.objects.create(session=session, user=scene.world.member, answer="decline", decline_reason="busy")
        return services.casus_book(casus=_casus(scene, author=scene.world.facilitator), session=session)

    return {"casus_id": scene.memo("advance_casus", build).pk}


BUDGETS = [
    Budget("casussen:advance", "member", 10, kwargs=_advance_casus),
    Budget(
        "casussen:advance",
        "member",
        22,
        kwargs=_advance_casus,
        method="post",
        data=lambda s: {"questions": "Wat maakt dit lastig?", "advice": "Bel haar."},
        status=302,
    ),  # fmt: skip
    Budget("casussen:queue", "member", 12, kwargs=_group, shows=_last_queued),
    Budget("casussen:queue", "facilitator", 12, kwargs=_group, label="facilitator", shows=_last_queued),
    Budget("casussen:history", "member", 9, kwargs=_group, shows=lambda s: f"Besproken {s.last}"),
    Budget("casussen:create", "member", 8, kwargs=_group),
    Budget(
        "casussen:create", "member", 30, kwargs=_group, method="post", data=lambda s: CASUS_DATA, status=302
    ),
    Budget(
        "casussen:autosave", "member", 30, kwargs=_group, method="post", data=lambda s: CASUS_DATA, htmx=True
    ),
    Budget("casussen:detail", "member", 14, kwargs=lambda s: {"casus_id": s.casus.pk}),
    Budget(
        "casussen:detail",
        "member",
        13,
        kwargs=_held_casus,
        label="discussed",
        shows=lambda s: f"Advies {s.last}",
    ),
    Budget("casussen:edit", "member", 8, kwargs=lambda s: {"casus_id": s.draft.pk}),
    Budget("casussen:submit", "member", 28, kwargs=_fresh_draft, method="post", status=302),
    Budget(
        "casussen:book",
        "facilitator",
        15,
        kwargs=_fresh_submitted,
        method="post",
        status=302,
        data=lambda s: {"session": _book_session(s).pk},
    ),  # fmt: skip
    Budget("casussen:unbook", "facilitator", 29, kwargs=_fresh_booked, method="post", status=302),
    Budget(
        "casussen:vote",
        "member",
        16,
        kwargs=_fresh_others,
        method="post",
        status=302,
        data=lambda s: {"session": s.upcoming.pk},
    ),  # fmt: skip
    Budget("casussen:summary", "member", 8, kwargs=_held_casus),
    # The old address of the session page: a permanent redirect to sessions:detail.
    Budget("casussen:session", "member", 2, kwargs=lambda s: {"session_id": s.upcoming.pk}, status=301),
    Budget("casussen:session_method", "facilitator", 9, kwargs=lambda s: {"session_id": s.upcoming.pk}),
    Budget(
        "casussen:session_method",
        "facilitator",
        26,
        kwargs=lambda s: {"session_id": s.upcoming.pk},
        method="post",
        data=lambda s: {"method": ""},
        status=302,
    ),  # fmt: skip
    # The page (not the poll) also names who has which role (sessions.roles.role_holders: seven).
    Budget("casussen:live", "member", 19, kwargs=_running, shows=_last_question),
    Budget("casussen:live", "facilitator", 19, kwargs=_running, label="facilitator", shows=_last_question),
    # The database path (the version asked for is not current); the zero-query answer from Redis for an
    # unchanged poll is tested in tests/casussen/test_live_stamp.py (marked redis).
    Budget(
        "casussen:poll",
        "member",
        12,
        kwargs=_running,
        data=lambda s: {"v": "0"},
        htmx=True,
        shows=_last_question,
    ),  # fmt: skip
    Budget(
        "casussen:live_start",
        "facilitator",
        21,
        kwargs=_fresh_booked_session,
        method="post",
        htmx=True,
        data=lambda s: {"casus": s.current["casus"].pk},
    ),  # fmt: skip
    Budget(
        "casussen:live_step",
        "facilitator",
        19,
        kwargs=_running,
        method="post",
        htmx=True,
        data=lambda s: {"action": "extend"},
    ),  # fmt: skip
    Budget(
        "casussen:question_add",
        "facilitator",
        22,
        kwargs=_running,
        method="post",
        htmx=True,
        data=lambda s: {"text": "Wat maakt dit lastig voor je?"},
    ),  # fmt: skip
    Budget(
        "casussen:question_mark",
        "member",
        17,
        kwargs=_question_for_presenter,
        method="post",
        htmx=True,
        data=lambda s: {"opened_eyes": "1"},
    ),  # fmt: skip
    Budget(
        "casussen:advice_add",
        "facilitator",
        24,
        kwargs=_running,
        method="post",
        htmx=True,
        data=lambda s: {"text": "Bel de ouder morgen terug."},
    ),  # fmt: skip
    Budget(
        "casussen:parked_add",
        "member",
        22,
        kwargs=_running,
        method="post",
        htmx=True,
        data=lambda s: {"text": "Roostervraag"},
    ),  # fmt: skip
]
