"""The session and schedule forms on the DST days of 2027 and 2028 (Europe/Amsterdam), through the HTTP
client: a time the clock skips is refused at its field, a time that happens twice is asked, times are kept
as typed, dates past the horizon are refused, and no constraint name reaches the page. Posts go back what
the page rendered (tests/groups/forms_html.py)."""

import re
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions import wallclock
from sessions.forms import SessionForm
from sessions.models import Session
from sessions.services import SessionError
from tests.groups.forms_html import post_data, rendered_form
from tests.html import tree

from .factories import SessionFactory

AMS = ZoneInfo("Europe/Amsterdam")
SPRING_DAYS = ["2027-03-28", "2028-03-26"]
FALL_DAYS = ["2027-10-31", "2028-10-29"]
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    """The DST days below stay in the future whenever the suite runs."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)


class _ErrorParser(HTMLParser):
    """Field errors as crispy renders them: an element with id ``error_<n>_id_<field>``."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.errors: dict[str, list[str]] = {}
        self.open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        match = re.fullmatch(r"error_\d+_id_(\w+)", dict(attrs).get("id") or "")
        field = match.group(1) if match else None
        if field:
            self.errors.setdefault(field, []).append("")
        self.open.append((tag, field))

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _tag, field in reversed(self.open):
            if field:
                self.errors[field][-1] += data
                break


def field_errors(response) -> dict[str, str]:
    parser = _ErrorParser()
    parser.feed(response.content.decode())
    return {name: " ".join(texts).strip() for name, texts in parser.errors.items()}


def page_text(response) -> str:
    return response.content.decode()


def new_url(group) -> str:
    return reverse("sessions:new", kwargs={"group_id": group.pk})


def typed(day: str, start: str, end: str) -> dict:
    return {"day": day, "start_time": start, "end_time": end, "presenter_slots": 1}


def assert_no_constraint_names(response):
    text = page_text(response)
    for constraint in Session._meta.constraints:
        assert constraint.name not in text


@pytest.mark.parametrize("day", SPRING_DAYS)
@pytest.mark.parametrize("start,end", [("02:30", "03:30"), ("02:30", "04:00"), ("02:00", "03:15")])
def test_a_start_the_clock_skips_is_refused_at_the_start_field(world, client_for, day, start, end):
    client = client_for(world.facilitator)
    response = client.post(new_url(world.group), typed(day, start, end))
    assert response.status_code == 400
    errors = field_errors(response)
    assert set(errors) == {"start_time"}
    assert start in errors["start_time"] and "03:00" in errors["start_time"]
    assert_no_constraint_names(response)
    form = rendered_form(page_text(response), containing="start_time")
    assert (form.data["day"], form.data["start_time"], form.data["end_time"]) == (day, start, end)
    assert not Session.objects.filter(group=world.group).exists()


@pytest.mark.parametrize("day", SPRING_DAYS)
def test_an_end_the_clock_skips_is_refused_at_the_end_field(world, client_for, day):
    response = client_for(world.facilitator).post(new_url(world.group), typed(day, "01:30", "02:30"))
    assert response.status_code == 400
    assert set(field_errors(response)) == {"end_time"}
    assert not Session.objects.filter(group=world.group).exists()


@pytest.mark.parametrize("day", SPRING_DAYS)
def test_times_around_the_gap_are_stored_as_typed(world, client_for, day):
    response = client_for(world.facilitator).post(new_url(world.group), typed(day, "01:30", "03:30"))
    assert response.status_code == 302
    session = Session.objects.get(group=world.group)
    local_day = date.fromisoformat(day)
    assert session.starts_at.astimezone(AMS).replace(tzinfo=None) == datetime.combine(local_day, time(1, 30))
    assert session.ends_at.astimezone(AMS).replace(tzinfo=None) == datetime.combine(local_day, time(3, 30))
    assert session.ends_at - session.starts_at == timedelta(hours=1)  # the clock skipped an hour


