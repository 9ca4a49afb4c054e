"""The schedule service's diff on its own: what a rule change creates, moves, cancels and restores, the rule
that refuses a schedule with too many sessions, and that the save does what the preview computed."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from sessions.models import RSVP, Schedule, Session
from sessions.schedule import (
    MAX_SESSIONS_IN_HORIZON,
    horizon_end,
    occurrences,
    schedule_check,
    schedule_diff,
    schedule_generate,
    schedule_preview,
    schedule_save,
)
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory

from .factories import ScheduleFactory

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday; the clocks go forward on 28 March 2027


@pytest.fixture
def four_weekly(db):
    group = GroupFactory()
    FacilitatorFactory(group=group)
    schedule = ScheduleFactory(
        group=group,
        rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=TU",
        first_date=date(2027, 1, 5),
        start_time=time(14, 0),
        duration_minutes=150,
        horizon_months=6,
    )
    schedule_generate(schedule=schedule, now=NOW)
    return schedule


def local_days(sessions) -> list[date]:
    return sorted(s.starts_at.astimezone(AMS).date() for s in sessions)


def test_four_weekly_to_monthly_across_the_dst_change(four_weekly):
    assert local_days(Session.objects.filter(group=four_weekly.group)) == [
        date(2027, 1, 5),
        date(2027, 2, 2),
        date(2027, 3, 2),
        date(2027, 3, 30),
        date(2027, 4, 27),
        date(2027, 5, 25),
        date(2027, 6, 22),
    ]
    four_weekly.rrule = "FREQ=MONTHLY;BYDAY=1TU"
    diff = schedule_preview(schedule=four_weekly, now=NOW)
    assert local_days(diff.cancel) == [
        date(2027, 3, 30),
        date(2027, 4, 27),
        date(2027, 5, 25),
        date(2027, 6, 22),
    ]
    assert [o.starts_at.astimezone(AMS).date() for o in diff.create] == [
        date(2027, 4, 6),
        date(2027, 5, 4),
        date(2027, 6, 1),
    ]
    assert diff.move == [] and diff.restore == []
    # 14:00 on the wall clock on both sides of the change: 13:00 UTC in winter, 12:00 UTC in summer.
    assert {o.starts_at.astimezone(AMS).time() for o in diff.create} == {time(14)}
    assert {o.starts_at.hour for o in diff.create} == {12}
    assert not Session.objects.filter(group=four_weekly.group, status="cancelled").exists()  # preview only

    fingerprint = diff.fingerprint()
    result = schedule_save(schedule=four_weekly, now=NOW, expected=fingerprint)
    assert {s.pk for s in result.cancelled} == {s.pk for s in diff.cancel}
    assert [s.starts_at for s in result.created] == [o.starts_at for o in diff.create]
    assert schedule_diff(schedule=four_weekly, now=NOW).is_empty


def test_a_new_start_time_moves_the_sessions_with_their_rsvps(four_weekly):
    session = Session.objects.filter(group=four_weekly.group).order_by("starts_at")[1]
    member = MembershipFactory(group=four_weekly.group).user
    RSVP.objects.create(session=session, user=member, answer=RSVP.Answer.ATTEND)
    four_weekly.start_time = time(19, 30)
    diff = schedule_preview(schedule=four_weekly, now=NOW)
    assert diff.create == [] and diff.cancel == []
    assert len(diff.move) == 7
    schedule_save(schedule=four_weekly, now=NOW, expected=diff.fingerprint())
    session.refresh_from_db()
    assert session.starts_at.astimezone(AMS).time() == time(19, 30)
    assert (
        session.recurrence_id == session.starts_at and session.status == "planned" and session.sequence == 1
    )
    assert session.rsvps.get().user == member
    assert schedule_diff(schedule=four_weekly, now=NOW).is_empty


def test_an_exception_date_cancels_that_session_only(four_weekly):
    four_weekly.exception_dates = ["2027-03-02"]
    diff = schedule_preview(schedule=four_weekly, now=NOW)
    assert local_days(diff.cancel) == [date(2027, 3, 2)]
    assert diff.create == [] and diff.move == []


def test_this_and_following_leaves_the_sessions_before_the_first_date(four_weekly):
    four_weekly.rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    four_weekly.first_date = date(2027, 3, 1)
    diff = schedule_preview(schedule=four_weekly, now=NOW)
    assert local_days(diff.cancel)[0] == date(2027, 3, 2)  # 5 January and 2 February stay
    assert all(o.starts_at.astimezone(AMS).date() >= date(2027, 3, 1) for o in diff.create)


@pytest.mark.parametrize(
    ("rule", "horizon"),
    [
        ("FREQ=DAILY", 6),
        ("FREQ=WEEKLY;BYDAY=MO,TH", 6),
        ("FREQ=WEEKLY;BYDAY=TU", 12),  # 52 within the horizon
    ],
)
def test_a_schedule_with_too_many_sessions_is_refused_at_the_rule(four_weekly, rule, horizon):
    four_weekly.rrule, four_weekly.horizon_months = rule, horizon
    with pytest.raises(ValidationError) as refused:
        schedule_check(schedule=four_weekly, now=NOW)
    assert set(refused.value.message_dict) == {"rrule"}
    with pytest.raises(ValidationError):
        schedule_save(schedule=four_weekly, now=NOW)
    assert Schedule.objects.get(pk=four_weekly.pk).rrule == "FREQ=WEEKLY;INTERVAL=4;BYDAY=TU"


def test_weekly_for_half_a_year_is_the_most_allowed(four_weekly):
    four_weekly.rrule = "FREQ=WEEKLY;BYDAY=TU"
    four_weekly.horizon_months = 6
    schedule_check(schedule=four_weekly, now=NOW)  # no error
    planned = occurrences(four_weekly, since=NOW, until=horizon_end(four_weekly, NOW))
    assert len(planned) == 26 <= MAX_SESSIONS_IN_HORIZON


@pytest.mark.parametrize("missing", ["first_date", "start_time"])
def test_a_rule_needs_a_first_date_and_a_start_time(four_weekly, missing):
    setattr(four_weekly, missing, None)
    with pytest.raises(ValidationError) as refused:
        schedule_check(schedule=four_weekly, now=NOW)
    assert set(refused.value.message_dict) == {missing}


def test_a_save_whose_diff_is_not_the_previewed_one_saves_nothing(four_weekly):
    four_weekly.rrule = "FREQ=MONTHLY;BYDAY=1TU"
    fingerprint = schedule_preview(schedule=four_weekly, now=NOW).fingerprint()
    Session.objects.filter(group=four_weekly.group).order_by("starts_at").last().delete()  # changed meanwhile
    with pytest.raises(ValidationError):
        schedule_save(schedule=four_weekly, now=NOW, expected=fingerprint)
    assert Schedule.objects.get(pk=four_weekly.pk).rrule == "FREQ=WEEKLY;INTERVAL=4;BYDAY=TU"
    assert not Session.objects.filter(group=four_weekly.group, status="cancelled").exists()
