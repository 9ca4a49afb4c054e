"""The precomputed session figures and the receivers that keep them fresh."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dashboards.models import SessionStats
from dashboards.services import session_stats_refresh
from sessions import signals
from sessions.models import RSVP, Attendance, Session
from tests.sessions.factories import SessionFactory


def test_figures_of_a_held_session(history):
    stats = SessionStats.objects.get(session=history.sessions[1])
    assert (stats.present, stats.late, stats.excused, stats.absent) == (2, 1, 1, 1)
    assert stats.members_expected == 5
    assert stats.attendance_rate == pytest.approx(0.6)
    assert stats.declines_busy == 1 and stats.declines_sick == 0
    assert stats.net_minutes == 120
    assert stats.presenters == 1
    assert SessionStats.objects.get(session=history.sessions[2]).net_minutes == 150


def test_refresh_is_idempotent_and_set_based(history, django_assert_num_queries):
    ids = [s.pk for s in history.sessions]
    with django_assert_num_queries(6 + 2):  # 5 reads + 1 upsert, inside a savepoint
        assert session_stats_refresh(session_ids=ids) == 4
    assert SessionStats.objects.filter(session_id__in=ids).count() == 4


def test_session_held_signal_refreshes(world):
    session = SessionFactory(group=world.group, starts_at=timezone.now() - timedelta(hours=3))
    Attendance.objects.create(session=session, user=world.member, status=Attendance.Status.PRESENT)
    Attendance.objects.create(session=session, user=world.facilitator, status=Attendance.Status.ABSENT)
    session.status = Session.Status.HELD
    session.actual_started_at = session.starts_at
    session.actual_ended_at = session.starts_at + timedelta(minutes=100)
    session.break_minutes = 10
    session.save()
    signals.session_held.send(sender=Session, session=session)
    stats = SessionStats.objects.get(session=session)
    assert stats.attendance_rate == pytest.approx(0.5)
    assert stats.net_minutes == 90


def test_rsvp_signal_refreshes(world):
    session = SessionFactory(group=world.group)
    rsvp = RSVP.objects.create(
        session=session, user=world.member, answer=RSVP.Answer.DECLINE, decline_reason=RSVP.Reason.BUSY
    )
    signals.rsvp_changed.send(sender=RSVP, rsvp=rsvp, previous_answer=None)
    stats = SessionStats.objects.get(session=session)
    assert stats.declines_busy == 1 and stats.attendance_rate is None
    rsvp.answer, rsvp.decline_reason = RSVP.Answer.ATTEND, ""
    rsvp.save()
    signals.rsvp_changed.send(sender=RSVP, rsvp=rsvp, previous_answer=RSVP.Answer.DECLINE)
    stats.refresh_from_db()
    assert (stats.declines_busy, stats.rsvp_attend) == (0, 1)


def test_rate_constraint_in_database(history):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SessionStats.objects.filter(session=history.sessions[0]).update(attendance_rate=1.5)


def test_refresh_command_backfills(history):
    from io import StringIO

    from django.core.management import call_command

    SessionStats.objects.all().delete()
    out = StringIO()
    call_command("refresh_session_stats", stdout=out)
    assert "Figures of 4 sessions recomputed." in out.getvalue()
    assert SessionStats.objects.get(session=history.sessions[3]).net_minutes == 140
