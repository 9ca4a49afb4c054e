"""Demo data (``seed_demo`` calls ``seed`` per demo group): a schedule every 4 weeks on Tuesday
14:00–16:30 Europe/Amsterdam, its generated sessions, a few RSVPs and a few past sessions. Idempotent."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from groups.models import Membership

from .models import RSVP, Schedule, Session
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

    # A few past sessions (the casussen app's attendance service marks sessions held).
    for weeks_back in (4, 8, 12):
        day = today - timedelta(weeks=weeks_back)
        day -= timedelta(days=(day.weekday() - 1) % 7)  # the Tuesday of that week
        starts_at = datetime.combine(day, time(14, 0), tzinfo=DEMO_TZ)
        if not Session.objects.filter(group=group, starts_at=starts_at).exists():
            Session.objects.create(
                group=group,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=150),
                location=group.default_location,
            )
