"""Demo reflections and follow-ups for the held sessions of a demo group (``seed_demo`` calls ``seed``).

Only sessions that another app's seeder (or a user) marked held get reflections: this seeder never marks a
session held itself. The demo's two years of history are bulk-written as the services would have written
them at the time (inside each session's reflection window, as the presenter for the presenter, the round
closed when every attendee answered, the follow-up on its due date); one attendee in seven skips a
reflection. Idempotent: a session with reflections and an answered follow-up are left alone.
"""

import zlib
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from sessions.models import Presenter, Session

from . import selectors
from .models import SCALE_FIELDS, FollowUp, Reflection, ReflectionClosure

TAKEAWAYS = [
    "Eerst doorvragen, dan pas advies geven.",
    "Ik mag vaker zeggen wat ik echt denk.",
    "De vraag achter de vraag zat in mijn eigen twijfel.",
    "",
]


def _score(*parts: int) -> int:
    """A stable, plausible score 2-5 for this session/user/scale."""
    return 2 + zlib.crc32(":".join(map(str, parts)).encode()) % 4


def skips(session_id: int, user_id: int) -> bool:
    """The demo's attendee who did not write a reflection for this session (about one in seven)."""
    return zlib.crc32(f"skip:{session_id}:{user_id}".encode()) % 7 == 0


def _reflections(session: Session, attendees: list[int], presenters: set[int], now) -> list[Reflection]:
    # Written inside the window, even for sessions held long ago.
    when = min(now, selectors.reflection_opens_at(session) + timedelta(hours=3))
    found = []
    for index, user_id in enumerate(attendees):
        if skips(session.pk, user_id):
            continue
        takeaway = TAKEAWAYS[(session.pk + index) % len(TAKEAWAYS)]
        presenting = user_id in presenters
        found.append(
            Reflection(
                session=session,
                author_id=user_id,
                takeaway=takeaway,
                share_takeaway=bool(takeaway) and index % 2 == 0,
                as_presenter=presenting,
                advice_fit=_score(session.pk, user_id, 9) if presenting else None,
                created_at=when + timedelta(minutes=index),
                **{name: _score(session.pk, user_id, i) for i, name in enumerate(SCALE_FIELDS)},
            )
        )
    return found


def seed(*, group, users) -> None:
    now = timezone.now()
    demo_users = {u.pk for u in users.values()}
    written = Reflection.objects.filter(session=OuterRef("pk"))
    sessions = list(
        Session.objects.filter(group=group, status=Session.Status.HELD)
        .exclude(Exists(written))
        .select_related("group")
        .order_by("starts_at")
    )
    reflections, closures = [], []
    for session in sessions:
        attendees = sorted(selectors.attendee_ids(session) & demo_users)
        presenters = set(Presenter.objects.filter(session=session).values_list("user_id", flat=True))
        made = _reflections(session, attendees, presenters, now)
        reflections += made
        if made and len(made) == len(selectors.attendee_ids(session)):
            closures.append(ReflectionClosure(session=session, closed_at=made[-1].created_at))
    Reflection.objects.bulk_create(reflections)
    ReflectionClosure.objects.bulk_create(closures, ignore_conflicts=True)

    answered = FollowUp.objects.filter(session=OuterRef("session"), presenter=OuterRef("user"))
    followups = []
    for presenter in (
        Presenter.objects.filter(session__group=group, session__status=Session.Status.HELD)
        .exclude(Exists(answered))
        .select_related("session__group")
    ):
        due = selectors.followup_due_at(presenter.session)
        if due > now:
            continue
        followups.append(
            FollowUp(
                session=presenter.session,
                presenter_id=presenter.user_id,
                outcome=(FollowUp.Outcome.PARTLY, FollowUp.Outcome.APPLIED, FollowUp.Outcome.NOT_YET)[
                    presenter.session_id % 3
                ],
                what_changed="Ik vraag nu eerst wat de ander zelf al geprobeerd heeft.",
                answered_at=due,
            )
        )
    FollowUp.objects.bulk_create(followups)
