"""Factories for the sessions app's models (Session, RSVP, Schedule) and ``held_session``, the one way tests
make a held session with its attendance. Other test packages import them from here."""

import importlib
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from urllib.parse import urlencode

import factory
from django.apps import apps as django_apps
from django.http import QueryDict
from django.utils import timezone

from sessions.models import RSVP, Attendance, Method, Presenter, Schedule, Session
from tests.factories import GroupFactory


def next_week() -> datetime:
    return (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)


def shipped_method(slug: str) -> Method:
    """A werkvorm the sessions migration ships. A transactional test (live_server) empties every table when
    it ends, so the methods are made again, by that migration's own code, when they are gone."""
    method = Method.objects.filter(slug=slug).first()
    if method is None:
        importlib.import_module("sessions.migrations.0004_methods").create(django_apps, None)
        method = Method.objects.get(slug=slug)
    return method


class SessionFactory(factory.django.DjangoModelFactory):
    """A planned session a week from now, 2.5 hours, with the incident method (the werkvorm the live guide
    and the casus pages need) and a location."""

    class Meta:
        model = Session

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(next_week)
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(minutes=150))
    location = "Stadskantoor, kamer 2.14"
    method = factory.LazyFunction(lambda: shipped_method("incidentmethode"))


class RSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RSVP

    session = factory.SubFactory(SessionFactory)
    answer = RSVP.Answer.ATTEND


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    group = factory.SubFactory(GroupFactory)
    rrule = "FREQ=WEEKLY;INTERVAL=4;BYDAY=TU"
    duration_minutes = 150
    timezone = "Europe/Amsterdam"
    horizon_months = 6


def held_session(
    group=None,
    *,
    session: Session | None = None,
    starts_at: datetime | None = None,
    ended_ago: timedelta | None = None,
    minutes: int = 150,
    break_minutes: int = 0,
    present: Iterable = (),
    absent: Iterable = (),
    attendance: Mapping | None = None,
    declines: Mapping | None = None,
    presenters: Iterable = (),
    announce: bool = False,
    **fields,
) -> Session:
    """A held session of ``group`` (made by SessionFactory with ``fields``), or ``session`` marked held,
    written as the attendance registration writes it: status held, the actual start and end equal to the
    planned ones, ``break_minutes``, one Attendance row per user.

    When: from ``starts_at`` for ``minutes``, or ended ``ended_ago`` before now (default: 3 hours ago; an
    existing ``session`` keeps its times unless one is given). Who: ``present`` and ``absent`` users, or
    ``attendance`` (user → Attendance.Status) for late and excused; ``declines`` (user → RSVP.Reason) adds
    declined RSVPs; ``presenters`` take slots 1, 2, … (an existing claim is kept). ``announce`` sends
    ``session_held`` as sessions.attendance does, so its receivers run (dashboards' figures, the outbox's
    reflection requests and follow-ups)."""
    if (group is None) == (session is None):
        raise TypeError("held_session needs a group or a session, not both")
    if starts_at is not None and ended_ago is not None:
        raise TypeError("held_session takes starts_at or ended_ago, not both")
    if ended_ago is not None or (starts_at is None and session is None):
        end = (timezone.now() - (ended_ago or timedelta(hours=3))).replace(microsecond=0)
        starts_at = end - timedelta(minutes=minutes)
    new = session is None
    if new:
        session = SessionFactory.build(group=group, **fields)
    else:
        for name, value in fields.items():
            setattr(session, name, value)
    if starts_at is not None:
        session.starts_at, session.ends_at = starts_at, starts_at + timedelta(minutes=minutes)
    session.status = Session.Status.HELD
    session.actual_started_at, session.actual_ended_at = session.starts_at, session.ends_at
    session.break_minutes = break_minutes
    if new:
        session.save()
    else:  # only what holding it changes: what services wrote to the row meanwhile stays
        held = ["starts_at", "ends_at", "status", "actual_started_at", "actual_ended_at", "break_minutes"]
        session.save(update_fields=[*held, *fields, "updated_at"])

    statuses = {
        **dict.fromkeys(present, Attendance.Status.PRESENT),
        **dict.fromkeys(absent, Attendance.Status.ABSENT),
        **(attendance or {}),
    }
    Attendance.objects.bulk_create(
        [Attendance(session=session, user=user, status=status) for user, status in statuses.items()]
    )
    RSVP.objects.bulk_create(
        [
            RSVP(session=session, user=user, answer=RSVP.Answer.DECLINE, decline_reason=reason)
            for user, reason in (declines or {}).items()
        ]
    )
    for slot, user in enumerate(presenters, start=1):
        Presenter.objects.get_or_create(session=session, user=user, defaults={"slot": slot})
    if announce:
        from sessions.signals import session_held

        session_held.send(sender=Session, session=session)
    return session


def session_form_data(days: int = 10) -> dict:
    """What the planning form posts for a one-off session ``days`` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return {"day": day.isoformat(), "start_time": "14:00", "end_time": "16:30", "presenter_slots": 1}


def schedule_form_data(**changes) -> dict:
    """What the schedule form posts for its preview: every fourth Tuesday from today, 14:00, 2.5 hours."""
    return {
        "step": "preview",
        "pattern": "weekly",
        "interval": "4",
        "weekly_day": "TU",
        "first_date": timezone.localdate().isoformat(),
        "start_time": "14:00",
        "duration_minutes": "150",
        "horizon_months": "6",
        **changes,
    }


def schedule_confirm_data(group, **changes) -> dict:
    """What the preview's confirm button posts for ``schedule_form_data(**changes)``: the same values, and
    the fingerprint of the diff they make now (what the facilitator saw)."""
    from sessions.schedule import schedule_preview
    from sessions.schedule_forms import ScheduleForm

    data = schedule_form_data(**changes)
    schedule = Schedule.objects.filter(group=group).first() or Schedule(group=group)
    form = ScheduleForm(QueryDict(urlencode(data, doseq=True)), instance=schedule)
    assert form.is_valid(), form.errors
    fingerprint = schedule_preview(schedule=form.schedule()).fingerprint()
    return {**data, "step": "confirm", "fingerprint": fingerprint}
