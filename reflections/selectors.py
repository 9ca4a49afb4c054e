"""Reads of reflections and follow-ups. The privacy rules live here; views, dashboards and notifications
read through these functions and never query ``Reflection`` scores themselves.

How aggregates stay anonymous
-----------------------------
The smallest unit ever disclosed is a *published session aggregate*: the answers of one whole held
session, shown only when

* the session's set of answers is final (every attendee answered, or the 14-day window has passed: after
  that nobody can add, change or withdraw an answer), and
* it holds at least ``MIN_ANSWERS`` (3) answers.

Every larger view (a group, a period, a trend) is a sum of published session aggregates only; sessions
with fewer answers, or still open, are left out entirely. There is no filter by member. So the difference
of any two views, overlapping or taken at different times, is again a sum of whole published sessions of
at least 3 answers each: one answer can never be isolated by subtracting views.

Public API for other apps (dashboards, notifications)
-----------------------------------------------------
* ``session_aggregates(session_ids) -> dict[session_id, Aggregate | None]``, and
  ``session_publications(session_ids)`` with the number of answers and why an aggregate is withheld
* ``group_aggregates(group, *, sessions) -> Aggregate | None``
* ``reflection_opens_at(session)``, ``reflection_closes_at(session)``,
  ``reflection_pending_user_ids(session)``
* ``followup_due_at(session)``, ``followup_pending(session)``
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from groups.models import Group
from sessions.models import Attendance, Presenter, Session

from .models import SCALE_FIELDS, SCALES, FollowUp, Reflection, ReflectionClosure

MIN_ANSWERS = 3
REFLECTION_WINDOW = timedelta(days=14)
WAS_THERE = (Attendance.Status.PRESENT, Attendance.Status.LATE)


@dataclass(frozen=True)
class Aggregate:
    """Mean scores over ``answers`` reflections of ``sessions`` whole sessions (never fewer than 3)."""

    answers: int
    sessions: int
    sums: dict[str, int]

    def mean(self, field: str) -> float:
        return self.sums[field] / self.answers

    @property
    def means(self) -> dict[str, float]:
        return {name: self.mean(name) for name in SCALE_FIELDS}

    def rows(self) -> list[tuple[str, float]]:
        """(label, mean) per scale, in form order, for templates."""
        return [(label, self.mean(name)) for name, label in SCALES]

    def __add__(self, other: "Aggregate") -> "Aggregate":
        return Aggregate(
            answers=self.answers + other.answers,
            sessions=self.sessions + other.sessions,
            sums={name: self.sums[name] + other.sums[name] for name in SCALE_FIELDS},
        )


# --- the reflection window --------------------------------------------------------------------------


def reflection_opens_at(session: Session) -> datetime:
    """Reflections open when the session was held; we count from its (registered) end."""
    return session.actual_ended_at or session.ends_at


def reflection_closes_at(session: Session) -> datetime:
    return reflection_opens_at(session) + REFLECTION_WINDOW


def attendee_ids(session: Session) -> set[int]:
    return set(
        Attendance.objects.filter(session=session, status__in=WAS_THERE).values_list("user_id", flat=True)
    )


def attended_session_ids(user, session_ids: Iterable[int]) -> set[int]:
    """Of these sessions, those ``user`` attended (present or late). One query."""
    return set(
        Attendance.objects.filter(
            session_id__in=list(session_ids), user=user, status__in=WAS_THERE
        ).values_list("session_id", flat=True)
    )


def reflection_is_closed(session: Session, *, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if reflection_closes_at(session) <= now:
        return True
    return ReflectionClosure.objects.filter(session=session).exists()


def reflection_pending_user_ids(session: Session, *, now: datetime | None = None) -> set[int]:
    """Attendees who may still write a reflection (for the request and reminder emails)."""
    if session.status != Session.Status.HELD or reflection_is_closed(session, now=now):
        return set()
    written = set(Reflection.objects.filter(session=session).values_list("author_id", flat=True))
    return attendee_ids(session) - written


def is_presenter(session: Session, user) -> bool:
    return Presenter.objects.filter(session=session, user=user).exists()


# --- aggregates -------------------------------------------------------------------------------------


def _session_figures(session_ids: Iterable[int]) -> QuerySet:
    closed_early = ReflectionClosure.objects.filter(session=OuterRef("pk"))
    return (
        Session.objects.filter(pk__in=list(session_ids), status=Session.Status.HELD)
        .annotate(
            answers=Count("reflections"),
            closed_early=Exists(closed_early),
            **{f"sum_{name}": Sum(f"reflections__{name}") for name in SCALE_FIELDS},
        )
        .values(
            "pk", "ends_at", "actual_ended_at", "answers", "closed_early", *(f"sum_{n}" for n in SCALE_FIELDS)
        )
    )


class Withheld(StrEnum):
    """Why a session's aggregate is not shown (yet)."""

    TOO_FEW = "too_few"  # fewer than MIN_ANSWERS answers
    OPEN = "open"  # enough answers, but the round is still open (answers may still come or change)


