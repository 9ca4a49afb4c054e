from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from sessions import services
from sessions.models import RSVP, Session
from sessions.schedule import RuleError, occurrences, schedule_generate, schedule_save
from sessions.signals import session_cancelled, session_planned_or_changed
from sessions.tasks import generate_sessions
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory

from .factories import ScheduleFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def weekly(db):
    group = GroupFactory(default_location="Kamer 2.14")
    FacilitatorFactory(group=group)
    return ScheduleFactory(
        group=group,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        first_date=date(2027, 3, 2),
        start_time=time(14, 0),
        duration_minutes=150,
        horizon_months=6,
    )


@pytest.fixture
def signals():
    received = []

    def on_planned(sender, session, created, changed, **kw):
        received.append(("planned", session.pk, created, frozenset(changed)))

    def on_cancelled(sender, session, reason, **kw):
        received.append(("cancelled", session.pk, reason))

    session_planned_or_changed.connect(on_planned, weak=False)
    session_cancelled.connect(on_cancelled, weak=False)
    yield received
    session_planned_or_changed.disconnect(on_planned)
    session_cancelled.disconnect(on_cancelled)


def test_dst_keeps_local_wall_clock_and_shifts_utc(weekly):
    assert weekly.first_date.weekday() == 1  # a Tuesday
    weekly.horizon_months = 12
    weekly.save()
    schedule_generate(schedule=weekly, now=NOW)
    by_day = {s.starts_at.astimezone(AMS).date(): s for s in Session.objects.filter(group=weekly.group)}
    # Last Sunday of March 2027 is the 28th, of October the 31st.
    before_march, after_march = by_day[date(2027, 3, 23)], by_day[date(2027, 3, 30)]
    before_october, after_october = by_day[date(2027, 10, 26)], by_day[date(2027, 11, 2)]
    for session in (before_march, after_march, before_october, after_october):
        assert session.starts_at.astimezone(AMS).time() == time(14, 0)
        assert session.ends_at.astimezone(AMS).time() == time(16, 30)
    assert before_march.starts_at.astimezone(UTC).hour == 13  # CET = UTC+1
    assert after_march.starts_at.astimezone(UTC).hour == 12  # CEST = UTC+2
    assert before_october.starts_at.astimezone(UTC).hour == 12
    assert after_october.starts_at.astimezone(UTC).hour == 13
    assert after_march.recurrence_id == after_march.starts_at


def test_generator_is_idempotent(weekly, signals):
    first = schedule_generate(schedule=weekly, now=NOW)
    count = Session.objects.filter(group=weekly.group).count()
    assert count == len(first.created) == 27  # the Tuesdays of six months
    assert all(s.location == "Kamer 2.14" and s.facilitator_id for s in first.created)
    assert len(signals) == count and all(event[2] is True for event in signals)

    signals.clear()
    second = schedule_generate(schedule=weekly, now=NOW)
    assert second.created == [] and second.cancelled == [] and second.restored == []
    assert Session.objects.filter(group=weekly.group).count() == count
    assert signals == []


def test_horizon_limits_generation(weekly):
    weekly.horizon_months = 2
    weekly.save()
    schedule_generate(schedule=weekly, now=NOW)
    last = Session.objects.filter(group=weekly.group).order_by("-starts_at").first()
    assert last.starts_at <= datetime(2027, 5, 1, 9, 0, tzinfo=UTC)
    assert Session.objects.filter(group=weekly.group).count() == 9  # 2 Mar .. 27 Apr


def test_exception_dates_are_skipped(weekly):
    weekly.exception_dates = ["2027-03-09", "2027-04-06"]
    weekly.save()
    schedule_generate(schedule=weekly, now=NOW)
    days = {s.starts_at.astimezone(AMS).date() for s in Session.objects.filter(group=weekly.group)}
    assert date(2027, 3, 2) in days and date(2027, 3, 16) in days
    assert date(2027, 3, 9) not in days and date(2027, 4, 6) not in days


def test_rule_change_cancels_unanswered_sessions_too_never_deletes(weekly, signals):
    """Every generated session was announced (invite, feed): a rule change cancels what no longer fits,
    so members' calendars get METHOD:CANCEL / STATUS:CANCELLED instead of keeping a ghost event."""
    first = schedule_generate(schedule=weekly, now=NOW)
    signals.clear()
    weekly.rrule = "FREQ=WEEKLY;BYDAY=TH"
    weekly.first_date = date(2027, 3, 4)
    result = schedule_save(schedule=weekly, now=NOW)
    assert Session.objects.filter(pk__in=[s.pk for s in first.created]).count() == len(first.created)
    planned = Session.objects.filter(group=weekly.group, status="planned").exclude(
        starts_at__date=date(2027, 3, 2)  # before the new first date: "this and following" keeps it
    )
    assert {s.starts_at.astimezone(AMS).weekday() for s in planned} == {3}
    cancelled = Session.objects.filter(group=weekly.group, status="cancelled")
    assert {s.starts_at.astimezone(AMS).weekday() for s in cancelled} == {1}
    assert len(result.cancelled) == cancelled.count() == 26
    assert all(s.cancelled_by_schedule and s.sequence == 1 and s.cancellation_reason for s in cancelled)
    assert sorted(e[1] for e in signals if e[0] == "cancelled") == sorted(s.pk for s in cancelled)


