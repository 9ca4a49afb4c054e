"""The schedule page's advanced zone option (a group abroad plans in its own zone: the preview, the stored
sessions and the calendar invites follow it), and a stored rule the picker cannot show, kept as it is
("Zoals nu") unless the facilitator picks another one. Forms are posted as the page rendered them."""

from datetime import date, datetime, time, timedelta
from email import message_from_bytes
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from notifications import sweep
from sessions.models import Schedule, Session
from sessions.schedule import schedule_generate
from tests.calendar_parsers.readers import read_vobject, utc_text
from tests.html import Element, tree

from .factories import ScheduleFactory

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def schedule_url(group) -> str:
    return reverse("sessions:group_schedule", kwargs={"group_id": group.pk})


def form_data(form: Element, button: Element | None = None, **changes) -> QueryDict:
    """What ``form`` posts as rendered (checked radios, selected options, inputs), with ``changes``."""
    data = QueryDict(mutable=True)
    for element in form.find_all():
        name = element.get("name")
        if not name or element.ancestor("template") is not None:
            continue
        if element.tag == "input" and element.get("type") in ("radio", "checkbox"):
            if element.get("checked") is not None:
                data.appendlist(name, element.get("value", "on"))
        elif element.tag == "input" and element.get("type") != "submit":
            data.appendlist(name, element.get("value", ""))
        elif element.tag == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            data.appendlist(name, chosen.get("value", chosen.text) if chosen else "")
    if button is not None:
        data[button["name"]] = button["value"]
    for name, value in changes.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def confirmed(client, group, page: Element) -> int:
    """Press the preview's confirm button: the status of the answer."""
    confirm = page.by_id("confirm-form")
    return client.post(schedule_url(group), form_data(confirm, confirm.find("button"))).status_code


def next_weekday(weekday: int, days_ahead: int = 3) -> date:
    day = timezone.localdate() + timedelta(days=days_ahead)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def test_a_group_abroad_plans_in_its_zone_and_its_invites_say_so(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.facilitator)
    page = tree(client.get(schedule_url(world.group)).content)
    first = next_weekday(1)
    data = form_data(
        page.by_id("schedule-form"),
        page.by_id("schedule-form").find("button", value="preview"),
        pattern="weekly",
        interval="4",
        weekly_day="TU",
        first_date=first.isoformat(),
        start_time="19:00",
        timezone="America/New_York",
    )
    preview = client.post(schedule_url(world.group), data)
    assert preview.status_code == 200
    html = tree(preview.content)
    assert html.by_id("preview-rule").text.endswith("(tijdzone America/New York)")
    created = html.find_all("li", data_change="create")
    assert created
    for item in created:  # listed in the group's own zone
        start = datetime.fromisoformat(item["data-start"])
        assert start.utcoffset() == start.astimezone(NEW_YORK).utcoffset()
        assert start.astimezone(NEW_YORK).time() == time(19, 0)
        assert item.text.split("–")[0].endswith("19:00")

    # Back to the form: the zone option is open with the zone chosen.
    back = html.find("button", value="edit")
    edit = client.post(schedule_url(world.group), form_data(back.ancestor("form"), back))
    zone = tree(edit.content).by_id("schedule-zone")
    assert zone.get("open") is not None
    assert zone.find("option", selected=True)["value"] == "America/New_York"

    confirm = html.by_id("confirm-form")
    with django_capture_on_commit_callbacks(execute=True):  # the change's one message, after the commit
        response = client.post(schedule_url(world.group), form_data(confirm, confirm.find("button")))
    assert response.status_code == 302
    schedule = Schedule.objects.get(group=world.group)
    assert schedule.timezone == "America/New_York"
    sessions = list(Session.objects.filter(group=world.group).order_by("starts_at"))
    assert len(sessions) == len(created)
    assert {s.starts_at.astimezone(NEW_YORK).time() for s in sessions} == {time(19, 0)}

    # The calendar files of the change's message: written in the zone, with its VTIMEZONE, read at the
    # stored instants.
    sweep.sweep_once()
    [message] = [m for m in mail.outbox if m.to == [world.member.email]]
    files = [
        part.get_payload(decode=True)
        for part in message_from_bytes(message.message().as_bytes()).walk()
        if part.get_content_type() == "application/ics"
    ]
    assert len(files) == len(sessions)
    stored = {s.ical_uid: utc_text(s.starts_at) for s in sessions}
    for body in files:
        assert b"TZID:America/New_York" in body and b"DTSTART;TZID=America/New_York:" in body
    read = read_vobject(files)
    assert all(r["timezones"] == ["America/New_York"] for r in read)
    assert {r["events"][0]["uid"]: r["events"][0]["start"] for r in read} == stored


