"""The schedule page through the test client: the picker in words, the preview (nothing saved), the
confirmation that saves exactly what the preview listed, and errors at the field with what was typed kept."""

from datetime import date, datetime, time, timedelta

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from sessions.models import RSVP, Schedule, Session
from sessions.schedule import schedule_generate
from tests.casussen.factories import booked_casus
from tests.factories import MembershipFactory
from tests.html import tree

from .factories import RSVPFactory, ScheduleFactory, schedule_confirm_data, schedule_form_data


def schedule_url(group) -> str:
    return reverse("sessions:group_schedule", kwargs={"group_id": group.pk})


def posted(page) -> QueryDict:
    """What the preview's confirm button posts: the hidden fields of its form."""
    form = tree(page.content).by_id("confirm-form")
    data = QueryDict(mutable=True)
    for element in form.find_all("input"):
        data.appendlist(element["name"], element.get("value", ""))
    data["step"] = form.find("button")["value"]
    return data


def changes(page) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in tree(page.content).find_all("li", data_change=True):
        found.setdefault(item["data-change"], []).append(item.get("data-session") or item["data-start"])
    return found


def test_the_form_is_a_picker_in_words_with_the_zone_collapsed(world, client_for):
    page = client_for(world.facilitator).get(schedule_url(world.group))
    assert page.status_code == 200
    html = tree(page.content)
    patterns = [i["value"] for i in html.find_all("input", name="pattern")]
    assert patterns == ["weekly", "monthly", "none"]
    assert [o["value"] for o in html.by_id("id_interval").find_all("option")] == [str(n) for n in range(1, 9)]
    assert [o["value"] for o in html.by_id("id_position").find_all("option")] == ["1", "2", "3", "4", "-1"]
    assert html.find(name="rrule") is None
    # The zone is an advanced option, collapsed, Europe/Amsterdam unless chosen otherwise.
    zone = html.by_id("schedule-zone")
    assert zone.tag == "details" and zone.get("open") is None
    assert zone.find("summary").text == "Geavanceerd: tijdzone"
    assert zone.find("select", name="timezone").find("option", selected=True)["value"] == "Europe/Amsterdam"
    # The empty choice of the method is a translated word, not Django's English placeholder.
    empty = html.by_id("id_default_method").find("option", value="")
    assert empty.text == "Nog niet gekozen"
    # Each select of the sentences has its label.
    labels = {label["for"] for label in html.find_all("label", for_=True)}
    assert {"id_interval", "id_weekly_day", "id_position", "id_monthly_day", "id_exception_dates_1"} <= labels


def test_the_stored_rule_is_shown_in_the_picker(world, client_for):
    ScheduleFactory(group=world.group, rrule="FREQ=MONTHLY;BYDAY=-1TH", first_date=date(2030, 1, 1))
    html = tree(client_for(world.facilitator).get(schedule_url(world.group)).content)
    assert html.find("input", name="pattern", value="monthly").get("checked") is not None
    assert html.by_id("id_position").find("option", selected=True)["value"] == "-1"
    assert html.by_id("id_monthly_day").find("option", selected=True)["value"] == "TH"


def test_preview_lists_what_it_creates_and_saves_nothing(world, client_for):
    page = client_for(world.facilitator).post(schedule_url(world.group), schedule_form_data())
    assert page.status_code == 200
    created = changes(page)["create"]
    assert 6 <= len(created) <= 8  # every fourth Tuesday for six months
    assert tree(page.content).by_id("preview-rule").text.startswith("Elke 4 weken op dinsdag om 14:00, vanaf")
    assert not Schedule.objects.filter(group=world.group).exists()
    assert not Session.objects.filter(group=world.group).exists()


def test_confirm_saves_exactly_what_the_preview_listed(world, client_for):
    client = client_for(world.facilitator)
    preview = client.post(schedule_url(world.group), schedule_form_data(exception_dates=[]))
    listed = changes(preview)["create"]
    saved = client.post(schedule_url(world.group), posted(preview))
    assert saved.status_code == 302
    starts = {s.starts_at for s in Session.objects.filter(group=world.group)}
    assert starts == {datetime.fromisoformat(start) for start in listed}
    assert Schedule.objects.get(group=world.group).rrule == "FREQ=WEEKLY;INTERVAL=4;BYDAY=TU"


def test_four_weekly_to_monthly_lists_rsvps_and_casus_and_does_that(world, client_for):
    schedule = ScheduleFactory(
        group=world.group,
        rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=TU",
        first_date=timezone.localdate(),
        start_time=time(14),
        horizon_months=6,
    )
    schedule_generate(schedule=schedule)
    client = client_for(world.facilitator)
    data = schedule_form_data(pattern="monthly", position="1", monthly_day="TU")
    preview = client.post(schedule_url(world.group), data)
    listed = changes(preview)
    first_tuesdays = {
        s.pk for s in Session.objects.filter(group=world.group) if timezone.localtime(s.starts_at).day <= 7
    }
    doomed = Session.objects.filter(group=world.group).exclude(pk__in=first_tuesdays).order_by("starts_at")
    assert {int(pk) for pk in listed["cancel"]} == {s.pk for s in doomed}
    held = doomed.first()
    RSVPFactory(session=held, user=world.member, answer=RSVP.Answer.ATTEND)
    RSVPFactory(session=held, user=MembershipFactory(group=world.group).user, answer=RSVP.Answer.MAYBE)
    casus = booked_casus(session=held, author=world.member, title="Lastige overdracht")
    preview = client.post(schedule_url(world.group), data)
    item = tree(preview.content).find("li", data_session=str(held.pk))
    assert item["data-change"] == "cancel"
    assert item.find(data_stake=True).text.startswith("1 komen, 1 misschien, 0 kunnen niet")
    assert item.find("span", data_casus=True).text == f"casus: {casus.title}"
    assert client.post(schedule_url(world.group), posted(preview)).status_code == 302
    cancelled = set(
        Session.objects.filter(group=world.group, status="cancelled").values_list("pk", flat=True)
    )
    assert {str(pk) for pk in cancelled} == set(changes(preview)["cancel"])
    created = Session.objects.filter(group=world.group, status="planned").exclude(pk__in=first_tuesdays)
    assert len(created) == len(changes(preview).get("create", []))


