"""Every calendar the app produces, read by two independent parsers that use the file's own VTIMEZONE
(tests/calendar_parsers: Mozilla's ical.js under Node, and vobject), must put each event at the instant
stored in the database: the subscription feed, the per-session download, and the invite and cancellation
that the real sweep sends from the outbox.

The scene: a member of two groups, one planning in Europe/Amsterdam and one in America/New_York (another
rule: second Sunday of March, first Sunday of November), with sessions around every DST change of the next
two years and of the last year the forms accept (``wallclock.latest_day``): the evening before, the morning
after, one across the change itself (00:00 to 05:00 local, so start and end have different offsets), the
evening after and a week later; and, where the clock goes back, two that both start at half past in the
repeated hour (parsers disagree which of the two a local time means, so those are written in UTC). Some
are then moved or cancelled, which sends a new invite or a cancellation.

Also here: the VTIMEZONE of zones with odd histories against the zone database, a deliberately wrong
VTIMEZONE that both parsers must follow (so they read the file, not the system's zones), and the old
comma-separated RDATE VTIMEZONE that both read an hour off (so these tests can fail).
"""

from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from icalendar import Calendar, Timezone, TimezoneStandard
from icalendar.prop import vDatetime, vText, vUTCOffset

from notifications import sweep
from notifications.models import Kind, Outbox
from sessions import services, wallclock
from sessions.models import Session
from sessions.vtimezone import Change, build_vtimezone, vtimezone, zone_changes
from tests.calendar_parsers.readers import read_icaljs, read_vobject, utc_text
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory

from .factories import ScheduleFactory

pytestmark = pytest.mark.django_db

PARSERS = [
    pytest.param(read_icaljs, id="ical.js", marks=pytest.mark.node),
    pytest.param(read_vobject, id="vobject"),
]
ZONES = {"Wijkteam Noord": "Europe/Amsterdam", "Wijkteam Overzee": "America/New_York"}
# (day after the change's day, start, end) in the group's local time: none in a gap or an overlap.
SLOTS = [
    (-1, time(19, 0), time(21, 0)),
    (0, time(0, 0), time(5, 0)),
    (0, time(10, 0), time(12, 30)),
    (1, time(19, 0), time(21, 30)),
    (7, time(19, 0), time(21, 0)),
]


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def dst_changes(zone: ZoneInfo, today: date) -> list[Change]:
    """Every DST change in the next two years and in the last year the forms accept (two weeks of room
    before ``wallclock.latest_day``: a session a week after the change, moved a week on)."""
    latest = wallclock.latest_day(today) - timedelta(days=14)
    near = zone_changes(zone, today.year + 1, today.year + 2)
    far = zone_changes(zone, latest.year - 1, latest.year)
    return near + [c for c in far if latest - timedelta(days=365) < c.local.date() <= latest]


def twice(change: Change) -> list[datetime]:
    """When the clock goes back: the two instants that both read as half an hour into the repeated hour."""
    if change.after.offset >= change.before.offset:
        return []
    instant = (change.local - change.before.offset).replace(tzinfo=UTC)  # the moment of the change
    return [instant - timedelta(minutes=30), instant + timedelta(minutes=30)]


def build_scene():
    """The member of both groups and the sessions, planned through the services (so the outbox has the
    invites); the number of DST days per zone."""
    first = GroupFactory(name="Wijkteam Noord")
    groups = [first, GroupFactory(name="Wijkteam Overzee", organisation=first.organisation)]
    member = MembershipFactory(group=first).user
    MembershipFactory(group=groups[1], user=member)
    today = datetime.now(UTC).date()
    sessions, days_per_zone = [], {}
    for group in groups:
        zone = ZoneInfo(ZONES[group.name])
        ScheduleFactory(group=group, timezone=zone.key, rrule="")
        FacilitatorFactory(group=group)
        changes = dst_changes(zone, today)
        days_per_zone[zone.key] = len(changes)
        for change in changes:
            times = []
            for offset, start, end in SLOTS:
                local_day = change.local.date() + timedelta(days=offset)
                times.append(
                    (
                        datetime.combine(local_day, start, tzinfo=zone).astimezone(UTC),
                        datetime.combine(local_day, end, tzinfo=zone).astimezone(UTC),
                    )
                )
            times += [(instant, instant + timedelta(minutes=90)) for instant in twice(change)]
            for starts_at, ends_at in times:
                session = services.session_create(
                    group=group, starts_at=starts_at, ends_at=ends_at, location="Stadskantoor"
                )
                sessions.append(session)
    return member, sessions, days_per_zone


