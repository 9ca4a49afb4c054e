from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.services import user_regenerate_feed_token
from sessions import calendar as ical
from sessions import services
from sessions.models import RSVP
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
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert client.get(feed_url(world.member), headers={"if-none-match": etag}).status_code == 304
    assert client.get(feed_url(world.member), headers={"if-modified-since": last_modified}).status_code == 304

    services.rsvp_set(session=session, user=world.member, answer=RSVP.Answer.MAYBE)
    changed = client.get(feed_url(world.member), headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    [event] = parse(changed.content).walk("VEVENT")
    assert "misschien" in str(event["DESCRIPTION"])


def test_warm_feed_builds_no_event_and_a_change_rebuilds_only_that_one(world, client, monkeypatch):
    sessions = [
        SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=d)) for d in (1, 8, 15)
    ]
    built = []
    original = ical.session_event

    def counting(session, **kwargs):
        built.append(session.pk)
        return original(session, **kwargs)

    monkeypatch.setattr(ical, "session_event", counting)
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
