"""The attendance register's page (``sessions:attendance``): prefilled from the facts, the old casussen
address redirecting to it."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from sessions.attendance import attendance_initial, attendance_people
from sessions.models import RSVP, Attendance, Session
from sessions.signals import session_held
from tests.factories import MembershipFactory
from tests.sessions.factories import SessionFactory

pytestmark = pytest.mark.django_db


class _Radios(HTMLParser):
    """Every status radio of the register: user id → {value: checked}."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.radios: dict[int, dict[str, bool]] = {}

    def handle_starttag(self, tag, attrs):
        given = dict(attrs)
        name = given.get("name") or ""
        if tag == "input" and given.get("type") == "radio" and name.startswith("status_"):
            self.radios.setdefault(int(name.removeprefix("status_")), {})[given["value"]] = "checked" in given


def radios(html: str) -> dict[int, dict[str, bool]]:
    parser = _Radios()
    parser.feed(html)
    return parser.radios


def checked_statuses(html: str) -> dict[int, str | None]:
    """Per listed person the status whose radio is checked, ``None`` when none is."""
    result = {}
    for user_id, values in radios(html).items():
        chosen = [value for value, checked in values.items() if checked]
        assert len(chosen) <= 1
        result[user_id] = chosen[0] if chosen else None
    return result


@pytest.fixture
def past_session(world):
    # Members who joined before the session (the register lists only them).
    Membership.objects.filter(group=world.group).update(joined_at=timezone.now() - timedelta(days=30))
    start = timezone.now() - timedelta(hours=3)
    return SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2, minutes=30))


