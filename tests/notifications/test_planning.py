"""Outbox rows are created, re-timed and cancelled in the transaction of the change that causes them."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from notifications.models import GroupNotificationSettings, Kind, Outbox, Status
from notifications.planning import local_days_before
from sessions import services as session_services
from sessions.models import RSVP
from tests.sessions.factories import held_session

from .factories import active_member_ids, group_with_members, plan_session

pytestmark = pytest.mark.django_db


def rows(session, kind, status=Status.PENDING):
    return Outbox.objects.filter(session=session, kind=kind, status=status)


def test_planning_a_session_queues_invites_and_timed_rows():
    group, facilitator, members = group_with_members(members=3)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=10))
    everyone = active_member_ids(group)
    assert set(rows(session, Kind.INVITE).values_list("recipient_id", flat=True)) == everyone
    for kind in (Kind.REMINDER_FIRST, Kind.REMINDER_SECOND, Kind.RSVP_NUDGE, Kind.NO_CASUS):
        assert set(rows(session, kind).values_list("recipient_id", flat=True)) == everyone, kind
    assert set(rows(session, Kind.QUORUM_RISK).values_list("recipient_id", flat=True)) == {facilitator.pk}
    first = rows(session, Kind.REMINDER_FIRST).first()
    assert first.due_at == local_days_before(session.starts_at, 7, first_zone())


def first_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Amsterdam")


def test_a_change_in_a_rolled_back_transaction_leaves_no_rows():
    from django.db import transaction

    group, _, _ = group_with_members()
    with pytest.raises(RuntimeError), transaction.atomic():
        plan_session(group)
        raise RuntimeError
    assert not Outbox.objects.exists()


def test_rescheduling_retimes_pending_rows_and_sends_a_new_invite():
    group, _, members = group_with_members(members=2)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=20))
    old_due = rows(session, Kind.REMINDER_SECOND).first().due_at
    later = session.starts_at + timedelta(days=3)
    session_services.session_update(session=session, starts_at=later, ends_at=later + timedelta(hours=2))
    session.refresh_from_db()
    assert rows(session, Kind.REMINDER_SECOND).first().due_at == old_due + timedelta(days=3)
    # One invite per member per SEQUENCE: the old pending invites are superseded, the new ones pending.
    assert rows(session, Kind.INVITE).count() == len(active_member_ids(group))
    assert set(rows(session, Kind.INVITE).values_list("subject_key", flat=True)) == {
        f"session:{session.pk}:invite:{session.sequence}"
    }
    assert rows(session, Kind.INVITE, Status.CANCELLED).count() == len(active_member_ids(group))


def test_the_unique_constraint_makes_a_second_copy_impossible():
    from django.db import IntegrityError, transaction

    group, _, members = group_with_members(members=1)
    session = plan_session(group)
    row = rows(session, Kind.REMINDER_FIRST).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Outbox.objects.create(
            kind=row.kind, recipient=row.recipient, subject_key=row.subject_key, due_at=row.due_at
        )


def test_decline_cancels_that_members_reminders_and_attend_restores_them():
    group, _, (anna, bram) = group_with_members(members=2)
    session = plan_session(group)
    session_services.rsvp_set(session=session, user=anna, answer=RSVP.Answer.DECLINE, decline_reason="busy")
    mine = Outbox.objects.filter(session=session, recipient=anna)
    assert mine.get(kind=Kind.REMINDER_FIRST).status == Status.CANCELLED
    assert mine.get(kind=Kind.REMINDER_SECOND).status == Status.CANCELLED
    assert mine.get(kind=Kind.RSVP_NUDGE).status == Status.CANCELLED
    assert (
        Outbox.objects.get(session=session, recipient=bram, kind=Kind.REMINDER_FIRST).status == Status.PENDING
    )
    session_services.rsvp_set(session=session, user=anna, answer=RSVP.Answer.ATTEND)
    assert mine.get(kind=Kind.REMINDER_FIRST).status == Status.PENDING
    assert mine.get(kind=Kind.REMINDER_SECOND).status == Status.PENDING
    assert mine.get(kind=Kind.RSVP_NUDGE).status == Status.CANCELLED  # answered: no nudge


def test_cancelling_a_session_cancels_its_pending_rows_and_queues_the_cancellation():
    group, _, _ = group_with_members(members=2)
    session = plan_session(group)
    session_services.session_cancel(session=session, reason="Te weinig aanmeldingen")
    assert (
        not Outbox.objects.filter(session=session, status=Status.PENDING)
        .exclude(kind=Kind.CANCELLATION)
        .exists()
    )
    assert set(rows(session, Kind.CANCELLATION).values_list("recipient_id", flat=True)) == active_member_ids(
        group
    )


def test_presenter_gets_casus_prep_and_loses_it_on_release():
    group, _, (anna, _bram) = group_with_members(members=2)
    session = plan_session(group)
    session_services.presenter_claim(session=session, user=anna)
    assert rows(session, Kind.CASUS_PREP).get().recipient == anna
    session_services.presenter_release(session=session, user=anna)
    assert not rows(session, Kind.CASUS_PREP).exists()


def test_held_session_asks_attendees_for_a_reflection_and_presenter_for_a_followup():
    group, _, (anna, bram, chantal) = group_with_members(members=3)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=1))
    session_services.presenter_claim(session=session, user=anna)
    held_session(session=session, present=[anna, bram], absent=[chantal], announce=True)
    reflection = rows(session, Kind.REFLECTION_REQUEST)
    assert set(reflection.values_list("recipient_id", flat=True)) == {anna.pk, bram.pk}
    assert reflection.first().due_at == session.ends_at + timedelta(hours=group.reflection_request_hours)
    followup = rows(session, Kind.FOLLOWUP).get()
    assert followup.recipient == anna
    assert followup.due_at == session.ends_at + timedelta(weeks=group.followup_weeks)
    assert not Outbox.objects.filter(
        session=session, kind=Kind.REMINDER_FIRST, status=Status.PENDING
    ).exists()


def test_group_can_switch_kinds_off():
    group, _, _ = group_with_members(members=2)
    GroupNotificationSettings.objects.create(group=group, disabled_kinds=[Kind.REMINDER_FIRST, Kind.INVITE])
    session = plan_session(group)
    assert not Outbox.objects.filter(session=session, kind__in=[Kind.REMINDER_FIRST, Kind.INVITE]).exists()
    assert rows(session, Kind.REMINDER_SECOND).exists()


@pytest.mark.parametrize(
    ("session_local", "days", "expected_utc"),
    [
        # Clock change 29 March 2026 02:00 → 03:00. Session Monday 30 March 14:00 CEST (12:00 UTC).
        ("2026-03-30 14:00", 1, "2026-03-29 12:00"),  # reminder on the day of the change, CEST
        # Session Sunday 29 March 14:00 CEST: the reminder is Saturday 14:00 CET = 13:00 UTC (not 12:00).
        ("2026-03-29 14:00", 1, "2026-03-28 13:00"),
        ("2026-04-02 14:00", 7, "2026-03-26 13:00"),  # a week before, still winter time
        # Clock change 25 October 2026 03:00 → 02:00. Session Sunday 25 October 14:00 CET (13:00 UTC).
        ("2026-10-25 14:00", 1, "2026-10-24 12:00"),  # Saturday 14:00 CEST
        ("2026-10-26 14:00", 1, "2026-10-25 13:00"),  # Monday's session: Sunday 14:00 CET
    ],
)
def test_reminders_keep_local_wall_clock_time_across_dst(session_local, days, expected_utc):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Amsterdam")
    start = datetime.strptime(session_local, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    expected = datetime.strptime(expected_utc, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert local_days_before(start, days, zone) == expected


def test_dst_reminder_row_for_a_session_the_day_after_the_clock_change(settings):
    """End to end through the service: planned in early March, the 1-day reminder row is due at 14:00
    local on the Sunday of the change = 12:00 UTC, and the 7-day one at 14:00 CET = 13:00 UTC."""
    from unittest import mock
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Amsterdam")
    group, _, _ = group_with_members(members=1)
    start = datetime(2026, 3, 30, 14, 0, tzinfo=zone)
    with mock.patch("django.utils.timezone.now", return_value=datetime(2026, 3, 1, 9, 0, tzinfo=UTC)):
        session = plan_session(group, starts_at=start)
    assert rows(session, Kind.REMINDER_SECOND).first().due_at == datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
    assert rows(session, Kind.REMINDER_FIRST).first().due_at == datetime(2026, 3, 23, 13, 0, tzinfo=UTC)