def stored(sessions) -> dict[str, tuple[str, str]]:
    """What the database holds: each session's UID with its start and end in UTC."""
    return {
        session.ical_uid: (utc_text(session.starts_at), utc_text(session.ends_at))
        for session in Session.objects.filter(pk__in=[s.pk for s in sessions])
    }


def calendar_parts(messages, user) -> list[tuple[str, bytes]]:
    """(outbox kind, calendar bytes) of every message to ``user``, as the mail server got it: its iMIP part
    (text/calendar), which must be the same calendar as its .ics attachment."""
    parts = []
    for message in messages:
        if message.to != [user.email]:
            continue
        kind = Outbox.objects.get(pk=message.extra_headers["X-Intervisie-Outbox"]).kind
        found = {
            part.get_content_type(): part.get_payload(decode=True)
            for part in message_from_bytes(message.message().as_bytes()).walk()
            if part.get_content_type() in {"text/calendar", "application/ics"}
        }
        assert found["text/calendar"].splitlines() == found["application/ics"].splitlines()
        parts.append((kind, found["text/calendar"]))
    return parts


def occurs_twice(instant: datetime, zone: ZoneInfo) -> bool:
    """The wall-clock time of ``instant`` in ``zone`` happens twice that day (the clock went back)."""
    local = instant.astimezone(zone)
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def assert_read_as_stored(parser, calendars: list[bytes], expected: dict[str, tuple[str, str]]) -> int:
    """Every event of every calendar lands, in ``parser``, on the UTC instants the database holds. Every
    DTSTART carries a TZID (so the VTIMEZONE is what decides), except a start in the hour that occurs twice,
    which is written in UTC. Returns the number of events read."""
    for body in calendars:
        for event in Calendar.from_ical(body).walk("VEVENT"):
            start = event["DTSTART"]
            tzid = start.params.get("TZID")
            if tzid is None:
                assert start.dt.utcoffset() == timedelta(0), event["UID"]
                assert any(occurs_twice(start.dt, ZoneInfo(zone)) for zone in ZONES.values()), event["UID"]
            else:
                assert tzid in ZONES.values(), event["UID"]
    results = parser(calendars)
    wrong, count = [], 0
    for result in results:
        for event in result["events"]:
            count += 1
            if (event["start"], event["end"]) != expected[event["uid"]]:
                wrong.append((event["uid"], event["start"], event["end"], expected[event["uid"]]))
    assert not wrong, f"{len(wrong)} of {count} events at another instant: {wrong[:5]}"
    return count


@pytest.mark.parametrize("parser", PARSERS)
def test_every_calendar_lands_on_the_stored_instants(parser, client_for):
    member, sessions, days_per_zone = build_scene()
    assert days_per_zone == {zone: 6 for zone in ZONES.values()}  # 2 a year: next two years + the last
    counts = {}

    # The invites the sweep sends when the sessions are planned.
    sweep.sweep_once()
    invites = calendar_parts(mail.outbox, member)
    assert {kind for kind, _ in invites} == {Kind.INVITE}
    counts["invite"] = assert_read_as_stored(parser, [body for _, body in invites], stored(sessions))
    assert counts["invite"] == len(sessions)

    # Moved a week on (across the DST change for some) and cancelled: a new invite, a cancellation.
    mail.outbox.clear()
    moved, cancelled = sessions[0::4], sessions[2::4]
    for session in moved:
        services.session_update(
            session=session,
            starts_at=session.starts_at + timedelta(days=7),
            ends_at=session.ends_at + timedelta(days=7),
        )
    for session in cancelled:
        services.session_cancel(session=session, reason="De begeleider is ziek")
    sweep.sweep_once()
    changed = calendar_parts(mail.outbox, member)
    expected = stored(sessions)
    updates = [body for kind, body in changed if kind == Kind.INVITE]
    cancellations = [body for kind, body in changed if kind == Kind.CANCELLATION]
    counts["changed invite"] = assert_read_as_stored(parser, updates, expected)
    counts["cancellation"] = assert_read_as_stored(parser, cancellations, expected)
    assert (counts["changed invite"], counts["cancellation"]) == (len(moved), len(cancelled))
    assert {result["method"] for result in parser(cancellations)} == {"CANCEL"}

    # The subscription feed: every session of both groups, moved and cancelled ones included.
    client = client_for(member)
    feed = client.get(reverse("sessions:feed", kwargs={"token": member.feed_token}))
    assert feed.status_code == 200
    counts["feed"] = assert_read_as_stored(parser, [feed.content], expected)
    assert counts["feed"] == len(sessions)
    assert sorted(parser([feed.content])[0]["timezones"]) == sorted(ZONES.values())

    # The download of each session.
    downloads = []
    for session in sessions:
        response = client.get(reverse("sessions:download", kwargs={"session_id": session.pk}))
        assert response.status_code == 200
        downloads.append(response.content)
    counts["download"] = assert_read_as_stored(parser, downloads, expected)
    assert counts["download"] == len(sessions)
    print(f"events read per calendar kind: {counts}")