def test_register_prefilled_from_rsvps_makes_the_session_held(world, client_for, past_session):
    late = MembershipFactory(group=world.group, joined_at=timezone.now() - timedelta(days=3)).user
    newcomer = MembershipFactory(group=world.group).user  # joined after the session: not listed
    RSVP.objects.create(session=past_session, user=world.member, answer="attend")
    RSVP.objects.create(session=past_session, user=late, answer="decline", decline_reason="busy")
    client = client_for(world.facilitator)
    url = reverse("sessions:attendance", kwargs={"session_id": past_session.pk})
    checked = checked_statuses(client.get(url).content.decode())
    assert checked == {
        world.member.pk: "present",
        late.pk: "excused",
        world.facilitator.pk: "present",  # runs the session
        world.former_member.pk: "absent",  # left after the session: was a member then, did not answer
    }
    assert newcomer.pk not in checked
    people = attendance_people(past_session)
    initial = attendance_initial(past_session, people)

    heard = []

    def receiver(sender, session, **kwargs):
        heard.append(session.pk)

    session_held.connect(receiver)
    try:
        start = timezone.localtime(past_session.starts_at)
        data = {
            "started_at": (start + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "break_minutes": "15",
            **{f"status_{p.pk}": initial[p.pk] for p in people},
            f"status_{late.pk}": "late",
            f"status_{world.facilitator.pk}": "present",
        }
        response = client.post(url, data)
        assert response.status_code == 302
        client.post(url, data)  # registering again updates, and does not announce "held" twice
    finally:
        session_held.disconnect(receiver)
    assert heard == [past_session.pk]
    past_session.refresh_from_db()
    assert past_session.status == Session.Status.HELD
    assert past_session.net_minutes == 115 - 15
    statuses = dict(Attendance.objects.filter(session=past_session).values_list("user_id", "status"))
    assert statuses[late.pk] == "late" and statuses[world.member.pk] == "present"


def test_bad_times_are_form_errors(world, client_for, past_session):
    client = client_for(world.facilitator)
    url = reverse("sessions:attendance", kwargs={"session_id": past_session.pk})
    start = timezone.localtime(past_session.starts_at)
    response = client.post(
        url,
        {
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "break_minutes": "500",
            f"status_{world.member.pk}": "nonsense",
        },
    )
    assert response.status_code == 400
    assert "Het einde moet na het begin liggen." in response.content.decode()
    past_session.refresh_from_db()
    assert past_session.status == Session.Status.PLANNED
    assert not Attendance.objects.exists()


def register_url(session) -> str:
    return reverse("sessions:attendance", kwargs={"session_id": session.pk})


def _answer(session, user, answer, **kwargs):
    RSVP.objects.create(session=session, user=user, answer=answer, **kwargs)


def test_the_page_prefills_from_the_facts(world, client_for, past_session):
    """Yes → present, no → excused, maybe → nothing chosen, no answer → absent without notice, and whoever
    runs the session → present."""
    maybe = MembershipFactory(group=world.group, joined_at=past_session.starts_at - timedelta(days=3)).user
    silent = MembershipFactory(group=world.group, joined_at=past_session.starts_at - timedelta(days=3)).user
    _answer(past_session, world.member, "attend")
    _answer(past_session, world.former_member, "decline", decline_reason="sick")
    _answer(past_session, maybe, "maybe")
    page = client_for(world.facilitator).get(
        reverse("sessions:attendance", kwargs={"session_id": past_session.pk})
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert checked_statuses(html) == {
        world.facilitator.pk: "present",
        world.member.pk: "present",
        world.former_member.pk: "excused",
        maybe.pk: None,
        silent.pk: "absent",
    }
    assert set(radios(html)[maybe.pk]) == set(Attendance.Status.values)  # every status offered, none chosen


def test_a_maybe_must_be_chosen_before_saving(world, client_for, past_session):
    _answer(past_session, world.member, "maybe")
    client = client_for(world.facilitator)
    url = reverse("sessions:attendance", kwargs={"session_id": past_session.pk})
    html = client.get(url).content.decode()
    start = timezone.localtime(past_session.starts_at)
    data = {
        "started_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ended_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "break_minutes": "0",
        **{f"status_{pk}": status for pk, status in checked_statuses(html).items() if status},
    }
    response = client.post(url, data)  # what the page offered, unchanged
    assert response.status_code == 400
    assert checked_statuses(response.content.decode())[world.facilitator.pk] == "present"  # kept as posted
    assert not Attendance.objects.exists()
    response = client.post(url, {**data, f"status_{world.member.pk}": "present"})
    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:detail", kwargs={"session_id": past_session.pk})


def test_the_sessions_own_facilitator_runs_it_and_a_declining_facilitator_is_excused(
    world, client_for, past_session
):
    Session.objects.filter(pk=past_session.pk).update(facilitator=world.member)
    _answer(past_session, world.facilitator, "decline", decline_reason="holiday")
    page = client_for(world.facilitator).get(
        reverse("sessions:attendance", kwargs={"session_id": past_session.pk})
    )
    checked = checked_statuses(page.content.decode())
    assert checked[world.member.pk] == "present"  # runs this session, did not answer
    assert checked[world.facilitator.pk] == "excused"


def test_a_registration_wins_over_the_guess(world, client_for, past_session):
    Attendance.objects.create(
        session=past_session, user=world.facilitator, status="late", registered_by=world.facilitator
    )
    page = client_for(world.facilitator).get(
        reverse("sessions:attendance", kwargs={"session_id": past_session.pk})
    )
    assert checked_statuses(page.content.decode())[world.facilitator.pk] == "late"


@pytest.mark.parametrize("method", ["get", "head"])
def test_the_old_address_redirects_permanently(world, client_for, past_session, method):
    old = reverse("casussen:attendance", kwargs={"session_id": past_session.pk})
    assert old == f"/casussen/bijeenkomst/{past_session.pk}/aanwezigheid/"
    new = reverse("sessions:attendance", kwargs={"session_id": past_session.pk})
    assert new == f"/bijeenkomsten/{past_session.pk}/aanwezigheid/"
    response = getattr(client_for(world.facilitator), method)(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_a_post_to_the_old_address_is_sent_on_with_its_data(world, client_for, past_session):
    client = client_for(world.facilitator)
    old = reverse("casussen:attendance", kwargs={"session_id": past_session.pk})
    new = reverse("sessions:attendance", kwargs={"session_id": past_session.pk})
    response = client.post(old, {"break_minutes": "0"})
    assert (response.status_code, response["Location"]) == (308, new)
    assert not Attendance.objects.exists()
    followed = client.post(old, {"break_minutes": "0"}, follow=True)
    assert followed.redirect_chain == [(new, 308)] and followed.status_code == 400