def test_admin_who_is_no_member_sees_that_a_casus_is_booked_not_its_title(world, client_for):
    schedule = ScheduleFactory(
        group=world.group,
        rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=TU",
        first_date=timezone.localdate(),
        start_time=time(14),
    )
    schedule_generate(schedule=schedule)
    session = Session.objects.filter(group=world.group).order_by("starts_at").first()
    booked_casus(session=session, author=world.member, title="Geheime titel")
    page = client_for(world.admin).post(schedule_url(world.group), schedule_form_data(pattern="none"))
    item = tree(page.content).find("li", data_session=str(session.pk))
    assert item["data-change"] == "cancel"
    assert item.find("span", data_casus=True).text == "1 casus ingepland"


def test_a_stale_confirmation_saves_nothing(world, client_for):
    client = client_for(world.facilitator)
    data = schedule_confirm_data(world.group)
    Session.objects.create(  # the schedule's first session was planned in between (the daily run)
        group=world.group,
        starts_at=timezone.now() + timedelta(days=400),
        ends_at=timezone.now() + timedelta(days=400, hours=2),
        recurrence_id=timezone.now() + timedelta(days=400),
    )
    data["fingerprint"] = "0" * 32
    page = client.post(schedule_url(world.group), data)
    assert page.status_code == 400
    assert tree(page.content).by_id("schedule-errors") is not None
    assert not Schedule.objects.filter(group=world.group).exists()
    assert Session.objects.filter(group=world.group).count() == 1


def test_back_from_the_preview_keeps_the_values(world, client_for):
    data = schedule_form_data(pattern="monthly", position="-1", monthly_day="TH", start_time="19:30")
    page = client_for(world.facilitator).post(schedule_url(world.group), {**data, "step": "edit"})
    assert page.status_code == 200
    html = tree(page.content)
    assert html.find("input", name="pattern", value="monthly").get("checked") is not None
    assert html.by_id("id_position").find("option", selected=True)["value"] == "-1"
    assert html.by_id("id_start_time")["value"] == "19:30"
    assert not Schedule.objects.filter(group=world.group).exists()


@pytest.mark.parametrize(
    ("changes_", "field"),
    [
        ({"interval": "1", "horizon_months": "12"}, "id_pattern_error"),  # 52 sessions: the limit
        ({"weekly_day": ""}, "id_weekly_day_error"),
        ({"pattern": ""}, "id_pattern_error"),
        ({"start_time": ""}, "id_start_time_error"),
        ({"first_date": ""}, "id_first_date_error"),
        ({"until": "2030-01-01", "count": "5"}, "id_count_error"),
        ({"exception_dates": ["2030-01-01", "morgen"]}, "id_exception_dates_error"),
        ({"duration_minutes": "5"}, "id_duration_minutes_error"),
    ],
)
def test_errors_are_shown_at_the_field_with_what_was_typed(world, client_for, changes_, field):
    data = schedule_form_data(**changes_)
    page = client_for(world.facilitator).post(schedule_url(world.group), data)
    assert page.status_code == 400
    html = tree(page.content)
    assert html.by_id(field) is not None, field
    assert html.find("input", name="pattern", value=data["pattern"] or "weekly") is not None
    assert html.by_id("id_interval").find("option", selected=True)["value"] == data["interval"]
    if "exception_dates" in changes_:
        values = [i.get("value") for i in html.find_all("input", name="exception_dates")]
        assert values[:2] == changes_["exception_dates"]
    assert not Schedule.objects.filter(group=world.group).exists()


def test_this_and_following_starts_the_form_at_that_session(world, client_for):
    page = client_for(world.facilitator).get(schedule_url(world.group) + "?vanaf=2031-05-06")
    assert tree(page.content).by_id("id_first_date")["value"] == "2031-05-06"


def test_member_cannot_preview_or_confirm(world, client_for):
    client = client_for(world.member)
    assert client.post(schedule_url(world.group), schedule_form_data()).status_code == 403
    assert client.post(schedule_url(world.group), schedule_confirm_data(world.group)).status_code == 403
    assert not Session.objects.filter(group=world.group).exists()


def test_the_empty_choice_of_a_select_is_dutch(db):
    from django import forms

    from sessions.models import Method

    class AnyForm(forms.Form):
        method = forms.ModelChoiceField(queryset=Method.objects.all(), required=False)

    html = tree(str(AnyForm()["method"]))
    assert html.find("option", value="").text == "- Kies -"
