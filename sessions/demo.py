"""Demo data (``seed_demo`` calls ``seed`` per demo group): a schedule every 4 weeks on Tuesday
14:00–16:30 Europe/Amsterdam, its generated sessions, a few RSVPs, and two years of held sessions with
RSVPs, attendance (a member fading in each group) and a presenter each. Idempotent."""

import zlib
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from groups.models import Membership

from .models import RSVP, Attendance, Method, Presenter, Schedule, Session
from .schedule import schedule_generate, schedule_save
from .services import rsvp_set

DEMO_TZ = ZoneInfo("Europe/Amsterdam")


def _next_tuesday(today):
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def seed(*, group, users) -> None:
    today = timezone.localdate()
    schedule = Schedule.objects.filter(group=group).first()
    if schedule is None:
        schedule = Schedule(
            group=group,
            rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=TU",
            first_date=_next_tuesday(today),
            start_time=time(14, 0),
            duration_minutes=150,
            timezone="Europe/Amsterdam",
            horizon_months=6,
        )
        schedule_save(schedule=schedule)
    else:
        schedule_generate(schedule=schedule)

    members = [
        m.user
        for m in Membership.objects.filter(group=group, status=Membership.Status.ACTIVE).select_related(
            "user"
        )
    ]
    upcoming = list(
        Session.objects.filter(group=group, status=Session.Status.PLANNED, starts_at__gt=timezone.now())
    )
    answers = [RSVP.Answer.ATTEND, RSVP.Answer.ATTEND, RSVP.Answer.MAYBE, RSVP.Answer.DECLINE]
    for session in upcoming[:2]:
        for user, answer in zip(members, answers, strict=False):
            if RSVP.objects.filter(session=session, user=user).exists():
                continue
            reason = RSVP.Reason.BUSY if answer == RSVP.Answer.DECLINE else ""
            rsvp_set(session=session, user=user, answer=answer, decline_reason=reason)

    history(group=group, members=members, first_date=schedule.first_date)


# Two years of held sessions every 4 weeks (one cancelled for the summer), so the dashboard, the health
# page and the alerts have something to show on the first visit.
HISTORY_SESSIONS = 26
CANCELLED_BACK = 11  # the session this many 4-week steps back did not go ahead
REASONS = [RSVP.Reason.BUSY, RSVP.Reason.SICK, RSVP.Reason.HOLIDAY, RSVP.Reason.BUSY]


def _pick(*parts) -> int:
    """A stable number 0-99 for these parts (the same demo on every run)."""
    return zlib.crc32(":".join(map(str, parts)).encode()) % 100


def history_starts(first_date) -> list[datetime]:
    """The starts of the history sessions, oldest first: Tuesday 14:00 every 4 weeks before the schedule's
    first date (fixed when the demo was first made, so a later run finds the same sessions)."""
    return [
        datetime.combine(first_date - timedelta(weeks=4 * steps_back), time(14, 0), tzinfo=DEMO_TZ)
        for steps_back in range(HISTORY_SESSIONS, 0, -1)
    ]


def _status(user, facilitator_id, fading_id, dropping_id, index, last) -> str:
    """Who came: the facilitator always; the group's fading member misses the last three; in a group
    whose attendance drops, one more member is away for the last three; the rest mostly come."""
    recent = index > last - 3
    if user.pk == facilitator_id:
        return Attendance.Status.PRESENT
    if user.pk == fading_id and recent:
        return Attendance.Status.ABSENT if index == last else Attendance.Status.EXCUSED
    if user.pk == dropping_id and recent:
        return Attendance.Status.EXCUSED
    roll = _pick(user.pk, index)
    if roll < 8:
        return Attendance.Status.EXCUSED
    if roll < 13:
        return Attendance.Status.LATE
    return Attendance.Status.PRESENT


def history(*, group, members, first_date) -> None:
    """Held sessions with RSVPs, attendance and a presenter each (bulk-written, as the attendance register
    writes them but without the e-mails a fresh registration plans). Idempotent: a held session is left
    alone; one made planned by an earlier demo is held now."""
    facilitator = next(
        (m.user for m in Membership.objects.filter(group=group, role=Membership.Role.FACILITATOR)), None
    )
    people = [m for m in members if facilitator is None or m.pk != facilitator.pk]
    if facilitator is None or len(people) < 3:
        return
    fading, dropping = people[-1], (people[1] if group.name.endswith("Noord") else None)
    starts = history_starts(first_date)
    existing = {s.starts_at: s for s in Session.objects.filter(group=group, starts_at__in=starts)}
    for index, starts_at in enumerate(starts):
        session = existing.get(starts_at)
        if session is not None and session.status != Session.Status.PLANNED:
            continue
        if session is None:
            session = Session.objects.create(
                group=group,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=150),
                location=group.default_location,
                facilitator=facilitator,
            )
        if index == len(starts) - CANCELLED_BACK:
            session.status = Session.Status.CANCELLED
            session.cancellation_reason = "Zomervakantie"
            session.save(update_fields=["status", "cancellation_reason", "updated_at"])
            continue
        _hold(session, index, len(starts) - 1, facilitator, fading, dropping, [facilitator, *people])


def _hold(session, index, last, facilitator, fading, dropping, everyone) -> None:
    statuses = {
        user.pk: _status(user, facilitator.pk, fading.pk, dropping and dropping.pk, index, last)
        for user in everyone
    }
    answered_at = session.starts_at - timedelta(days=6)
    rsvps = []
    for i, user in enumerate(everyone):
        status = statuses[user.pk]
        if status == Attendance.Status.EXCUSED:
            reason = REASONS[(index + i) % len(REASONS)]
            rsvps.append(RSVP(session=session, user=user, answer=RSVP.Answer.DECLINE, decline_reason=reason))
        elif status != Attendance.Status.ABSENT:
            rsvps.append(RSVP(session=session, user=user, answer=RSVP.Answer.ATTEND))
    for rsvp in rsvps:
        rsvp.answered_at = answered_at
    RSVP.objects.bulk_create(rsvps, ignore_conflicts=True)
    ended = session.ends_at
    Attendance.objects.bulk_create(
        [
            Attendance(session=session, user_id=user_id, status=status, registered_by=facilitator,
                       registered_at=ended)
            for user_id, status in statuses.items()
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    there = [u for u in everyone[1:] if statuses[u.pk] in (Attendance.Status.PRESENT, Attendance.Status.LATE)]
    if there:
        Presenter.objects.get_or_create(
            session=session, slot=1, defaults={"user": there[index % len(there)], "claimed_at": answered_at}
        )
    session.status = Session.Status.HELD
    session.actual_started_at = session.starts_at + timedelta(minutes=5)
    session.actual_ended_at = session.ends_at
    session.break_minutes = 15
    session.method = Method.objects.filter(slug="incidentmethode").first()
    session.save()  # the database's constraints check it (a full_clean per session costs seconds here)
