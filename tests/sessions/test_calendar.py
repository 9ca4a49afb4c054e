import time
from datetime import time as dt_time
from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from icalendar import Calendar

from accounts.services import user_regenerate_feed_token, user_set_language
from sessions import calendar as ical
from sessions import feedcache, services
from sessions.models import RSVP, Session
from sessions.schedule import schedule_generate, schedule_save
from tests.factories import MembershipFactory

from .factories import ScheduleFactory, SessionFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def parse(body: bytes) -> Calendar:
    return Calendar.from_ical(body)


def feed_url(user) -> str:
    return reverse("sessions:feed", kwargs={"token": user.feed_token})


def test_download_is_one_event_with_stable_uid_tzid_and_vtimezone(world, client_for):
    session = SessionFactory(group=world.group)
    ScheduleFactory(group=world.group, timezone="Europe/Amsterdam")
    response = client_for(world.member).get(reverse("sessions:download", kwargs={"session_id": session.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = parse(response.content)
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == session.ical_uid
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"
    assert event["DTSTART"].dt == session.starts_at
    assert event.get("DTSTAMP") is not None
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    assert world.group.name in str(event["SUMMARY"])


def test_invite_request_then_cancel_keeps_uid_and_counts_sequence(world):
    session = SessionFactory(group=world.group)
    first = parse(ical.session_invite_ics(session, cancel=False, attendee_email="a@example.org"))
    assert str(first["METHOD"]) == "REQUEST"
    [event] = first.walk("VEVENT")
    uid = str(event["UID"])
    assert uid == session.ical_uid and int(event["SEQUENCE"]) == 0
    assert str(event["ORGANIZER"]).startswith("mailto:")

    for days in (1, 2):  # two changes
        start = session.starts_at + timedelta(days=days)
        services.session_update(session=session, starts_at=start, ends_at=start + timedelta(hours=2))
    session.refresh_from_db()
    changed = parse(ical.session_invite_ics(session, cancel=False))
    [event] = changed.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == (uid, 2)
    assert event["DTSTART"].dt == session.starts_at

    services.session_cancel(session=session, reason="De begeleider is ziek")
    session.refresh_from_db()
    cancelled = parse(ical.session_invite_ics(session, cancel=True))
    assert str(cancelled["METHOD"]) == "CANCEL"
    [event] = cancelled.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"]), str(event["STATUS"])) == (uid, 3, "CANCELLED")
    assert not event.walk("VALARM")


def test_feed_holds_my_groups_sessions_in_window_with_my_status(world, client):
    now = timezone.now()
    second = MembershipFactory(user=world.member).group
    attend = SessionFactory(group=world.group, starts_at=now + timedelta(days=3))
    declined = SessionFactory(group=second, starts_at=now + timedelta(days=10))
    recent = SessionFactory(group=world.group, starts_at=now - timedelta(days=60))
    SessionFactory(group=world.group, starts_at=now - timedelta(days=120))  # older than 3 months
    SessionFactory(group=world.other_group, starts_at=now + timedelta(days=3))  # not my group
    services.rsvp_set(session=attend, user=world.member, answer=RSVP.Answer.ATTEND)
    services.rsvp_set(session=declined, user=world.member, answer=RSVP.Answer.DECLINE, decline_reason="sick")

    response = client.get(feed_url(world.member))
    assert response.status_code == 200
    cal = parse(response.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert sorted(events) == sorted(s.ical_uid for s in (attend, declined, recent))
    assert len(cal.walk("VEVENT")) == 3
    assert cal.walk("VTIMEZONE")
    assert events[attend.ical_uid].walk("VALARM") and "je komt" in str(events[attend.ical_uid]["DESCRIPTION"])
    assert not events[declined.ical_uid].walk("VALARM")
    assert "afgemeld" in str(events[declined.ical_uid]["DESCRIPTION"])
    assert str(events[declined.ical_uid]["TRANSP"]) == "TRANSPARENT"
    for event in events.values():
        assert event.get("DTSTAMP") is not None and event["DTSTART"].params["TZID"] == "Europe/Amsterdam"

    # Stable: the same UIDs on the next poll.
    again = parse(client.get(feed_url(world.member)).content)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(events)


def test_feed_shows_sequence_after_two_changes_and_cancellation(world, client):
    session = SessionFactory(group=world.group)
    client.get(feed_url(world.member))  # warm the cache
    for days in (1, 2):
        start = session.starts_at + timedelta(days=days)
        services.session_update(session=session, starts_at=start, ends_at=start + timedelta(hours=2))
    [event] = parse(client.get(feed_url(world.member)).content).walk("VEVENT")
    assert int(event["SEQUENCE"]) == 2
    services.session_cancel(session=session, reason="Te weinig aanmeldingen")
    [event] = parse(client.get(feed_url(world.member)).content).walk("VEVENT")
    assert (int(event["SEQUENCE"]), str(event["STATUS"])) == (3, "CANCELLED")


def test_conditional_get_answers_304_until_something_changes(world, client):
    session = SessionFactory(group=world.group)
    first = client.get(feed_url(world.member))
    etag = first["ETag"]
    assert client.get(feed_url(world.member), headers={"if-none-match": etag}).status_code == 304

    services.rsvp_set(session=session, user=world.member, answer=RSVP.Answer.MAYBE)
    changed = client.get(feed_url(world.member), headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    [event] = parse(changed.content).walk("VEVENT")
    assert "misschien" in str(event["DESCRIPTION"])


def test_no_last_modified_so_if_modified_since_alone_never_gives_a_wrong_304(world, client):
    """A date cannot tell that a group was left (its sessions' timestamps do not move): the ETag is the
    only validator, so a client that sends only If-Modified-Since always gets the feed."""
    from groups.services import membership_deactivate

    other = MembershipFactory(user=world.member).group
    SessionFactory(group=world.group)
    SessionFactory(group=other)
    first = client.get(feed_url(world.member))
    assert "Last-Modified" not in first
    membership_deactivate(membership=world.membership(world.member))
    later = http_date(time.time() + 60)
    response = client.get(feed_url(world.member), headers={"if-modified-since": later})
    assert response.status_code == 200 and len(parse(response.content).walk("VEVENT")) == 1
    assert "Last-Modified" not in response


def test_conditional_get_reads_no_session_when_nothing_changed(world, client, django_assert_num_queries):
    for days in (1, 8, 15):
        SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=days))
    etag = client.get(feed_url(world.member))["ETag"]
    with django_assert_num_queries(1):  # the token; the version comes from the cache
        assert client.get(feed_url(world.member), headers={"if-none-match": etag}).status_code == 304
    cache.delete(feedcache._version_key(world.member.pk))  # evicted: the database answers, same ETag
    assert client.get(feed_url(world.member), headers={"if-none-match": etag}).status_code == 304


def test_every_kind_of_change_gives_a_new_etag_never_a_stale_304(world, client):
    from groups.services import membership_deactivate

    now = timezone.now().replace(second=0, microsecond=0)
    session = SessionFactory(group=world.group, starts_at=now + timedelta(days=5))
    other = SessionFactory(group=world.group, starts_at=now + timedelta(days=12))
    second = MembershipFactory(user=world.member).group
    SessionFactory(group=second, starts_at=now + timedelta(days=6))
    third = SessionFactory(starts_at=now + timedelta(days=9)).group
    schedule = {}
    member = world.member

    def rename():
        world.group.name = "Groep Oost"
        world.group.save()

    def zone(name):
        if "schedule" in schedule:
            schedule["schedule"].timezone = name
            schedule["schedule"].save()
        else:
            schedule["schedule"] = ScheduleFactory(group=world.group, timezone=name)

    def set_status(status):
        session.refresh_from_db()
        session.status = status
        session.save()

    def rename_me():
        member.display_name = "Iemand Anders"
        member.save()

    changes = [
        (
            "one-off session",
            lambda: services.session_create(
                group=world.group,
                starts_at=now + timedelta(days=20),
                ends_at=now + timedelta(days=20, hours=2),
            ),
        ),
        (
            "rescheduled",
            lambda: services.session_update(
                session=session, starts_at=now + timedelta(days=4), ends_at=now + timedelta(days=4, hours=2)
            ),
        ),
        ("moved", lambda: services.session_update(session=session, location="Elders")),
        ("first answer", lambda: services.rsvp_set(session=session, user=member, answer="attend")),
        (
            "answer changed",
            lambda: services.rsvp_set(session=session, user=member, answer="decline", decline_reason="sick"),
        ),
        ("group renamed", rename),
        ("schedule with a zone", lambda: zone("Europe/London")),
        ("zone changed", lambda: zone("Europe/Lisbon")),
        ("cancelled", lambda: services.session_cancel(session=other, reason="Te weinig aanmeldingen")),
        ("held", lambda: set_status(Session.Status.HELD)),
        ("session deleted", lambda: Session.objects.get(pk=other.pk).delete()),
        ("joined a group", lambda: MembershipFactory(user=member, group=third)),
        ("left a group", lambda: membership_deactivate(membership=world.membership(member))),
        ("language", lambda: user_set_language(user=member, language="en")),
        ("name (the calendar's name)", rename_me),
    ]
    etag = client.get(feed_url(member))["ETag"]
    for label, change in changes:
        assert client.get(feed_url(member), headers={"if-none-match": etag}).status_code == 304, label
        change()
        response = client.get(feed_url(member), headers={"if-none-match": etag})
        assert response.status_code == 200, label
        assert response["ETag"] != etag, label
        etag = response["ETag"]
    uids = {str(e["UID"]) for e in parse(client.get(feed_url(member)).content).walk("VEVENT")}
    assert session.ical_uid not in uids and other.ical_uid not in uids  # left that group
    assert len(uids) == 2  # the second group's session and the third group's


def test_renaming_a_group_refreshes_the_cached_events(world, client):
    SessionFactory(group=world.group)
    [event] = parse(client.get(feed_url(world.member)).content).walk("VEVENT")
    assert "Groep Noord" in str(event["SUMMARY"])
    world.group.name = "Groep Oost"
    world.group.save()
    [event] = parse(client.get(feed_url(world.member)).content).walk("VEVENT")
    assert "Groep Oost" in str(event["SUMMARY"]) and "Groep Noord" not in str(event["SUMMARY"])


def test_a_version_computed_before_the_commit_is_retired_after_it(world, django_capture_on_commit_callbacks):
    """The race: a request reads the database just before a change commits and stores that (old) version
    in the cache; the second invalidation, after the commit, retires it."""
    session = SessionFactory(group=world.group)
    before = feedcache.feed_etag(world.member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.rsvp_set(session=session, user=world.member, answer=RSVP.Answer.ATTEND)
    gen = cache.get(feedcache._gen_key(world.member.pk))
    cache.set(feedcache._version_key(world.member.pk), (gen, before, None))  # the racing request
    assert feedcache.feed_etag(world.member) == before
    assert callbacks
    for callback in callbacks:
        callback()
    assert feedcache.feed_etag(world.member) != before


def test_the_cached_version_ends_when_the_oldest_session_leaves_the_window(world):
    now = timezone.now()
    oldest = SessionFactory(group=world.group, starts_at=now - timedelta(days=80))
    SessionFactory(group=world.group, starts_at=now + timedelta(days=3))
    etag = feedcache.feed_etag(world.member, now=now)
    assert feedcache.feed_etag(world.member, now=now + timedelta(days=1)) == etag
    gone = oldest.ends_at + relativedelta(months=3) + timedelta(minutes=1)
    assert feedcache.feed_etag(world.member, now=gone) != etag


def test_a_rule_change_cancels_in_the_feed_and_changing_it_back_restores(world, client):
    schedule = ScheduleFactory(
        group=world.group,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        first_date=timezone.localdate() + timedelta(days=1),
        start_time=dt_time(14, 0),
        horizon_months=2,
    )
    schedule_generate(schedule=schedule)

    def events():
        return {str(e["UID"]): e for e in parse(client.get(feed_url(world.member)).content).walk("VEVENT")}

    before = events()
    assert len(before) >= 8 and not any("STATUS" in e for e in before.values())
    schedule.rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"
    result = schedule_save(schedule=schedule)
    after = events()
    assert set(after) == set(before)  # nothing vanished without a word
    dropped = {s.ical_uid for s in result.cancelled}
    assert dropped and len(dropped) < len(before)
    for uid in dropped:
        assert (str(after[uid]["STATUS"]), int(after[uid]["SEQUENCE"])) == ("CANCELLED", 1)
        assert "Geannuleerd" in str(after[uid]["SUMMARY"])

    schedule.rrule = "FREQ=WEEKLY;BYDAY=TU"
    assert {s.ical_uid for s in schedule_save(schedule=schedule).restored} == dropped
    restored = events()
    assert set(restored) == set(before)
    for uid in dropped:
        assert "STATUS" not in restored[uid] and int(restored[uid]["SEQUENCE"]) == 2
        assert restored[uid].walk("VALARM")


def test_warm_feed_builds_no_event_and_a_change_rebuilds_only_that_one(world, client, monkeypatch):
    sessions = [
        SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=d)) for d in (1, 8, 15)
    ]
    built = []
    original = ical._Builder.event

    def counting(self, row, **kwargs):
        built.append(row.pk)
        return original(self, row, **kwargs)

    monkeypatch.setattr(ical._Builder, "event", counting)
    cold = client.get(feed_url(world.member)).content
    assert sorted(built) == sorted(s.pk for s in sessions)
    built.clear()
    warm = client.get(feed_url(world.member)).content
    assert built == [] and warm == cold
    services.rsvp_set(session=sessions[1], user=world.member, answer=RSVP.Answer.ATTEND)
    client.get(feed_url(world.member))
    assert built == [sessions[1].pk]


def test_regenerated_token_makes_the_old_feed_url_404(world, client):
    SessionFactory(group=world.group)
    old = feed_url(world.member)
    assert client.get(old).status_code == 200
    user_regenerate_feed_token(user=world.member)
    assert client.get(old).status_code == 404
    new = client.get(feed_url(world.member))
    assert new.status_code == 200 and len(parse(new.content).walk("VEVENT")) == 1


def test_regenerate_over_http(world, client_for):
    client = client_for(world.member)
    old = feed_url(world.member)
    page = client.get(reverse("sessions:feed_settings"))
    assert b"webcal://" in page.content and old.encode() in page.content
    assert client.post(reverse("sessions:feed_regenerate")).status_code == 302
    world.member.refresh_from_db()
    assert client.get(old).status_code == 404
    assert client.get(feed_url(world.member)).status_code == 200


def test_former_member_loses_the_group_in_the_feed(world, client):
    SessionFactory(group=world.group)
    feed = parse(client.get(feed_url(world.former_member)).content)
    assert feed.walk("VEVENT") == []


def test_etag_changes_when_the_feed_does(world, client):
    from groups.services import membership_deactivate

    sessions = [SessionFactory(group=world.group) for _ in range(2)]
    other = MembershipFactory(user=world.member).group
    SessionFactory(group=other)

    def etag():
        return client.get(feed_url(world.member))["ETag"]

    seen = [etag()]
    sessions[0].delete()  # e.g. dropped by a rule change
    seen.append(etag())
    ScheduleFactory(group=world.group, timezone="Europe/London")
    seen.append(etag())
    membership_deactivate(membership=world.membership(world.member))
    seen.append(etag())
    assert len(set(seen)) == 4
    [event] = parse(client.get(feed_url(world.member)).content).walk("VEVENT")
    assert event["DTSTART"].params["TZID"] == "Europe/Amsterdam"  # only the other group's session is left


def test_feed_events_keep_the_model_uid(world):
    session = SessionFactory(group=world.group)
    assert ical.ical_uid(session.pk) == session.ical_uid