# --- the VTIMEZONE itself ---------------------------------------------------------------------------------

# Zones with a rule (north and south), a rule that changed (New York 2007), DST given up (São Paulo 2019),
# a weekday of the month that moves (Jerusalem: the Friday before the last Sunday), Ramadan breaks
# (Casablanca), quarter-hour offsets (Chatham) and none (Kolkata).
ODD_ZONES = [
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Asia/Jerusalem",
    "Africa/Casablanca",
    "Pacific/Chatham",
    "Asia/Kolkata",
]


def probe_calendar(tzid: str, instants: list[datetime], zone_component: Timezone) -> bytes:
    """A calendar with one event per instant, written in ``tzid``'s wall-clock time."""
    from icalendar import Event

    zone = ZoneInfo(tzid)
    calendar = Calendar.new(prodid="-//Intervisie tests//NL")
    calendar.add_component(zone_component)
    for number, instant in enumerate(instants):
        event = Event()
        event["UID"] = vText(f"probe-{number}")
        event["DTSTAMP"] = vDatetime(datetime(2026, 1, 1, tzinfo=UTC))
        event["DTSTART"] = vDatetime(instant.astimezone(zone))
        event["DTEND"] = vDatetime((instant + timedelta(hours=1)).astimezone(zone))
        calendar.add_component(event)
    return calendar.to_ical()


def probe_instants(tzid: str) -> list[datetime]:
    """Three hours before and after every change from 2000 to 2060, and noon of every month of every fifth
    year: none in a gap or an overlap."""
    instants = []
    for change in zone_changes(ZoneInfo(tzid)):
        moment = (change.local - change.before.offset).replace(tzinfo=UTC)
        instants += [moment - timedelta(hours=3), moment + timedelta(hours=3)]
    for year in range(2000, 2061, 5):
        instants += [datetime(year, month, 15, 12, tzinfo=UTC) for month in range(1, 13)]
    return instants


@pytest.mark.parametrize("parser", PARSERS)
def test_the_vtimezone_agrees_with_the_zone_database_from_2000_to_2060(parser):
    calendars, expected = [], {}
    for tzid in ODD_ZONES:
        instants = probe_instants(tzid)
        calendars.append(probe_calendar(tzid, instants, build_vtimezone(tzid)))
        expected[tzid] = [(utc_text(i), utc_text(i + timedelta(hours=1))) for i in instants]
    for tzid, result in zip(ODD_ZONES, parser(calendars), strict=True):
        read = [(event["start"], event["end"]) for event in result["events"]]
        wrong = [(got, want) for got, want in zip(read, expected[tzid], strict=True) if got != want]
        assert not wrong, f"{tzid}: {len(wrong)} of {len(read)} instants off, e.g. {wrong[:3]}"


