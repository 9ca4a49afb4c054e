"""Rules that once lived only in sessions/forms.py and are now the services': a decline with reason "anders"
needs a note (``rsvp_set``), a session starts in the future (``session_create`` / ``session_update``).
Each is checked with the service called directly, then through the page: the error at the field, 400, what
was typed kept, nothing stored."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sessions import services
from sessions.models import RSVP, Session
from tests.html import texts

from .factories import SessionFactory
from .test_wallclock_forms import field_errors

pytestmark = pytest.mark.django_db


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag, attrs):
        given = dict(attrs)
        if tag in ("input", "select") and given.get("name"):
            self.found.setdefault(given["name"], {k: v or "" for k, v in given.items()})


def inputs(html: str) -> dict[str, dict[str, str]]:
    """The first input or select of each name, with its attributes."""
    parser = _Inputs()
    parser.feed(html)
    return parser.found


OTHER = {"answer": "decline", "decline_reason": "other"}


@pytest.fixture
def session(world):
    return SessionFactory(group=world.group)


# --- a decline with reason "anders" needs a note ----------------------------------------------------------


def test_rsvp_set_refuses_other_without_a_note_at_the_note(world, session):
    for note in ("", "   "):
        with pytest.raises(ValidationError) as raised:
            services.rsvp_set(
                session=session,
                user=world.member,
                answer="decline",
                decline_reason="other",
                decline_note=note,
            )
        assert set(raised.value.error_dict) == {"decline_note"}
    assert not RSVP.objects.exists()
    rsvp = services.rsvp_set(
        session=session,
        user=world.member,
        answer="decline",
        decline_reason="other",
        decline_note="verhuizing",
    )
    assert (rsvp.decline_reason, rsvp.decline_note) == ("other", "verhuizing")


def test_rsvp_set_refuses_a_decline_without_reason_at_the_reason(world, session):
    with pytest.raises(ValidationError) as raised:
        services.rsvp_set(session=session, user=world.member, answer="decline", decline_note="drukke week")
    assert set(raised.value.error_dict) == {"decline_reason"}
    assert not RSVP.objects.exists()


def test_a_note_is_not_needed_for_another_reason(world, session):
    rsvp = services.rsvp_set(session=session, user=world.member, answer="decline", decline_reason="sick")
    assert (rsvp.answer, rsvp.decline_note) == ("decline", "")


@pytest.mark.parametrize("htmx", [False, True])
def test_the_page_shows_the_missing_note_at_the_note_field_with_400(world, client_for, session, htmx):
    RSVP.objects.create(session=session, user=world.member, answer="attend")
    headers = {"hx-request": "true"} if htmx else {}
    response = client_for(world.member).post(
        reverse("sessions:rsvp", kwargs={"session_id": session.pk}),
        {"answer": "decline", "decline_reason": "other", "decline_note": "  "},
        headers=headers,
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert ("<html" in html) is not htmx  # htmx gets the card fragment, a plain post the whole page
    fields = inputs(html)
    assert "is-invalid" in fields["decline_note"]["class"].split()
    assert "is-invalid" not in fields["decline_reason"]["class"].split()
    assert texts(html, "div", class_="invalid-feedback") == ["Licht 'anders' kort toe."]
    assert RSVP.objects.get(session=session, user=world.member).answer == "attend"


def test_the_page_keeps_what_was_typed_when_the_reason_is_missing(world, client_for, session):
    response = client_for(world.member).post(
        reverse("sessions:rsvp", kwargs={"session_id": session.pk}),
        {"answer": "decline", "decline_note": "drukke week"},
        headers={"hx-request": "true"},
    )
    assert response.status_code == 400
    fields = inputs(response.content.decode())
    assert "is-invalid" in fields["decline_reason"]["class"].split()
    assert fields["decline_note"]["value"] == "drukke week"
    assert not RSVP.objects.exists()


def test_the_one_click_decline_shows_the_missing_note_at_its_field(client):
    from notifications.models import Kind, OneClickUse, Outbox
    from notifications.tokens import Action, make_token
    from tests.notifications.factories import group_with_members, plan_session

    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group)
    reminder = Outbox.objects.get(session=session, recipient=anna, kind=Kind.REMINDER_FIRST)
    url = reverse("notifications:oneclick", kwargs={"token": make_token(reminder.pk, Action.DECLINE)})
    response = client.post(url, {"decline_reason": "other", "decline_note": ""})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"decline_note"}
    assert not RSVP.objects.exists() and not OneClickUse.objects.exists()  # the link can still be used
    response = client.post(url, {"decline_reason": "other", "decline_note": "verhuizing"})
    assert response.status_code == 200
    assert RSVP.objects.get(session=session, user=anna).decline_note == "verhuizing"


# --- a session starts in the future -----------------------------------------------------------------------


def test_session_create_refuses_a_start_in_the_past_at_the_start(world):
    for start in (timezone.now() - timedelta(days=2), timezone.now() - timedelta(minutes=1)):
        with pytest.raises(ValidationError) as raised:
            services.session_create(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
        assert set(raised.value.error_dict) == {"starts_at"}
    assert not Session.objects.filter(group=world.group).exists()
    start = timezone.now() + timedelta(minutes=5)
    services.session_create(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))


def test_session_update_refuses_a_new_start_in_the_past(world, session):
    start = timezone.now() - timedelta(days=1)
    with pytest.raises(ValidationError) as raised:
        services.session_update(session=session, starts_at=start, ends_at=start + timedelta(hours=2))
    assert set(raised.value.error_dict) == {"starts_at"}
    session.refresh_from_db()
    assert session.starts_at > timezone.now() and session.sequence == 0


def test_session_update_keeps_a_started_sessions_start_when_other_things_change(world):
    started = timezone.now() - timedelta(minutes=30)
    session = SessionFactory(group=world.group, starts_at=started, ends_at=started + timedelta(hours=2))
    assert services.session_update(session=session, location="Zaal 2") == {"location"}


def _typed(day, start="19:00", end="21:00"):
    return {"day": day.isoformat(), "start_time": start, "end_time": end, "presenter_slots": 1}


def test_the_new_session_page_shows_a_past_start_at_the_start_time_with_400(world, client_for):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(world.facilitator).post(
        reverse("sessions:new", kwargs={"group_id": world.group.pk}), _typed(yesterday)
    )
    assert response.status_code == 400
    assert field_errors(response) == {"start_time": "Kies een moment in de toekomst."}
    fields = inputs(response.content.decode())
    assert (fields["day"]["value"], fields["start_time"]["value"]) == (yesterday.isoformat(), "19:00")
    assert not Session.objects.filter(group=world.group).exists()


def test_the_edit_page_shows_a_past_start_at_the_start_time_with_400(world, client_for, session):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client_for(world.facilitator).post(
        reverse("sessions:edit", kwargs={"session_id": session.pk}), _typed(yesterday)
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"start_time"}
    before = session.starts_at
    session.refresh_from_db()
    assert session.starts_at == before
