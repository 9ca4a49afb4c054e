"""sessions/wallclock.py and the services and generator that use it, on the DST days of 2027 and 2028 in
Europe/Amsterdam. The expected instants come from the zone database itself (every UTC quarter-hour of the
day mapped to its wall clock), not from a table written here."""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from sessions import services, wallclock
from sessions.models import Schedule, Session
from sessions.schedule import occurrences, schedule_generate
from tests.factories import FacilitatorFactory, GroupFactory

from .factories import ScheduleFactory, SessionFactory

AMS = ZoneInfo("Europe/Amsterdam")
# The last Sundays of March (clock 02:00 → 03:00) and October (03:00 → 02:00).
SPRING_DAYS = [date(2027, 3, 28), date(2028, 3, 26)]
FALL_DAYS = [date(2027, 10, 31), date(2028, 10, 29)]
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def readings(day: date, tz: ZoneInfo = AMS) -> dict[datetime, list[datetime]]:
    """Every naive local quarter-hour of ``day`` → the UTC instants the zone shows it at (0, 1 or 2)."""
    found = defaultdict(list)
    instant = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=14)
    while instant < datetime.combine(day, time(0), tzinfo=UTC) + timedelta(hours=38):
        local = instant.astimezone(tz).replace(tzinfo=None)
        if local.date() == day:
            found[local].append(instant)
        instant += timedelta(minutes=15)
    return found


def quarter_hours(day: date):
    start = datetime.combine(day, time(0))
    return [start + timedelta(minutes=15 * i) for i in range(96)]


@pytest.mark.parametrize("day", SPRING_DAYS + FALL_DAYS)
def test_to_utc_agrees_with_the_zone_for_every_quarter_hour_of_a_dst_day(day):
    seen = readings(day)
    kinds = set()
    for local in quarter_hours(day):
        instants = sorted(seen.get(local, []))
        kinds.add(len(instants))
        if not instants:
            with pytest.raises(wallclock.NonexistentTime):
                wallclock.to_utc(local, AMS)
            with pytest.raises(wallclock.NonexistentTime):
                wallclock.to_utc(local, AMS, wallclock.LATER)  # no choice makes a skipped time exist
        elif len(instants) == 1:
            assert wallclock.to_utc(local, AMS) == instants[0]
            assert wallclock.to_utc(local, AMS, wallclock.LATER) == instants[0]
        else:
            with pytest.raises(wallclock.AmbiguousTime):
                wallclock.to_utc(local, AMS)
            assert wallclock.to_utc(local, AMS, wallclock.EARLIER) == instants[0]
            assert wallclock.to_utc(local, AMS, wallclock.LATER) == instants[1]
            assert wallclock.fold_of(instants[0], AMS) == wallclock.EARLIER
            assert wallclock.fold_of(instants[1], AMS) == wallclock.LATER
    # The day really has the gap (spring) or the overlap (autumn) this test is about.
    assert kinds == ({0, 1} if day.month == 3 else {1, 2})


@pytest.mark.parametrize("day", SPRING_DAYS)
def test_a_gap_is_named_with_the_clock_it_skips(day):
    local = datetime.combine(day, time(2, 30))
    change = wallclock.transition_at(local, AMS)
    assert (change.clock_from.time(), change.clock_to.time()) == (time(2), time(3))
    assert change.instant == datetime.combine(day, time(1), tzinfo=UTC)
    with pytest.raises(wallclock.NonexistentTime) as raised:
        wallclock.to_utc(local, AMS)
    message = str(raised.value.message)
    for part in ("02:30", "02:00", "03:00", str(day.year), str(day.day)):
        assert part in message


@pytest.mark.parametrize("day", FALL_DAYS)
def test_an_overlap_offers_both_readings_labelled_by_their_offset(day):
    local = datetime.combine(day, time(2, 30))
    choices = dict(wallclock.fold_choices(local, AMS))
    assert set(choices) == {wallclock.EARLIER, wallclock.LATER}
    assert "UTC+02:00" in choices[wallclock.EARLIER] and "UTC+01:00" in choices[wallclock.LATER]
    change = wallclock.transition_at(local, AMS)
    assert (change.clock_from.time(), change.clock_to.time()) == (time(3), time(2))


def test_ordinary_times_have_no_transition_and_no_fold():
    local = datetime.combine(date(2027, 6, 13), time(2, 30))
    assert wallclock.transition_at(local, AMS) is None
    assert wallclock.fold_of(wallclock.to_utc(local, AMS), AMS) is None


@pytest.mark.parametrize("day", SPRING_DAYS)
def test_rfc5545_reading_moves_a_skipped_time_on_by_the_gap(day):
    resolution = wallclock.rfc5545_instant(datetime.combine(day, time(2, 30)), AMS)
    assert resolution.moved and not resolution.ambiguous
    assert resolution.instant.astimezone(AMS).time() == time(3, 30)


@pytest.mark.parametrize("day", FALL_DAYS)
def test_rfc5545_reading_takes_the_first_of_two_equal_times(day):
    local = datetime.combine(day, time(2, 30))
    resolution = wallclock.rfc5545_instant(local, AMS)
    assert resolution.ambiguous and not resolution.moved
    assert resolution.instant == min(readings(day)[local])