@pytest.mark.parametrize("day", FALL_DAYS)
@pytest.mark.parametrize("choice,offset", [(wallclock.EARLIER, 2), (wallclock.LATER, 1)])
def test_a_start_that_happens_twice_is_asked_and_the_answer_stored(world, client_for, day, choice, offset):
    client = client_for(world.facilitator)
    first = client.post(new_url(world.group), typed(day, "02:30", "04:00"))
    assert first.status_code == 400
    assert set(field_errors(first)) == {"start_fold"}
    assert not Session.objects.filter(group=world.group).exists()
    form = rendered_form(page_text(first), containing="start_fold")
    assert "end_fold" not in form.fields  # 04:00 happens once: no question about it
    data = {**post_data(form), "start_fold": choice}
    second = client.post(new_url(world.group), data)
    assert second.status_code == 302
    session = Session.objects.get(group=world.group)
    local_day = date.fromisoformat(day)
    expected_start = datetime.combine(local_day, time(2, 30), tzinfo=UTC) - timedelta(hours=offset)
    assert session.starts_at == expected_start
    assert session.ends_at == datetime.combine(local_day, time(4), tzinfo=UTC) - timedelta(hours=1)


@pytest.mark.parametrize("day", FALL_DAYS)
def test_two_ambiguous_times_are_asked_separately_and_must_stay_in_order(world, client_for, day):
    client = client_for(world.facilitator)
    first = client.post(new_url(world.group), typed(day, "02:15", "02:45"))
    assert first.status_code == 400
    assert set(field_errors(first)) == {"start_fold", "end_fold"}
    data = post_data(rendered_form(page_text(first), containing="start_fold"))
    reversed_order = client.post(
        new_url(world.group), {**data, "start_fold": wallclock.LATER, "end_fold": wallclock.EARLIER}
    )
    assert reversed_order.status_code == 400
    assert set(field_errors(reversed_order)) == {"end_time"}
    assert_no_constraint_names(reversed_order)
    later_both = client.post(
        new_url(world.group), {**data, "start_fold": wallclock.LATER, "end_fold": wallclock.LATER}
    )
    assert later_both.status_code == 302
    session = Session.objects.get(group=world.group)
    assert session.ends_at - session.starts_at == timedelta(minutes=30)
    assert session.starts_at.astimezone(AMS).utcoffset() == timedelta(hours=1)


def test_editing_a_session_in_the_second_hour_keeps_it_there(world, client_for):
    starts_at = datetime(2027, 10, 31, 1, 30, tzinfo=UTC)  # 02:30 winter time, the second 02:30
    session = SessionFactory(group=world.group, starts_at=starts_at, ends_at=starts_at + timedelta(hours=1))
    client = client_for(world.facilitator)
    url = reverse("sessions:edit", kwargs={"session_id": session.pk})
    page = client.get(url)
    form = rendered_form(page_text(page), containing="start_fold")
    assert form.data["start_fold"] == wallclock.LATER
    assert client.post(url, post_data(form)).status_code == 302
    session.refresh_from_db()
    assert (session.starts_at, session.sequence) == (starts_at, 0)


@pytest.mark.parametrize("day", ["2072-03-28", "2031-12-02"])
def test_a_date_past_the_horizon_is_refused_at_the_date(world, client_for, day):
    response = client_for(world.facilitator).post(new_url(world.group), typed(day, "19:00", "21:00"))
    assert response.status_code == 400
    assert set(field_errors(response)) == {"day"}
    assert rendered_form(page_text(response), containing="day").data["day"] == day


def test_the_last_day_of_the_horizon_is_accepted(world, client_for):
    day = wallclock.latest_day(timezone.localdate()).isoformat()
    response = client_for(world.facilitator).post(new_url(world.group), typed(day, "19:00", "21:00"))
    assert response.status_code == 302


