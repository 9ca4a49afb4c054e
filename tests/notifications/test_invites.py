"""Invites and cancellations as mail clients read them: the MIME structure of the message as sent (parsed
with ``email``), the iTIP calendar inside it (parsed with ``icalendar``), the member's answer as PARTSTAT
after a change, a cancellation that removes the event, and the calendar path that leaves the calendar parts
out for members who follow the feed."""

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from notifications import services, sweep
from notifications.models import CalendarPath, Kind, NotificationPreference, Outbox
from sessions import services as session_services
from sessions.models import RSVP
from tests.groups.forms_html import post_data, rendered_form
from tests.html import texts

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db

PARTSTATS = {
    RSVP.Answer.ATTEND: "ACCEPTED",
    RSVP.Answer.DECLINE: "DECLINED",
    RSVP.Answer.MAYBE: "TENTATIVE",
    None: "NEEDS-ACTION",
}
ANSWER_TEXTS = {
    RSVP.Answer.ATTEND: "Jouw antwoord: je komt",
    RSVP.Answer.DECLINE: "Jouw antwoord: je hebt je afgemeld",
    RSVP.Answer.MAYBE: "Jouw antwoord: misschien",
    None: "Jouw antwoord: nog niet gereageerd",
}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def sent(user, kind):
    """The parsed messages of ``kind`` that went to ``user``, oldest first."""
    ids = {str(pk) for pk in Outbox.objects.filter(recipient=user, kind=kind).values_list("pk", flat=True)}
    found = []
    for message in mail.outbox:
        parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
        if parsed["X-Intervisie-Outbox"] in ids:
            found.append(parsed)
    return found


def calendar_parts(message):
    return [
        part for part in message.walk() if part.get_content_type() in ("text/calendar", "application/ics")
    ]


def imip(message):
    """The inline iTIP part and the file: checked for structure, returned parsed."""
    assert message.get_content_type() == "multipart/mixed"
    body, *files = message.iter_parts()
    assert body.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in body.iter_parts()] == ["text/plain", "text/html", "text/calendar"]
    inline = list(body.iter_parts())[-1]
    assert inline.get_content_disposition() is None  # inline: the mail client shows a meeting request
    assert inline.get_content_charset() == "utf-8"
    [file] = files
    assert file.get_content_type() == "application/ics"
    assert file.get_content_disposition() == "attachment"
    inline_calendar = Calendar.from_ical(inline.get_content())
    file_calendar = Calendar.from_ical(file.get_content())
    assert inline_calendar.to_ical() == file_calendar.to_ical()
    # The Content-Type's method is the METHOD inside (RFC 6047 2.4).
    assert inline.get_param("method") == str(inline_calendar["METHOD"])
    return inline_calendar, file.get_filename()


def test_an_invite_is_an_imip_request_inline_and_as_a_named_file():
    group, facilitator, (anna,) = group_with_members(members=1, name="Wijkteam Noord")
    session = plan_session(group, location="Stadskantoor")
    sweep.sweep_once()
    [message] = sent(anna, Kind.INVITE)
    calendar, filename = imip(message)
    assert str(calendar["METHOD"]) == "REQUEST" and filename == "uitnodiging.ics"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == session.ical_uid
    assert str(event["SUMMARY"]) == "Intervisie · Wijkteam Noord"
    assert str(event["ORGANIZER"]) == f"mailto:{facilitator.email}"
    assert event["ORGANIZER"].params["CN"] == facilitator.display_name
    attendee = event["ATTENDEE"]
    assert str(attendee) == f"mailto:{anna.email}" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert event["DTSTART"].dt == session.starts_at.replace(microsecond=0)
    assert event.walk("VALARM")


def test_after_a_change_each_member_gets_their_own_answer_as_partstat_and_text():
    group, _, members = group_with_members(members=4)
    session = plan_session(group)
    answers = dict(zip(members, PARTSTATS, strict=True))
    for member, value in answers.items():
        if value is not None:
            reason = "sick" if value == RSVP.Answer.DECLINE else ""
            session_services.rsvp_set(session=session, user=member, answer=value, decline_reason=reason)
    sweep.sweep_once()  # the first invites
    start = session.starts_at + timedelta(hours=1)
    session_services.session_update(session=session, starts_at=start, ends_at=start + timedelta(hours=2))
    session.refresh_from_db()
    sweep.sweep_once()  # the invites of the change

    for member, value in answers.items():
        first, changed = sent(member, Kind.INVITE)
        calendar, _filename = imip(changed)
        [event] = calendar.walk("VEVENT")
        assert event["ATTENDEE"].params["PARTSTAT"] == PARTSTATS[value], member
        assert ANSWER_TEXTS[value] in str(event["DESCRIPTION"])
        assert event["DTSTART"].dt == start.replace(microsecond=0)
        [earlier] = imip(first)[0].walk("VEVENT")
        assert str(earlier["UID"]) == str(event["UID"])
        assert int(event["SEQUENCE"]) == int(earlier["SEQUENCE"]) + 1
        assert event["DTSTAMP"].dt >= earlier["DTSTAMP"].dt
        assert event["LAST-MODIFIED"].dt == session.updated_at.replace(microsecond=0)
        # A decline keeps the event free in the calendar and without a reminder.
        declined = value == RSVP.Answer.DECLINE
        assert (str(event.get("TRANSP", "OPAQUE")) == "TRANSPARENT") == declined
        assert bool(event.walk("VALARM")) != declined