@dataclass(frozen=True)
class Publication:
    """A session's reflections as the group may see them: the number of answers, and either the
    published aggregate or why it is withheld (with ``closes_at``, when an open round ends)."""

    answers: int
    aggregate: Aggregate | None
    withheld: Withheld | None
    closes_at: datetime | None


def withheld_reason(*, answers: int, is_final: bool) -> Withheld | None:
    """The publication rule, the one place it is decided: at least ``MIN_ANSWERS`` answers in a final
    round."""
    if answers < MIN_ANSWERS:
        return Withheld.TOO_FEW
    if not is_final:
        return Withheld.OPEN
    return None


def _publication(row: dict, now: datetime) -> Publication:
    closes_at = (row["actual_ended_at"] or row["ends_at"]) + REFLECTION_WINDOW
    is_final = row["closed_early"] or closes_at <= now
    withheld = withheld_reason(answers=row["answers"], is_final=is_final)
    aggregate = None
    if withheld is None:
        aggregate = Aggregate(
            answers=row["answers"], sessions=1, sums={name: row[f"sum_{name}"] for name in SCALE_FIELDS}
        )
    return Publication(
        answers=row["answers"],
        aggregate=aggregate,
        withheld=withheld,
        closes_at=None if is_final else closes_at,
    )


NOT_HELD = Publication(answers=0, aggregate=None, withheld=Withheld.TOO_FEW, closes_at=None)


def session_publications(
    session_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, Publication]:
    """Each session's ``Publication`` (a session not held: no answers, withheld as too few). One query
    whatever the number of sessions."""
    now = now or timezone.now()
    ids = list(session_ids)
    result = dict.fromkeys(ids, NOT_HELD)
    for row in _session_figures(ids):
        result[row["pk"]] = _publication(row, now)
    return result


def session_aggregates(
    session_ids: Iterable[int], *, now: datetime | None = None
) -> dict[int, Aggregate | None]:
    """The published aggregate of each session, or None (withheld: see ``session_publications``). One
    query whatever the number of sessions."""
    return {
        pk: publication.aggregate for pk, publication in session_publications(session_ids, now=now).items()
    }


def group_aggregates(
    group: Group, *, sessions: Iterable[Session] | QuerySet | None = None, now: datetime | None = None
) -> Aggregate | None:
    """The aggregate of ``group`` over whole ``sessions`` (default: all its held sessions), summing only
    published session aggregates. None when no session qualifies."""
    if sessions is None:
        sessions = Session.objects.filter(group=group, status=Session.Status.HELD)
    if isinstance(sessions, QuerySet):
        ids = list(sessions.filter(group=group).values_list("pk", flat=True))
    else:
        ids = [s.pk for s in sessions if s.group_id == group.pk]
    return sum_published(session_aggregates(ids, now=now).values())


