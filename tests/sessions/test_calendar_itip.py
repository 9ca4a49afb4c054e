"""What the feed and the downloads tell about the reader: ATTENDEE with their answer as PARTSTAT, the
facilitator as ORGANIZER, LAST-MODIFIED/DTSTAMP that move when the reader's own answer changes what they
see, SUMMARY as a title, no alarm once a session began, HEAD like GET. Every calendar is read back with
the icalendar library."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from sessions import feedcache, services
from sessions.models import RSVP
from tests.factories import GroupFactory, MembershipFactory, UserFactory

from .factories import SessionFactory

pytestmark = pytest.mark.django_db

PARTSTATS = {
    RSVP.Answer.ATTEND: "ACCEPTED",
    RSVP.Answer.DECLINE: "DECLINED",
    RSVP.Answer.MAYBE: "TENTATIVE",
    None: "NEEDS-ACTION",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def feed_url(user) -> str:
    return reverse("sessions:feed", kwargs={"token": user.feed_token})


def download_url(session) -> str:
    return reverse("sessions:download", kwargs={"session_id": session.pk})


def events_of(body: bytes) -> dict:
    return {str(event["UID"]): event for event in Calendar.from_ical(body).walk("VEVENT")}


def answer(session, user, value, **kwargs):
    reason = "busy" if value == RSVP.Answer.DECLINE else ""
    return services.rsvp_set(session=session, user=user, answer=value, decline_reason=reason, **kwargs)


def address(prop) -> str:
    return str(prop).removeprefix("mailto:")


def seconds(moment):
    return moment.replace(microsecond=0)


def test_the_feed_names_the_reader_as_attendee_with_their_answer_and_the_facilitator_as_organizer(
    world, client
):
    now = timezone.now()
    sessions = {
        value: SessionFactory(group=world.group, starts_at=now + timedelta(days=3 + n))
        for n, value in enumerate(PARTSTATS)
    }
    for value, session in sessions.items():
        if value is not None:
            answer(session, world.member, value)

    events = events_of(client.get(feed_url(world.member)).content)
    assert len(events) == len(PARTSTATS)
    for value, session in sessions.items():
        event = events[session.ical_uid]
        attendees = event.get("ATTENDEE")
        assert not isinstance(attendees, list)  # the reader only: no other member's address
        assert address(attendees) == world.member.email
        assert attendees.params["PARTSTAT"] == PARTSTATS[value]
        assert attendees.params["CN"] == world.member.display_name
        assert address(event["ORGANIZER"]) == world.facilitator.email
        assert event["ORGANIZER"].params["CN"] == world.facilitator.display_name


def test_an_answer_moves_last_modified_and_dtstamp_of_that_readers_event_only(world, client):
    session = SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=5))
    other = MembershipFactory(group=world.group).user
    before = events_of(client.get(feed_url(world.member)).content)[session.ical_uid]
    other_before = events_of(client.get(feed_url(other)).content)[session.ical_uid]
    assert before["LAST-MODIFIED"].dt == seconds(session.updated_at)
    assert before["DTSTAMP"].dt == before["LAST-MODIFIED"].dt  # no METHOD: DTSTAMP is LAST-MODIFIED
    assert before.walk("VALARM") and "TRANSP" not in before

    later = timezone.now() + timedelta(minutes=5)
    rsvp = answer(session, world.member, RSVP.Answer.DECLINE, now=later)
    after = events_of(client.get(feed_url(world.member)).content)[session.ical_uid]
    assert after["LAST-MODIFIED"].dt == seconds(rsvp.answered_at) > before["LAST-MODIFIED"].dt
    assert after["DTSTAMP"].dt == after["LAST-MODIFIED"].dt
    assert str(after["TRANSP"]) == "TRANSPARENT" and not after.walk("VALARM")
    assert after["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    # The reader's own answer is no organizer's revision (RFC 5546): SEQUENCE stays.
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"])
    # Another member's copy did not change.
    other_after = events_of(client.get(feed_url(other)).content)[session.ical_uid]
    assert other_after.to_ical() == other_before.to_ical()

    # A session change afterwards moves it again, and SEQUENCE with it.
    start = session.starts_at + timedelta(hours=1)
    services.session_update(session=session, starts_at=start, ends_at=start + timedelta(hours=2))
    session.refresh_from_db()
    changed = events_of(client.get(feed_url(world.member)).content)[session.ical_uid]
    assert changed["LAST-MODIFIED"].dt == seconds(max(session.updated_at, rsvp.answered_at))
    assert int(changed["SEQUENCE"]) == int(after["SEQUENCE"]) + 1
    assert changed["DTSTART"].dt == seconds(session.starts_at)


def test_a_new_facilitator_becomes_the_organizer_in_every_members_feed(world, client):
    session = SessionFactory(group=world.group)
    first = events_of(client.get(feed_url(world.member)).content)[session.ical_uid]
    assert address(first["ORGANIZER"]) == world.facilitator.email
    world.facilitator.display_name = "Fenna de Begeleider"
    world.facilitator.save()
    renamed = events_of(client.get(feed_url(world.member)).content)[session.ical_uid]
    assert renamed["ORGANIZER"].params["CN"] == "Fenna de Begeleider"


def test_a_group_without_facilitator_has_the_configured_organizer(client, settings):
    settings.CALENDAR_ORGANIZER_EMAIL = "Planning Wijkteams <planning@example.org>"
    group = GroupFactory()
    reader = MembershipFactory(group=group).user
    session = SessionFactory(group=group)
    event = events_of(client.get(feed_url(reader)).content)[session.ical_uid]
    assert address(event["ORGANIZER"]) == "planning@example.org"
    assert event["ORGANIZER"].params["CN"] == "Planning Wijkteams"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("Wijkteam Noord", "Intervisie · Wijkteam Noord"),
        ("Intervisie Wijkteam Noord", "Intervisie Wijkteam Noord"),
        ("Wijkteam intervisie Zuid", "Wijkteam intervisie Zuid"),
    ],
)
def test_summary_reads_as_a_title(client, name, title):
    group = GroupFactory(name=name)
    reader = MembershipFactory(group=group).user
    session = SessionFactory(group=group)
    event = events_of(client.get(feed_url(reader)).content)[session.ical_uid]
    assert str(event["SUMMARY"]) == title
    assert str(event.walk("VALARM")[0]["DESCRIPTION"]) == title


def test_a_session_that_has_begun_carries_no_alarm(world, client):
    now = timezone.now()
    past = SessionFactory(group=world.group, starts_at=now - timedelta(days=7))
    running = SessionFactory(group=world.group, starts_at=now - timedelta(minutes=30))
    coming = SessionFactory(group=world.group, starts_at=now + timedelta(days=7))
    events = events_of(client.get(feed_url(world.member)).content)
    assert not events[past.ical_uid].walk("VALARM")
    assert not events[running.ical_uid].walk("VALARM")
    assert events[coming.ical_uid].walk("VALARM")
    # The download of a past session has none either.
    body = client_get_as(client, world.member, download_url(past)).content
    assert not Calendar.from_ical(body).walk("VALARM")


def test_the_feed_changes_when_a_session_begins(world, client, monkeypatch):
    """The begun session loses its alarm without any save: the ETag's version ends at the next start."""
    start = timezone.now() + timedelta(hours=2)
    session = SessionFactory(group=world.group, starts_at=start)
    first = client.get(feed_url(world.member))
    assert events_of(first.content)[session.ical_uid].walk("VALARM")
    assert client.get(feed_url(world.member), headers={"if-none-match": first["ETag"]}).status_code == 304

    later = start + timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    again = client.get(feed_url(world.member), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert not events_of(again.content)[session.ical_uid].walk("VALARM")


def client_get_as(client, user, url, **kwargs):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client.get(url, **kwargs)


def test_the_download_is_publish_with_organizer_and_no_attendee(world, client):
    """RFC 5546 3.2.1: PUBLISH has an ORGANIZER and no ATTENDEE; the reader's answer is in the text."""
    session = SessionFactory(group=world.group)
    answer(session, world.member, RSVP.Answer.ATTEND)
    calendar = Calendar.from_ical(client_get_as(client, world.member, download_url(session)).content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    assert address(event["ORGANIZER"]) == world.facilitator.email
    assert "ATTENDEE" not in event
    assert "je komt" in str(event["DESCRIPTION"])


def test_the_download_moves_with_the_readers_answer_and_answers_304_until_then(world, client):
    session = SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=4))
    first = client_get_as(client, world.member, download_url(session))
    assert first["ETag"]
    [event] = Calendar.from_ical(first.content).walk("VEVENT")
    again = client.get(download_url(session), headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""

    rsvp = answer(session, world.member, RSVP.Answer.MAYBE, now=timezone.now() + timedelta(minutes=3))
    changed = client.get(download_url(session), headers={"if-none-match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    [moved] = Calendar.from_ical(changed.content).walk("VEVENT")
    assert moved["LAST-MODIFIED"].dt == seconds(rsvp.answered_at) > event["LAST-MODIFIED"].dt
    assert moved["DTSTAMP"].dt == moved["LAST-MODIFIED"].dt


SAME_HEADERS = ("Content-Type", "Content-Disposition", "ETag", "Cache-Control", "Content-Length")


def test_head_on_the_feed_answers_like_get_without_a_body(world, client):
    SessionFactory(group=world.group)
    get = client.get(feed_url(world.member))
    head = client.head(feed_url(world.member))
    assert head.status_code == 200 and head.content == b""
    for name in SAME_HEADERS:
        if name in get:
            assert head[name] == get[name], name
    assert "ETag" in head and int(head["Content-Length"]) == len(get.content)
    conditional = client.head(feed_url(world.member), headers={"if-none-match": get["ETag"]})
    assert conditional.status_code == 304 and conditional["ETag"] == get["ETag"]
    assert client.post(feed_url(world.member)).status_code == 405


def test_head_on_a_download_answers_like_get_without_a_body(world, client):
    session = SessionFactory(group=world.group)
    get = client_get_as(client, world.member, download_url(session))
    head = client.head(download_url(session))
    assert head.status_code == 200 and head.content == b""
    for name in SAME_HEADERS:
        if name in get:
            assert head[name] == get[name], name
    conditional = client.head(download_url(session), headers={"if-none-match": get["ETag"]})
    assert conditional.status_code == 304


def test_head_on_someone_elses_download_is_refused_like_get(world, client):
    session = SessionFactory(group=world.other_group)
    assert client_get_as(client, world.member, download_url(session)).status_code == 404
    assert client.head(download_url(session)).status_code == 404
    anonymous = client.__class__()
    assert anonymous.head(download_url(session)).status_code == 302


def test_a_full_fetch_of_the_feed_is_recorded_for_the_settings_page(world, client):
    assert feedcache.last_fetched(world.member) is None
    client.get(feed_url(world.member))
    assert feedcache.last_fetched(world.member) is not None
    assert feedcache.last_fetched(UserFactory()) is None


def test_a_change_of_facilitator_reaches_every_members_feed(world, client):
    """The facilitator is the ORGANIZER of the whole group: their role change invalidates every member's
    feed, not only their own (a member polling with their ETag gets the new organizer, not a 304)."""
    from groups.models import Membership
    from groups.services import membership_role_change

    session = SessionFactory(group=world.group)
    other = MembershipFactory(group=world.group).user
    first = client.get(feed_url(other))
    assert address(events_of(first.content)[session.ical_uid]["ORGANIZER"]) == world.facilitator.email
    assert client.get(feed_url(other), headers={"if-none-match": first["ETag"]}).status_code == 304

    membership_role_change(
        membership=Membership.objects.get(group=world.group, user=world.member),
        role=Membership.Role.FACILITATOR,
    )
    membership_role_change(
        membership=Membership.objects.get(group=world.group, user=world.facilitator),
        role=Membership.Role.MEMBER,
    )
    response = client.get(feed_url(other), headers={"if-none-match": first["ETag"]})
    assert response.status_code == 200
    assert address(events_of(response.content)[session.ical_uid]["ORGANIZER"]) == world.member.email