def test_rule_change_cancels_sessions_with_rsvps(weekly, signals):
    schedule_generate(schedule=weekly, now=NOW)
    answered = Session.objects.filter(group=weekly.group).order_by("starts_at")[1]
    member = MembershipFactory(group=weekly.group).user
    RSVP.objects.create(session=answered, user=member, answer=RSVP.Answer.ATTEND)
    signals.clear()

    weekly.rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"  # every other Tuesday: 9 March no longer fits
    result = schedule_save(schedule=weekly, now=NOW)

    answered.refresh_from_db()
    assert answered.starts_at.astimezone(AMS).date() == date(2027, 3, 9)
    assert answered.status == Session.Status.CANCELLED
    assert answered.cancellation_reason
    assert answered.sequence == 1
    assert answered.pk in [s.pk for s in result.cancelled]
    assert ("cancelled", answered.pk, answered.cancellation_reason) in signals
    # The fitting ones stay untouched.
    days = {
        s.starts_at.astimezone(AMS).date()
        for s in Session.objects.filter(group=weekly.group, status="planned")
    }
    assert date(2027, 3, 23) not in days and date(2027, 3, 2) in days and date(2027, 3, 16) in days
    # And a second run changes nothing.
    again = schedule_generate(schedule=weekly, now=NOW)
    assert (again.created, again.cancelled, again.restored) == ([], [], [])


def test_rule_changed_back_restores_what_the_rule_change_cancelled(weekly, signals):
    schedule_generate(schedule=weekly, now=NOW)
    by_hand = Session.objects.filter(group=weekly.group).order_by("starts_at")[3]
    services.session_cancel(session=by_hand, reason="Begeleider op vakantie")
    weekly.rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    cancelled = {s.pk for s in schedule_save(schedule=weekly, now=NOW).cancelled}
    assert cancelled and by_hand.pk not in cancelled
    signals.clear()

    weekly.rrule = "FREQ=WEEKLY;BYDAY=TU"  # back to every Tuesday
    result = schedule_save(schedule=weekly, now=NOW)
    assert result.created == [] and result.cancelled == []
    assert {s.pk for s in result.restored} == cancelled
    for session in Session.objects.filter(pk__in=cancelled):
        assert (session.status, session.cancellation_reason, session.cancelled_by_schedule) == (
            "planned",
            "",
            False,
        )
        assert session.sequence == 2  # cancelled (1), restored (2): calendars replace the event
    assert sorted(e[1] for e in signals) == sorted(cancelled)
    assert all(e[0] == "planned" and e[2] is False and e[3] == {"status"} for e in signals)
    by_hand.refresh_from_db()
    assert (by_hand.status, by_hand.cancellation_reason) == ("cancelled", "Begeleider op vakantie")
    again = schedule_generate(schedule=weekly, now=NOW)
    assert (again.created, again.cancelled, again.restored) == ([], [], [])


def test_past_sessions_are_never_touched_by_a_rule_change(weekly):
    schedule_generate(schedule=weekly, now=NOW)
    later = datetime(2027, 4, 1, 9, 0, tzinfo=UTC)
    weekly.rrule = "FREQ=MONTHLY;BYDAY=1TH"
    weekly.first_date = date(2027, 4, 1)
    schedule_save(schedule=weekly, now=later)
    past = Session.objects.filter(group=weekly.group, starts_at__lt=later)
    assert past.count() == 5  # the Tuesdays of March stay as they were
    future = Session.objects.filter(group=weekly.group, starts_at__gte=later, status="planned")
    assert future and all(s.starts_at.astimezone(AMS).weekday() == 3 for s in future)


def test_rescheduled_occurrence_is_not_recreated(weekly):
    schedule_generate(schedule=weekly, now=NOW)
    session = Session.objects.filter(group=weekly.group).order_by("starts_at")[1]
    session.starts_at = session.starts_at.replace(hour=8)
    session.ends_at = session.starts_at.replace(hour=10)
    session.save()
    count = Session.objects.filter(group=weekly.group).count()
    schedule_generate(schedule=weekly, now=NOW)
    assert Session.objects.filter(group=weekly.group).count() == count


def test_first_thursday_of_the_month():
    from sessions.models import Schedule

    schedule = Schedule(
        rrule="FREQ=MONTHLY;BYDAY=1TH",
        first_date=date(2027, 1, 1),
        start_time=time(9, 30),
        duration_minutes=120,
        timezone="Europe/Amsterdam",
        horizon_months=6,
    )
    found = occurrences(schedule, since=NOW, until=datetime(2027, 6, 30, tzinfo=UTC))
    local = [o.starts_at.astimezone(AMS) for o in found]
    assert [d.date() for d in local] == [
        date(2027, 3, 4),
        date(2027, 4, 1),
        date(2027, 5, 6),
        date(2027, 6, 3),
    ]
    assert {d.time() for d in local} == {time(9, 30)}


@pytest.mark.parametrize(
    "rule",
    ["FREQ=MINUTELY", "nonsense", "DTSTART:20270101T000000\nFREQ=DAILY", "FREQ=DAILY;BYHOUR=1,2,3,4,5"],
)
def test_unusable_rules_are_refused(rule):
    from sessions.models import Schedule

    schedule = Schedule(
        rrule=rule, first_date=date(2027, 1, 1), start_time=time(9), timezone="Europe/Amsterdam"
    )
    with pytest.raises(RuleError):
        occurrences(schedule, since=NOW, until=datetime(2027, 12, 31, tzinfo=UTC))


def test_daily_task_generates_for_every_active_schedule(weekly):
    inactive = ScheduleFactory(
        group=GroupFactory(is_active=False), first_date=date(2027, 3, 2), start_time=time(14, 0)
    )
    weekly.first_date = timezone.localdate()
    weekly.save()
    created = generate_sessions()
    assert created == Session.objects.filter(group=weekly.group).count() > 0
    assert not Session.objects.filter(group=inactive.group).exists()
    assert generate_sessions() == 0
