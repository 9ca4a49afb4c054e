"""Demo reflections and follow-ups for the held sessions of a demo group (``seed_demo`` calls ``seed``).

Only sessions that another app's seeder (or a user) marked held get reflections: this seeder never marks a
session held itself. Idempotent: existing reflections and follow-ups are left alone.
"""

import contextlib
import zlib
from datetime import timedelta

from django.utils import timezone

from sessions.models import Presenter, Session

from . import selectors, services
from .models import SCALE_FIELDS, FollowUp
from .services import ReflectionError

TAKEAWAYS = [
    "Eerst doorvragen, dan pas advies geven.",
    "Ik mag vaker zeggen wat ik echt denk.",
    "De vraag achter de vraag zat in mijn eigen twijfel.",
    "",
]


def _score(*parts: int) -> int:
    """A stable, plausible score 2-5 for this session/user/scale."""
    return 2 + zlib.crc32(":".join(map(str, parts)).encode()) % 4


def seed(*, group, users) -> None:
    now = timezone.now()
    sessions = Session.objects.filter(group=group, status=Session.Status.HELD).order_by("starts_at")
    for session in sessions:
        # Write inside the window, even for sessions held long ago.
        when = min(now, selectors.reflection_opens_at(session) + timedelta(hours=3))
        attendees = sorted(selectors.attendee_ids(session))
        presenters = set(Presenter.objects.filter(session=session).values_list("user_id", flat=True))
        for index, user_id in enumerate(attendees):
            user = next((u for u in users.values() if u.pk == user_id), None)
            if user is None:
                continue
            scores = {name: _score(session.pk, user_id, i) for i, name in enumerate(SCALE_FIELDS)}
            takeaway = TAKEAWAYS[(session.pk + index) % len(TAKEAWAYS)]
            with contextlib.suppress(ReflectionError):
                services.reflection_submit(
                    session=session,
                    author=user,
                    scores=scores,
                    takeaway=takeaway,
                    share_takeaway=index % 2 == 0,
                    advice_fit=_score(session.pk, user_id, 9) if user_id in presenters else None,
                    now=when,
                )
        for presenter in Presenter.objects.filter(session=session).select_related("user"):
            due = selectors.followup_due_at(session)
            if due > now or FollowUp.objects.filter(session=session, presenter=presenter.user).exists():
                continue
            services.followup_answer(
                session=session,
                presenter=presenter.user,
                outcome=FollowUp.Outcome.PARTLY,
                what_changed="Ik vraag nu eerst wat de ander zelf al geprobeerd heeft.",
                now=due,
            )