def test_too_many_presenter_slots_are_refused_at_the_field(world, client_for, db):
    response = client_for(world.facilitator).post(
        new_url(world.group), {**typed("2027-06-01", "19:00", "21:00"), "presenter_slots": 9}
    )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"presenter_slots"}
    assert_no_constraint_names(response)


def test_service_errors_are_shown_at_the_field_the_person_typed(db):
    from django.core.exceptions import ValidationError

    form = SessionForm(typed("2027-06-01", "19:00", "21:00"), tz=AMS)
    assert form.is_valid()
    form.add_service_error(ValidationError({"ends_at": "eind", "starts_at": "begin", "facilitator": "x"}))
    assert form.errors["end_time"] == ["eind"] and form.errors["start_time"] == ["begin"]
    assert form.non_field_errors() == ["x"]
    form.add_service_error(SessionError("niet meer gepland"))
    assert "niet meer gepland" in form.non_field_errors()


# --- the schedule form ----------------------------------------------------------------------------------


def schedule_data(**overrides) -> dict:
    """The last Sunday of every month at 02:30: the nights the clock changes in March and October."""
    return {
        "pattern": "monthly",
        "position": "-1",
        "monthly_day": "SU",
        "first_date": "2026-12-06",
        "start_time": "02:30",
        "duration_minutes": 90,
        "horizon_months": 24,
        **overrides,
    }


def dst_notices(response) -> dict[str, str]:
    """What the preview tells about the starts in the hour the clock changes, by the session's start."""
    return {
        item["data-start"][:10]: item.find("p", data_notice=True).text
        for item in tree(response.content).find_all("li", data_change="create")
        if item.find("p", data_notice=True)
    }


def confirm(client, url, preview):
    form = tree(preview.content).by_id("confirm-form")
    data: dict[str, list[str]] = {}
    for element in form.find_all("input"):
        data.setdefault(element["name"], []).append(element.get("value", ""))
    return client.post(url, {**data, "step": "confirm"}, follow=True)


def test_a_series_through_the_dst_nights_is_previewed_and_saved_as_it_said(world, client_for):
    client = client_for(world.facilitator)
    url = reverse("sessions:group_schedule", kwargs={"group_id": world.group.pk})
    preview = client.post(url, schedule_data())
    assert preview.status_code == 200
    assert set(dst_notices(preview)) == set(SPRING_DAYS + FALL_DAYS)
    assert not Session.objects.filter(group=world.group).exists()
    assert confirm(client, url, preview).status_code == 200
    sessions = {
        s.starts_at.astimezone(AMS).date().isoformat(): s for s in Session.objects.filter(group=world.group)
    }
    for day in SPRING_DAYS:
        assert sessions[day].starts_at.astimezone(AMS).time() == time(3, 30)
    for day in FALL_DAYS:
        assert sessions[day].starts_at.astimezone(AMS).utcoffset() == timedelta(hours=2)  # the first 02:30
    assert all(s.ends_at - s.starts_at == timedelta(minutes=90) for s in sessions.values())


def test_a_series_at_an_ordinary_hour_says_nothing_extra(world, client_for):
    client = client_for(world.facilitator)
    url = reverse("sessions:group_schedule", kwargs={"group_id": world.group.pk})
    preview = client.post(url, schedule_data(start_time="14:00"))
    assert preview.status_code == 200
    assert dst_notices(preview) == {}
    assert 'class="alert alert-success"' in page_text(confirm(client, url, preview))


def test_a_schedule_first_date_past_the_horizon_is_refused(world, client_for):
    client = client_for(world.facilitator)
    url = reverse("sessions:group_schedule", kwargs={"group_id": world.group.pk})
    response = client.post(url, schedule_data(first_date="2072-12-06"))
    assert response.status_code == 400
    assert tree(response.content).by_id("id_first_date_error") is not None
    assert not Session.objects.filter(group=world.group).exists()
