"""Keeping the precomputed session figures up to date (set-based: a fixed number of queries per call)."""

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from reflections.selectors import session_aggregates
from sessions.models import RSVP, Attendance, Presenter, Session

from .models import SessionStats

CHUNK = 500
_UPDATE_FIELDS = [f.name for f in SessionStats._meta.concrete_fields if f.name not in ("session",)]


def _net_minutes(session: dict) -> int | None:
    started, ended = session["actual_started_at"], session["actual_ended_at"]
    if not (started and ended):
        return None
    minutes = int((ended - started).total_seconds() // 60)
    return max(minutes - session["break_minutes"], 0)


def _snapshot(aggregate) -> dict | None:
    """A published reflection aggregate (≥ 3 answers, final) as stored figures; None otherwise."""
    if aggregate is None:
        return None
    return {"answers": aggregate.answers, "means": {k: round(v, 2) for k, v in aggregate.means.items()}}


def _build(session_ids: list[int]) -> list[SessionStats]:
    sessions = Session.objects.filter(pk__in=session_ids).values(
        "id", "group_id", "starts_at", "status", "actual_started_at", "actual_ended_at", "break_minutes"
    )
    attendance = defaultdict(dict)
    for row in (
        Attendance.objects.filter(session_id__in=session_ids)
        .values("session_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        attendance[row["session_id"]][row["status"]] = row["n"]
    rsvps = defaultdict(lambda: defaultdict(int))
    for row in (
        RSVP.objects.filter(session_id__in=session_ids)
        .values("session_id", "answer", "decline_reason")
        .annotate(n=Count("id"))
        .order_by()
    ):
        key = row["decline_reason"] if row["answer"] == RSVP.Answer.DECLINE else row["answer"]
        rsvps[row["session_id"]][key] += row["n"]
    presenters = dict(
        Presenter.objects.filter(session_id__in=session_ids)
        .values("session_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("session_id", "n")
    )
    now = timezone.now()
    held_ids = [s["id"] for s in sessions if s["status"] == Session.Status.HELD]
    aggregates = session_aggregates(held_ids, now=now) if held_ids else {}
    result = []
    for session in sessions:
        counts = attendance[session["id"]]
        answers = rsvps[session["id"]]
        expected = sum(counts.values())
        attended = counts.get(Attendance.Status.PRESENT, 0) + counts.get(Attendance.Status.LATE, 0)
        held = session["status"] == Session.Status.HELD
        result.append(
            SessionStats(
                session_id=session["id"],
                group_id=session["group_id"],
                starts_at=session["starts_at"],
                status=session["status"],
                members_expected=expected,
                present=counts.get(Attendance.Status.PRESENT, 0),
                late=counts.get(Attendance.Status.LATE, 0),
                excused=counts.get(Attendance.Status.EXCUSED, 0),
                absent=counts.get(Attendance.Status.ABSENT, 0),
                attendance_rate=(attended / expected) if (held and expected) else None,
                rsvp_attend=answers[RSVP.Answer.ATTEND],
                rsvp_maybe=answers[RSVP.Answer.MAYBE],
                declines_busy=answers[RSVP.Reason.BUSY],
                declines_sick=answers[RSVP.Reason.SICK],
                declines_holiday=answers[RSVP.Reason.HOLIDAY],
                declines_other=answers[RSVP.Reason.OTHER],
                presenters=presenters.get(session["id"], 0),
                net_minutes=_net_minutes(session) if held else None,
                reflections=_snapshot(aggregates.get(session["id"])),
                updated_at=now,
            )
        )
    return result


@transaction.atomic
def session_stats_refresh(*, session_ids: Iterable[int]) -> int:
    """Recompute the figures of these sessions (upsert); returns how many rows were written."""
    ids = sorted({int(pk) for pk in session_ids})
    written = 0
    for start in range(0, len(ids), CHUNK):
        rows = _build(ids[start : start + CHUNK])
        SessionStats.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["session"], update_fields=_UPDATE_FIELDS
        )
        written += len(rows)
    return written