def test_a_zone_with_a_rule_is_two_yearly_rules_without_an_end():
    zone = Calendar.from_ical(vtimezone("Europe/Amsterdam").to_ical())
    start, *ruled = zone.subcomponents
    winter = timedelta(hours=1)
    assert (start.name, start["TZOFFSETFROM"].td, start["TZOFFSETTO"].td) == ("STANDARD", winter, winter)
    rules = [(c.name, c["RRULE"]["BYMONTH"], c["RRULE"]["BYDAY"], sorted(c["RRULE"])) for c in ruled]
    assert rules == [
        ("DAYLIGHT", [3], ["-1SU"], ["BYDAY", "BYMONTH", "FREQ"]),
        ("STANDARD", [10], ["-1SU"], ["BYDAY", "BYMONTH", "FREQ"]),
    ]
    assert vtimezone("Europe/Amsterdam") is vtimezone("Europe/Amsterdam")  # built once per zone


def test_no_zone_lists_its_onsets_in_an_rdate():
    for tzid in ODD_ZONES:
        zone = Calendar.from_ical(build_vtimezone(tzid).to_ical())
        assert all("RDATE" not in component for component in zone.subcomponents), tzid


# --- the parsers read the file, and the tests can fail ----------------------------------------------------


def summer_download(client_for) -> tuple[bytes, Session]:
    group = GroupFactory(name="Wijkteam Noord")
    member = MembershipFactory(group=group).user
    ScheduleFactory(group=group, timezone="Europe/Amsterdam", rrule="")
    next_year = datetime.now(UTC).year + 1
    starts_at = datetime.combine(date(next_year, 7, 1), time(19, 30), tzinfo=ZoneInfo("Europe/Amsterdam"))
    session = services.session_create(
        group=group, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), location="Stadskantoor"
    )
    response = client_for(member).get(reverse("sessions:download", kwargs={"session_id": session.pk}))
    assert response.status_code == 200
    return response.content, session