def test_an_unknown_zone_is_refused_at_the_field(world, client_for):
    client = client_for(world.facilitator)
    page = tree(client.get(schedule_url(world.group)).content)
    form = page.by_id("schedule-form")
    data = form_data(form, form.find("button", value="preview"), pattern="weekly", timezone="Mars/Olympus")
    response = client.post(schedule_url(world.group), data)
    assert response.status_code == 400
    zone = tree(response.content).by_id("schedule-zone")
    assert zone.get("open") is not None
    assert zone.by_id("id_timezone_error").text == "Kies een tijdzone uit de lijst."
    assert not Schedule.objects.filter(group=world.group).exists()


def test_a_rule_the_picker_cannot_show_is_kept_unless_another_is_picked(world, client_for):
    rule = "FREQ=MONTHLY;BYMONTHDAY=15"  # the 15th of every month: no choice of the picker
    schedule = ScheduleFactory(
        group=world.group, rrule=rule, first_date=next_weekday(0), start_time=time(10, 0), horizon_months=3
    )
    schedule_generate(schedule=schedule)
    before = sorted(Session.objects.filter(group=world.group).values_list("pk", "starts_at", "status"))
    assert before
    client = client_for(world.facilitator)
    page = tree(client.get(schedule_url(world.group)).content)
    custom = page.find("input", name="pattern", value="custom")
    assert custom.get("checked") is not None  # picked: nothing to re-pick
    assert rule in page.find("label", for_=custom["id"]).text
    assert rule in page.by_id("unknown-rule").text

    # Saving it as it stands: the rule and the sessions stay.
    form = page.by_id("schedule-form")
    preview = client.post(schedule_url(world.group), form_data(form, form.find("button", value="preview")))
    assert preview.status_code == 200
    html = tree(preview.content)
    assert html.by_id("preview-nothing") is not None
    assert rule in html.by_id("preview-rule").text
    assert confirmed(client, world.group, html) == 302
    assert Schedule.objects.get(group=world.group).rrule == rule
    after = sorted(Session.objects.filter(group=world.group).values_list("pk", "starts_at", "status"))
    assert after == before

    # Picking another pattern replaces it.
    page = tree(client.get(schedule_url(world.group)).content)
    form = page.by_id("schedule-form")
    button = form.find("button", value="preview")
    data = form_data(form, button, pattern="monthly", position="1", monthly_day="MO")
    html = tree(client.post(schedule_url(world.group), data).content)
    assert confirmed(client, world.group, html) == 302
    assert Schedule.objects.get(group=world.group).rrule == "FREQ=MONTHLY;BYDAY=1MO"


def test_the_kept_rule_cannot_be_posted_for_a_schedule_without_one(world, client_for):
    """ "Zoals nu" is offered only for a stored rule the picker cannot show; posted otherwise, refused."""
    client = client_for(world.facilitator)
    page = tree(client.get(schedule_url(world.group)).content)
    assert page.find("input", name="pattern", value="custom") is None
    form = page.by_id("schedule-form")
    response = client.post(
        schedule_url(world.group), form_data(form, form.find("button", value="preview"), pattern="custom")
    )
    assert response.status_code == 400
    assert not Schedule.objects.filter(group=world.group).exists()
