"""A session a rule change cancelled and a later rule change restored gets its reminders back: the rows
its cancellation stopped are pending again (once each: the outbox's unique key), re-timed to the session."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from notifications.models import Kind, Outbox, Status
from sessions import services
from sessions.models import Session
from sessions.schedule import schedule_save
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import ScheduleFactory

pytestmark = pytest.mark.django_db

REMINDERS = {Kind.REMINDER_FIRST, Kind.REMINDER_SECOND, Kind.RSVP_NUDGE}


def weekly_schedule(group, *, months: int):
    """Every week at 14:00 from two weeks ahead, saved (its sessions planned)."""
    schedule = ScheduleFactory(
        group=group,
        rrule="FREQ=WEEKLY;INTERVAL=1",
        first_date=timezone.localdate() + timedelta(days=14),
        start_time=time(14, 0),
        duration_minutes=120,
        horizon_months=months,
    )
    schedule_save(schedule=schedule)
    return schedule


def test_restored_session_gets_its_reminders_back_once():
    group = GroupFactory()
    FacilitatorFactory(group=group)
    members = [MembershipFactory(group=group).user for _ in range(3)]
    schedule = weekly_schedule(group, months=2)
    every_week = set(Session.objects.filter(group=group).values_list("pk", flat=True))
    before = {
        (row.session_id, row.recipient_id, row.kind): row.due_at
        for row in Outbox.objects.filter(group=group, kind__in=REMINDERS, status=Status.PENDING)
    }
    assert {recipient for _, recipient, _ in before} >= {m.pk for m in members}

    schedule.rrule = "FREQ=WEEKLY;INTERVAL=2"
    dropped = {s.pk for s in schedule_save(schedule=schedule).cancelled}
    assert dropped and dropped < every_week
    stopped = Outbox.objects.filter(session_id__in=dropped, kind__in=REMINDERS)
    assert stopped.exists() and not stopped.filter(status=Status.PENDING).exists()

    schedule.rrule = "FREQ=WEEKLY;INTERVAL=1"
    assert {s.pk for s in schedule_save(schedule=schedule).restored} == dropped
    back = Outbox.objects.filter(session_id__in=dropped, kind__in=REMINDERS)
    assert back.count() == stopped.count()
    assert not back.exclude(status=Status.PENDING).exists()
    for row in back:
        assert row.due_at == before[(row.session_id, row.recipient_id, row.kind)]


def test_a_session_cancelled_by_hand_keeps_its_reminders_cancelled():
    group = GroupFactory()
    MembershipFactory(group=group)
    schedule = weekly_schedule(group, months=1)
    session = Session.objects.filter(group=group).order_by("starts_at").first()
    services.session_cancel(session=session, reason="Ziek")
    schedule_save(schedule=schedule)  # saved again without a rule change: the hand-made cancel stands
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert not Outbox.objects.filter(session=session, kind__in=REMINDERS, status=Status.PENDING).exists()
