"""Attendance registration is the sessions app's (sessions/attendance.py): its rules are checked by the
service, called directly, and the register's page shows the same errors at the field they concern, with 400
and nothing stored."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from sessions import attendance
from sessions.models import Attendance, Session
from sessions.services import SessionError, session_cancel
from tests.html import texts

from .factories import SessionFactory
from .test_wallclock_forms import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_session(world):
    Membership.objects.filter(group=world.group).update(joined_at=timezone.now() - timedelta(days=30))
    start = (timezone.now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    return SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))


def _register(world, session, **overrides):
    arguments = {
        "session": session,
        "statuses": {world.member.pk: Attendance.Status.PRESENT},
        "started_at": session.starts_at,
        "ended_at": session.ends_at,
        "break_minutes": 10,
        "registered_by": world.facilitator,
        **overrides,
    }
    return attendance.attendance_register(**arguments)


def _form_data(session, start, end, break_minutes="10"):
    """What the register posts: the times, and a status for everyone it lists."""
    local = timezone.localtime
    return {
        "started_at": local(start).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": local(end).strftime("%Y-%m-%dT%H:%M"),
        "break_minutes": break_minutes,
        **{f"status_{person.pk}": "present" for person in attendance.attendance_people(session)},
    }


def test_the_service_makes_the_session_held(world, past_session):
    session = _register(world, past_session)
    assert session.status == Session.Status.HELD
    assert session.net_minutes == 120 - 10
    assert Attendance.objects.get(session=past_session, user=world.member).registered_by == world.facilitator


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"ended_at_shift": timedelta(hours=-3)}, "ended_at"),
        ({"started_at_shift": timedelta(hours=4), "ended_at_shift": timedelta(hours=5)}, "started_at"),
        ({"break_minutes": 120}, "break_minutes"),
    ],
)
def test_the_service_names_the_argument_whose_rule_is_broken(world, past_session, overrides, field):
    started = past_session.starts_at + overrides.pop("started_at_shift", timedelta())
    ended = past_session.ends_at + overrides.pop("ended_at_shift", timedelta())
    with pytest.raises(ValidationError) as raised:
        _register(world, past_session, started_at=started, ended_at=ended, **overrides)
    assert set(raised.value.error_dict) == {field}
    past_session.refresh_from_db()
    assert past_session.status == Session.Status.PLANNED
    assert not Attendance.objects.filter(session=past_session).exists()


def test_the_service_refuses_someone_who_was_not_a_member(world, past_session):
    with pytest.raises(ValidationError) as raised:
        _register(world, past_session, statuses={world.outsider.pk: Attendance.Status.PRESENT})
    assert not hasattr(raised.value, "error_dict")  # about the list, not one field
    assert not Attendance.objects.exists()


def test_the_service_refuses_a_cancelled_session(world):
    session = SessionFactory(group=world.group)
    session_cancel(session=session, reason="Zieke begeleider")
    with pytest.raises(SessionError):
        _register(world, session, started_at=timezone.now() - timedelta(hours=2), ended_at=timezone.now())
    assert not Attendance.objects.exists()


def test_the_page_shows_the_rules_at_their_fields_with_400(world, client_for, past_session):
    url = reverse("sessions:attendance", kwargs={"session_id": past_session.pk})
    start = past_session.starts_at
    response = client_for(world.facilitator).post(
        url, _form_data(past_session, start, start - timedelta(hours=1), break_minutes="0")
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"ended_at"}
    response = client_for(world.facilitator).post(
        url, _form_data(past_session, start, start + timedelta(minutes=30), break_minutes="45")
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"break_minutes"}
    past_session.refresh_from_db()
    assert past_session.status == Session.Status.PLANNED
    assert not Attendance.objects.exists()


def test_the_page_shows_the_services_refusal_of_a_cancelled_session(world, client_for):
    start = (timezone.now() - timedelta(hours=3)).replace(second=0, microsecond=0)
    session = SessionFactory(group=world.group, starts_at=start + timedelta(days=8))
    session_cancel(session=session, reason="Zieke begeleider")
    Session.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))
    Membership.objects.filter(group=world.group).update(joined_at=start - timedelta(days=30))
    session.refresh_from_db()
    url = reverse("sessions:attendance", kwargs={"session_id": session.pk})
    response = client_for(world.facilitator).post(url, _form_data(session, start, start + timedelta(hours=2)))
    assert response.status_code == 400
    assert field_errors(response) == {}
    assert len(texts(response.content.decode(), "div", class_="alert-danger")) == 1
    assert not texts(response.content.decode(), "div", class_="text-danger")  # no status refused
    assert not Attendance.objects.exists()