def with_vtimezone(body: bytes, zone: Timezone) -> bytes:
    """The calendar with its VTIMEZONE replaced by ``zone`` (same TZID)."""
    calendar = Calendar.from_ical(body)
    calendar.subcomponents = [zone] + [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
    return calendar.to_ical()


@pytest.mark.parametrize("parser", PARSERS)
def test_the_parsers_follow_the_files_vtimezone_even_a_wrong_one(parser, client_for):
    body, session = summer_download(client_for)
    wrong = Timezone()
    wrong["TZID"] = vText("Europe/Amsterdam")
    standard = TimezoneStandard()
    standard["DTSTART"] = vDatetime(datetime(2000, 1, 1))  # noqa: DTZ001 - local time, as RFC 5545 wants
    standard["TZOFFSETFROM"] = vUTCOffset(timedelta(hours=5))
    standard["TZOFFSETTO"] = vUTCOffset(timedelta(hours=5))
    standard["TZNAME"] = vText("WRONG")
    wrong.add_component(standard)
    [result] = parser([with_vtimezone(body, wrong)])
    wall_clock = session.starts_at.astimezone(ZoneInfo("Europe/Amsterdam")).replace(tzinfo=None)
    assert result["events"][0]["start"] == utc_text((wall_clock - timedelta(hours=5)).replace(tzinfo=UTC))
    [right] = parser([body])
    assert right["events"][0]["start"] == utc_text(session.starts_at)


@pytest.mark.parametrize("parser", PARSERS)
def test_the_old_rdate_list_vtimezone_puts_summer_sessions_an_hour_late(parser, client_for):
    """What the app sent before (icalendar's ``Timezone.from_tzid``: one comma-separated RDATE, five
    years): both parsers keep the first date of the list, so a summer session next year is an hour off."""
    body, session = summer_download(client_for)
    today = date.today()  # noqa: DTZ011 - the range of years the old code used
    old = Timezone.from_tzid(
        "Europe/Amsterdam", first_date=date(today.year - 2, 1, 1), last_date=date(today.year + 3, 1, 1)
    )
    assert any("," in line for line in old.to_ical().decode().splitlines() if line.startswith("RDATE"))
    [result] = parser([with_vtimezone(body, old)])
    assert result["events"][0]["start"] == utc_text(session.starts_at + timedelta(hours=1))


# --- a schedule change: one e-mail per member, the calendars follow --------------------------------------


def attached_calendars(message) -> list[bytes]:
    """The calendar files of a message as the mail server got it (``application/ics`` attachments)."""
    return [
        part.get_payload(decode=True)
        for part in message_from_bytes(message.message().as_bytes()).walk()
        if part.get_content_type() == "application/ics"
    ]


def calendar_after(parser, calendars: list[bytes]) -> dict[str, tuple]:
    """What a calendar that applies these iTIP messages in order holds: per UID its start, end and status
    (a CANCEL marks the event cancelled, a REQUEST sets it)."""
    state = {}
    for result in parser(calendars):
        for event in result["events"]:
            if result["method"] == "CANCEL":
                assert event["status"] == "CANCELLED", event
            state[event["uid"]] = (event["start"], event["end"], event["status"])
    return state


def as_stored(sessions) -> dict[str, tuple]:
    return {
        session.ical_uid: (
            utc_text(session.starts_at),
            utc_text(session.ends_at),
            "CANCELLED" if session.status == Session.Status.CANCELLED else None,
        )
        for session in sessions
    }


@pytest.mark.parametrize("parser", PARSERS)
def test_a_schedule_change_is_one_message_per_member_and_every_calendar_follows(
    parser, client_for, django_capture_on_commit_callbacks
):
    """A change that moves one session, plans one and cancels one: each member gets exactly one outbox row
    and one e-mail, on both calendar paths; on the invite path it carries the three iTIP files, and a
    calendar that applied the first invites and then these holds every session at its stored instant and
    status; the feed shows the same."""
    from notifications.models import CalendarPath, NotificationPreference
    from sessions.schedule import schedule_generate, schedule_preview, schedule_save

    group = GroupFactory(name="Wijkteam Noord")
    members = [FacilitatorFactory(group=group).user] + [MembershipFactory(group=group).user for _ in range(2)]
    on_feed, on_invites = members[:1], members[1:]
    NotificationPreference.objects.create(user=on_feed[0], calendar_path=CalendarPath.FEED)
    day = datetime.now(UTC).date() + timedelta(days=10)
    day += timedelta(days=(1 - day.weekday()) % 7)  # a Tuesday
    schedule = ScheduleFactory(
        group=group,
        rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=TU;COUNT=2",
        first_date=day,
        start_time=time(14, 0),
        timezone="Europe/Amsterdam",
    )
    schedule_generate(schedule=schedule)
    sweep.sweep_once()
    first = {member.pk: [body for _, body in calendar_parts(mail.outbox, member)] for member in on_invites}
    assert all(len(bodies) == 2 for bodies in first.values())  # the two planned sessions' invites

    schedule.rrule, schedule.start_time = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=2", time(16, 0)
    diff = schedule_preview(schedule=schedule)
    assert (len(diff.move), len(diff.create), len(diff.cancel)) == (1, 1, 1)
    before = Outbox.objects.order_by("-pk").values_list("pk", flat=True).first()
    with django_capture_on_commit_callbacks(execute=True):
        schedule_save(schedule=schedule, expected=diff.fingerprint())
    due = Outbox.objects.filter(pk__gt=before, due_at__lte=datetime.now(UTC))
    assert sorted(due.values_list("recipient_id", flat=True)) == sorted(m.pk for m in members)
    assert set(due.values_list("kind", flat=True)) == {Kind.SCHEDULE_CHANGED}

    mail.outbox.clear()
    sweep.sweep_once()
    assert sorted(message.to[0] for message in mail.outbox) == sorted(m.email for m in members)
    sessions = list(Session.objects.filter(group=group))
    assert len(sessions) == 3
    expected = as_stored(sessions)
    for message in mail.outbox:
        member = next(m for m in members if m.email == message.to[0])
        files = attached_calendars(message)
        if member in on_feed:
            assert files == []
            continue
        assert len(files) == 3
        assert sorted(r["method"] for r in parser(files)) == ["CANCEL", "REQUEST", "REQUEST"]
        assert calendar_after(parser, files) == expected  # each file: its event's instant and status
        assert calendar_after(parser, first[member.pk] + files) == expected

    client = client_for(on_feed[0])
    feed = client.get(reverse("sessions:feed", kwargs={"token": on_feed[0].feed_token}))
    [result] = parser([feed.content])
    assert {e["uid"]: (e["start"], e["end"], e["status"]) for e in result["events"]} == expected
