"""A facilitator of a group abroad opens the schedule's advanced zone option on a phone (390 px) in
Chromium: collapsed at first, a zone chosen from the list, the preview in that zone's times; axe-core on
the form with the option open and on the preview."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import Schedule, Session
from tests.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM, assert_accessible

from .test_schedule_browser import _fits_the_width, _phone

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]


def test_plan_in_another_zone_on_a_phone(world, live_server):
    from playwright.sync_api import expect, sync_playwright

    first = timezone.localdate() + timedelta(days=2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = _phone(browser, live_server, world.facilitator)
            page.goto(live_server.url + reverse("sessions:group_schedule", args=[world.group.pk]))
            zone = page.get_by_label("Tijdzone")
            expect(zone).to_be_hidden()  # collapsed: a Dutch group never needs it
            assert zone.input_value() == "Europe/Amsterdam"
            page.get_by_text("Geavanceerd: tijdzone").click()
            expect(zone).to_be_visible()
            zone.select_option("America/New_York")
            page.get_by_label("Elke paar weken op een vaste dag").check()
            page.locator("#id_interval").select_option("4")
            page.locator("#id_weekly_day").select_option("WE")
            page.get_by_label("Eerste bijeenkomst (vanaf)").fill(first.isoformat())
            page.get_by_label("Begintijd").fill("18:00")
            _fits_the_width(page)
            assert_accessible(page, "the schedule form with the zone option open")
            page.screenshot(path=str(ARTIFACTS / "schedule-zone-phone.png"), full_page=True)

            page.get_by_role("button", name="Voorbeeld").click()
            expect(page.get_by_role("heading", name="Voorbeeld van het rooster")).to_be_visible()
            expect(page.locator("#preview-rule")).to_contain_text("(tijdzone America/New York)")
            created = page.locator("[data-change=create]")
            assert created.count() >= 5
            expect(created.first).to_contain_text("18:00–")
            _fits_the_width(page)
            assert_accessible(page, "the schedule preview in another zone")

            page.get_by_role("button", name="Bevestigen en opslaan").click()
            expect(page.locator(".alert-success")).to_be_visible()
            assert Schedule.objects.get(group=world.group).timezone == "America/New_York"
            new_york = ZoneInfo("America/New_York")
            starts = {s.starts_at.astimezone(new_york).strftime("%a %H:%M") for s in Session.objects.all()}
            assert starts == {"Wed 18:00"}
            # The page after saving shows the sessions in the group's zone, the option open with its zone.
            expect(page.locator("#schedule-sessions li").first).to_contain_text("18:00")
            expect(page.get_by_label("Tijdzone")).to_have_value("America/New_York")
            assert_accessible(page, "the schedule page of a group abroad")
            assert page.problems == []
        finally:
            browser.close()