def test_dates_beyond_the_horizon_are_refused_both_ways():
    today = date(2026, 12, 1)
    wallclock.check_day(wallclock.latest_day(today), today)
    wallclock.check_day(wallclock.earliest_day(today), today)
    assert wallclock.latest_day(today) == today + relativedelta(years=wallclock.YEARS_AHEAD)
    with pytest.raises(wallclock.DayOutOfRange):
        wallclock.check_day(wallclock.latest_day(today) + timedelta(days=1), today)
    with pytest.raises(wallclock.DayOutOfRange):
        wallclock.check_day(wallclock.earliest_day(today) - timedelta(days=1), today)


# --- services -----------------------------------------------------------------------------------------


@pytest.fixture
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


def constraint_names() -> set[str]:
    return {c.name for c in Session._meta.constraints}


def assert_no_internal_names(error: ValidationError):
    for message in error.messages:
        assert not any(name in message for name in constraint_names()), message


def test_service_refuses_an_end_before_the_start_at_the_end_field(db, frozen_now):
    group = GroupFactory()
    start = datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    with pytest.raises(ValidationError) as raised:
        services.session_create(group=group, starts_at=start, ends_at=start)
    assert set(raised.value.error_dict) == {"ends_at"}
    assert_no_internal_names(raised.value)
    assert not Session.objects.filter(group=group).exists()


def test_service_refuses_a_start_beyond_the_horizon(db, frozen_now):
    group = GroupFactory()
    start = datetime.combine(wallclock.latest_day() + timedelta(days=1), time(19), tzinfo=AMS)
    with pytest.raises(ValidationError) as raised:
        services.session_create(group=group, starts_at=start, ends_at=start + timedelta(hours=2))
    assert set(raised.value.error_dict) == {"starts_at"}


def test_service_update_refuses_a_reversed_time_and_too_many_slots_without_constraint_names(db, frozen_now):
    session = SessionFactory(starts_at=datetime(2027, 10, 31, 0, 30, tzinfo=UTC))
    session.ends_at = session.starts_at + timedelta(hours=2)
    session.save()
    with pytest.raises(ValidationError) as raised:
        services.session_update(session=session, ends_at=session.starts_at - timedelta(minutes=30))
    assert set(raised.value.error_dict) == {"ends_at"}
    assert_no_internal_names(raised.value)
    with pytest.raises(ValidationError) as raised:
        services.session_update(session=session, presenter_slots=7, method=None)
    assert set(raised.value.error_dict) == {"presenter_slots"}
    assert_no_internal_names(raised.value)
    session.refresh_from_db()
    assert (session.sequence, session.presenter_slots) == (0, 1)


def test_full_clean_names_no_constraint_even_for_a_row_built_by_hand(db):
    """The database constraints stay the last word; the service's check of them speaks the user's words."""
    session = SessionFactory.build(group=GroupFactory(), presenter_slots=9)
    session.ends_at = session.starts_at
    with pytest.raises(ValidationError) as raised:
        services._full_clean(session)
    assert {"ends_at", "presenter_slots"} <= set(raised.value.error_dict)
    assert_no_internal_names(raised.value)


# --- the schedule generator -------------------------------------------------------------------------------


def night_schedule(**overrides) -> Schedule:
    group = GroupFactory()
    FacilitatorFactory(group=group)
    return ScheduleFactory(
        group=group,
        rrule="FREQ=WEEKLY;BYDAY=SU",
        first_date=date(2026, 12, 6),
        start_time=time(2, 30),
        duration_minutes=90,
        horizon_months=24,
        **overrides,
    )


@pytest.mark.parametrize("day", SPRING_DAYS)
def test_generator_moves_a_start_in_the_gap_on_by_the_gap_and_keeps_the_duration(db, day):
    schedule = night_schedule()
    schedule_generate(schedule=schedule, now=NOW)
    session = Session.objects.get(group=schedule.group, starts_at__date=day)
    assert session.starts_at.astimezone(AMS).time() == time(3, 30)
    assert session.ends_at - session.starts_at == timedelta(minutes=90)
    assert session.recurrence_id == session.starts_at
    week_before = Session.objects.get(group=schedule.group, starts_at__date=day - timedelta(days=7))
    assert week_before.starts_at.astimezone(AMS).time() == time(2, 30)
    occurrence = next(
        o
        for o in occurrences(schedule, since=NOW, until=NOW + relativedelta(years=2))
        if o.starts_at == session.starts_at
    )
    assert occurrence.moved and occurrence.notice(AMS)


@pytest.mark.parametrize("day", FALL_DAYS)
def test_generator_takes_the_first_of_two_equal_starts_every_time(db, day):
    schedule = night_schedule()
    first = schedule_generate(schedule=schedule, now=NOW)
    again = schedule_generate(schedule=schedule, now=NOW)
    assert first.created and not again.created
    local = datetime.combine(day, time(2, 30))
    session = Session.objects.get(group=schedule.group, starts_at__in=readings(day)[local])
    assert session.starts_at == min(readings(day)[local])
    assert session.ends_at - session.starts_at == timedelta(minutes=90)


def test_generator_notices_only_for_the_nights_of_a_dst_change(db):
    schedule = night_schedule()
    planned = occurrences(schedule, since=NOW, until=NOW + relativedelta(years=2))
    flagged = sorted(o.starts_at.astimezone(AMS).date() for o in planned if o.notice(AMS))
    assert flagged == sorted(SPRING_DAYS + FALL_DAYS)
    assert all(o.ends_at - o.starts_at == timedelta(minutes=90) for o in planned)
