"""The reminders of a written session (kind ``written_phase``): one per member and writing phase, a day
before the phase's deadline. Whom a phase asks (the others for questions and advice, the presenter for the
reflection) is decided when it is sent (``kinds._written_done``), since the casus may be booked after the
switch, and so is whether the member wrote already. Re-planned whenever the deadlines change
(``sessions.signals.phase_deadlines_changed``): a moved deadline re-times the pending rows, a session
switched back to live cancels them. The unique constraint on (kind, recipient, subject) keeps one row per
member and phase, however often this runs."""

from datetime import datetime, timedelta

from django.utils import timezone

from casussen import written
from groups.models import Membership
from sessions.models import Session

from . import planning
from .models import Kind

BEFORE_DEADLINE = timedelta(days=1)


def plan_written(*, session: Session) -> None:
    now = timezone.now()
    planning._upsert([session], _wanted(session, now), of_kinds=[Kind.WRITTEN_PHASE], now=now)


def plan_written_for_group(*, group_id: int) -> None:
    """Someone joined the group: its written sessions still to come plan their reminders for them too."""
    sessions = Session.objects.filter(
        group_id=group_id,
        format=Session.Format.WRITTEN,
        status=Session.Status.PLANNED,
        starts_at__gt=timezone.now(),
    )
    for session in sessions:
        plan_written(session=session)


def _wanted(session: Session, now: datetime) -> list[planning.Planned]:
    if session.format != Session.Format.WRITTEN or session.status != Session.Status.PLANNED:
        return []
    if Kind.WRITTEN_PHASE in planning.disabled_group_kinds(session.group_id):
        return []
    line = written.timeline(session, now)
    members = set(
        Membership.objects.filter(group_id=session.group_id, status=Membership.Status.ACTIVE).values_list(
            "user_id", flat=True
        )
    )
    planned = []
    for deadline in line.deadlines:
        asks = line.asks(deadline)
        if asks is None:
            continue
        key = written.reminder_key(session.pk, deadline.phase_id)
        due = deadline.due_at - BEFORE_DEADLINE
        planned += [
            planning.Planned(session.pk, Kind.WRITTEN_PHASE, uid, due, key) for uid in sorted(members)
        ]
    return planned
