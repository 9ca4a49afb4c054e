"""The attendance register's actual start and end (casussen) follow the same wall-clock rules as the
session form: on the DST nights of 2027 and 2028 (Europe/Amsterdam) a skipped time is refused at its
field, a doubled one is asked, and the answer is what is stored. Through the HTTP client, posting back what
the page rendered."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from sessions import wallclock
from sessions.models import Session
from tests.groups.forms_html import post_data, rendered_form

from .factories import SessionFactory
from .test_wallclock_forms import field_errors

NOW = datetime(2028, 11, 15, 12, 0, tzinfo=UTC)  # after every DST night below


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def held_at(world, starts_at: datetime, minutes: int) -> Session:
    Membership.objects.filter(group=world.group).update(joined_at=starts_at - timedelta(days=30))
    return SessionFactory(
        group=world.group, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes)
    )


def attendance_url(session) -> str:
    return reverse("sessions:attendance", kwargs={"session_id": session.pk})


@pytest.mark.parametrize(
    "first_utc", [datetime(2027, 10, 31, 0, 30, tzinfo=UTC), datetime(2028, 10, 29, 0, 30, tzinfo=UTC)]
)
@pytest.mark.parametrize("choice,hours", [(wallclock.EARLIER, 0), (wallclock.LATER, 1)])
def test_a_doubled_actual_start_is_asked_and_stored_as_chosen(world, client_for, first_utc, choice, hours):
    session = held_at(world, first_utc, 150)  # the first 02:30, until 04:00 winter time
    client = client_for(world.facilitator)
    page = client.get(attendance_url(session))
    form = rendered_form(page.content.decode(), containing="started_at")
    assert form.data["started_fold"] == wallclock.EARLIER  # the stored start, preselected
    assert "ended_fold" not in form.fields
    response = client.post(attendance_url(session), {**post_data(form), "started_fold": choice})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.actual_started_at == first_utc + timedelta(hours=hours)
    assert session.actual_ended_at == session.ends_at


def test_a_doubled_actual_start_without_a_choice_is_asked_at_the_choice(world, client_for):
    session = held_at(world, datetime(2027, 10, 31, 0, 30, tzinfo=UTC), 150)
    client = client_for(world.facilitator)
    data = post_data(
        rendered_form(client.get(attendance_url(session)).content.decode(), containing="started_at")
    )
    data.pop("started_fold")
    data["started_at"] = "2027-10-31T02:45"
    response = client.post(attendance_url(session), data)
    assert response.status_code == 400
    assert set(field_errors(response)) == {"started_fold"}
    assert (
        rendered_form(response.content.decode(), containing="started_at").data["started_at"]
        == "2027-10-31T02:45"
    )
    session.refresh_from_db()
    assert session.actual_started_at is None


@pytest.mark.parametrize("day", ["2027-03-28", "2028-03-26"])
def test_a_skipped_actual_start_is_refused_at_the_field(world, client_for, day):
    starts_at = datetime.fromisoformat(f"{day}T00:30+00:00")  # 01:30 winter time
    session = held_at(world, starts_at, 150)
    client = client_for(world.facilitator)
    data = post_data(
        rendered_form(client.get(attendance_url(session)).content.decode(), containing="started_at")
    )
    response = client.post(attendance_url(session), {**data, "started_at": f"{day}T02:30"})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"started_at"}
    session.refresh_from_db()
    assert session.actual_started_at is None
