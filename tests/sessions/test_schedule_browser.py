"""A facilitator plans a series on a phone (390 px) in Chromium: the picker in words, an exception date
added on the calendar input, the preview, the confirmation; axe-core on the form and the preview."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from sessions.models import Schedule, Session
from tests.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM, PHONE, assert_accessible

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]


def _phone(browser, live_server, user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="nl-NL"
    )
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    return page


def _fits_the_width(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"


def test_plan_a_monthly_series_with_preview_and_confirm_on_a_phone(world, live_server):
    from playwright.sync_api import expect, sync_playwright

    first = timezone.localdate() + timedelta(days=1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = _phone(browser, live_server, world.facilitator)
            page.goto(live_server.url + reverse("sessions:group_schedule", args=[world.group.pk]))
            page.get_by_label("Een vaste dag van de maand").check()
            page.get_by_label("De", exact=True).select_option("1")
            page.locator("#id_monthly_day").select_option("TH")
            page.get_by_label("Eerste bijeenkomst (vanaf)").fill(first.isoformat())
            page.get_by_label("Begintijd").fill("19:30")
            page.get_by_label("Duur (minuten)").fill("120")
            # The first Thursday two months from now is skipped: typed on the calendar input, and a second
            # input added and removed again.
            page.locator("#id_exception_dates_1").fill(_first_thursday(first, months=2).isoformat())
            page.get_by_role("button", name="Nog een datum").click()
            expect(page.locator("#exception-dates input[type=date]")).to_have_count(2)
            page.locator("#exception-dates li").last.get_by_role("button", name="Verwijder").click()
            expect(page.locator("#exception-dates input[type=date]")).to_have_count(1)
            _fits_the_width(page)
            assert_accessible(page, "the schedule form")
            page.screenshot(path=str(ARTIFACTS / "schedule-form-phone.png"), full_page=True)

            page.get_by_role("button", name="Voorbeeld").click()
            expect(page.get_by_role("heading", name="Voorbeeld van het rooster")).to_be_visible()
            created = page.locator("[data-change=create]")
            count = created.count()
            assert 4 <= count <= 7  # the first Thursdays of six months, one skipped
            assert not Session.objects.filter(group=world.group).exists()  # nothing saved by the preview
            _fits_the_width(page)
            assert_accessible(page, "the schedule preview")
            page.screenshot(path=str(ARTIFACTS / "schedule-preview-phone.png"), full_page=True)

            page.get_by_role("button", name="Bevestigen en opslaan").click()
            expect(page.locator(".alert-success")).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "schedule-saved-phone.png"), full_page=True)
            assert page.problems == []
        finally:
            browser.close()

    schedule = Schedule.objects.get(group=world.group)
    assert schedule.rrule == "FREQ=MONTHLY;BYDAY=1TH"
    assert schedule.exception_dates == [_first_thursday(first, months=2).isoformat()]
    sessions = Session.objects.filter(group=world.group)
    assert sessions.count() == count
    assert {timezone.localtime(s.starts_at).strftime("%a %H:%M") for s in sessions} == {"Thu 19:30"}


def _first_thursday(day, *, months):
    month = (day.month - 1 + months) % 12 + 1
    year = day.year + (day.month - 1 + months) // 12
    first = day.replace(year=year, month=month, day=1)
    return first + timedelta(days=(3 - first.weekday()) % 7)