def sum_published(aggregates: Iterable[Aggregate | None]) -> Aggregate | None:
    """The sum of the published session aggregates among these (None entries are left out)."""
    total = None
    for aggregate in aggregates:
        if aggregate is not None:
            total = aggregate if total is None else total + aggregate
    return total


def held_sessions(group: Group, *, start: date | None = None, end: date | None = None) -> QuerySet[Session]:
    """Held sessions of the group, newest first; ``start``/``end`` are local dates (inclusive) and select
    whole sessions by their start."""
    qs = Session.objects.filter(group=group, status=Session.Status.HELD)
    if start:
        qs = qs.filter(starts_at__date__gte=start)
    if end:
        qs = qs.filter(starts_at__date__lte=end)
    return qs.order_by("-starts_at")


def session_reflection_counts(session_ids: Iterable[int]) -> dict[int, int]:
    rows = (
        Reflection.objects.filter(session_id__in=list(session_ids))
        .values("session_id")
        .annotate(n=Count("pk"))
        .values_list("session_id", "n")
    )
    return dict(rows)


def shared_takeaways(session: Session, *, now: datetime | None = None) -> list[str]:
    """Takeaways whose authors ticked "deel met de groep": text only, no names, in a fixed neutral order
    (alphabetical) so the order tells nothing about who wrote when. Only once the session's aggregate is
    published (the same rule as the scores: final and at least 3 answers); before that, none, so a single
    answer's text is never shown next to "1 reflectie ingevuld"."""
    if session_aggregates([session.pk], now=now)[session.pk] is None:
        return []
    return sorted(
        Reflection.objects.filter(session=session, share_takeaway=True)
        .exclude(takeaway="")
        .values_list("takeaway", flat=True)
    )


def own_reflection(session: Session, user) -> Reflection | None:
    return Reflection.objects.filter(session=session, author=user).first()


# --- follow-up --------------------------------------------------------------------------------------


def followup_due_at(session: Session) -> datetime:
    return reflection_opens_at(session) + timedelta(weeks=session.group.followup_weeks)


def followup_pending(session: Session) -> list[Presenter]:
    """Presenters of a held session who have not answered the follow-up yet (for the request email)."""
    if session.status != Session.Status.HELD:
        return []
    answered = FollowUp.objects.filter(session=session, presenter=OuterRef("user"))
    return list(Presenter.objects.filter(session=session).exclude(Exists(answered)).select_related("user"))


@dataclass(frozen=True)
class YieldSummary:
    due: int  # follow-ups that are due (presenters of held sessions past the follow-up date)
    answered: int
    applied: int  # applied or partly applied

    @property
    def rate(self) -> float | None:
        return self.answered / self.due if self.due else None


def group_yield(group: Group, *, now: datetime | None = None) -> YieldSummary:
    now = now or timezone.now()
    weeks = timedelta(weeks=group.followup_weeks)
    presenters = Presenter.objects.filter(session__group=group, session__status=Session.Status.HELD).filter(
        Q(session__actual_ended_at__isnull=False, session__actual_ended_at__lte=now - weeks)
        | Q(session__actual_ended_at__isnull=True, session__ends_at__lte=now - weeks)
    )
    answered = FollowUp.objects.filter(session=OuterRef("session"), presenter=OuterRef("user"))
    figures = presenters.annotate(done=Exists(answered)).aggregate(
        due=Count("pk"), answered=Count("pk", filter=Q(done=True))
    )
    applied = FollowUp.objects.filter(
        session__group=group, outcome__in=[FollowUp.Outcome.APPLIED, FollowUp.Outcome.PARTLY]
    ).count()
    return YieldSummary(due=figures["due"], answered=figures["answered"], applied=applied)


def group_followups(group: Group) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(session__group=group)
        .select_related("session", "presenter")
        .order_by("-session__starts_at", "presenter__display_name")
    )