def test_a_cancellation_removes_the_event():
    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group)
    session_services.rsvp_set(session=session, user=anna, answer=RSVP.Answer.ATTEND)
    sweep.sweep_once()
    [invite] = sent(anna, Kind.INVITE)
    [requested] = imip(invite)[0].walk("VEVENT")
    session_services.session_cancel(session=session, reason="De begeleider is ziek")
    sweep.sweep_once()
    [cancellation] = sent(anna, Kind.CANCELLATION)
    calendar, filename = imip(cancellation)
    assert str(calendar["METHOD"]) == "CANCEL" and filename == "afzegging.ics"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == str(requested["UID"])
    assert int(event["SEQUENCE"]) > int(requested["SEQUENCE"])
    assert str(event["STATUS"]) == "CANCELLED"
    assert str(event["ORGANIZER"]) == str(requested["ORGANIZER"])
    assert event["ATTENDEE"].params["PARTSTAT"] == "ACCEPTED"
    assert not event.walk("VALARM")


def test_members_who_follow_the_feed_get_the_mails_without_calendar_parts():
    group, _, (anna, bram) = group_with_members(members=2)
    services.calendar_path_set(user=anna, path=CalendarPath.FEED)
    session = plan_session(group)
    sweep.sweep_once()
    [anna_invite] = sent(anna, Kind.INVITE)
    [bram_invite] = sent(bram, Kind.INVITE)
    assert calendar_parts(anna_invite) == []
    assert [p.get_content_type() for p in anna_invite.iter_parts()] == ["text/plain", "text/html"]
    assert len(calendar_parts(bram_invite)) == 2
    # Their lead says where the session is instead of pointing at an attachment.
    assert anna_invite.get_body(("plain",)).get_content() != bram_invite.get_body(("plain",)).get_content()

    session_services.session_cancel(session=session, reason="Te weinig aanmeldingen")
    sweep.sweep_once()
    [anna_cancel] = sent(anna, Kind.CANCELLATION)
    [bram_cancel] = sent(bram, Kind.CANCELLATION)
    assert calendar_parts(anna_cancel) == []
    assert len(calendar_parts(bram_cancel)) == 2


def test_the_calendar_path_is_chosen_on_the_feed_settings_page(client_for):
    group, _, (anna,) = group_with_members(members=1)
    client = client_for(anna)
    action = reverse("notifications:calendar_path")
    page = client.get(reverse("sessions:feed_settings"))
    assert page.status_code == 200
    form = rendered_form(page.content.decode(), "calendar_path", action=action)
    assert form.data["calendar_path"] == CalendarPath.INVITES  # the checked one
    # Posted back as rendered, with the other choice.
    response = client.post(action, {**post_data(form), "calendar_path": CalendarPath.FEED})
    assert response.status_code == 302 and response["Location"] == reverse("sessions:feed_settings")
    assert NotificationPreference.objects.get(user=anna).calendar_path == CalendarPath.FEED
    form = rendered_form(client.get(reverse("sessions:feed_settings")).content.decode(), "calendar_path")
    assert form.data["calendar_path"] == CalendarPath.FEED


def test_a_calendar_path_that_does_not_exist_is_refused_with_a_message():
    from django.test import Client

    group, _, (anna,) = group_with_members(members=1)
    client = Client()
    client.force_login(anna, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(reverse("notifications:calendar_path"), {"calendar_path": "both"})
    assert response.status_code == 400
    [error] = texts(response.content.decode(), "div", class_="invalid-feedback")
    assert "both" in error and "calendar_path" not in error  # Django's "not one of the choices", translated
    assert not NotificationPreference.objects.filter(user=anna).exists()


def test_fetching_the_feed_offers_the_switch_but_does_not_make_it(client_for):
    group, _, (anna,) = group_with_members(members=1)
    plan_session(group)
    client = client_for(anna)

    def offer():
        return texts(client.get(reverse("sessions:feed_settings")).content.decode(), "div", role="status")

    assert offer() == []
    assert client.get(reverse("sessions:feed", kwargs={"token": anna.feed_token})).status_code == 200
    assert len(offer()) == 1
    assert not NotificationPreference.objects.filter(user=anna, calendar_path=CalendarPath.FEED).exists()
    services.calendar_path_set(user=anna, path=CalendarPath.FEED)
    assert offer() == []


def test_the_invite_is_built_without_the_sweeps_annotations_too():
    """``build_message`` outside the sweep (a preview, a resend) looks the answer and the path up."""
    from notifications.emails import build_message

    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group)
    session_services.rsvp_set(session=session, user=anna, answer=RSVP.Answer.MAYBE)
    row = Outbox.objects.select_related("recipient", "group", "session").get(recipient=anna, kind=Kind.INVITE)
    parsed = message_from_bytes(build_message(row).message().as_bytes(), policy=policy.default)
    [event] = imip(parsed)[0].walk("VEVENT")
    assert event["ATTENDEE"].params["PARTSTAT"] == "TENTATIVE"
    services.calendar_path_set(user=anna, path=CalendarPath.FEED)
    assert (
        calendar_parts(message_from_bytes(build_message(row).message().as_bytes(), policy=policy.default))
        == []
    )


def test_a_session_in_the_past_gets_no_alarm_in_its_invite():
    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=2))
    from sessions.calendar import session_invite_ics

    session.starts_at = timezone.now() - timedelta(hours=1)
    session.ends_at = session.starts_at + timedelta(hours=2)
    [event] = Calendar.from_ical(session_invite_ics(session, cancel=False, attendee_email=anna.email)).walk(
        "VEVENT"
    )
    assert not event.walk("VALARM")
