"""The facilitator's journey in Chromium: plan a series (schedule form) → book a member's casus on the next
session → run that session with the live guide (start, every phase, finish) → register attendance → see the
dashboard figures and chart data change → export the presence list. Only time passing is set up in code: the
booked session is moved into the past before it is run and registered."""

import json
from datetime import timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone

from sessions.models import Attendance, Session
from tests.browser import ARGS, CHROMIUM
from tests.casussen.factories import CasusFactory
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import SessionFactory

from .browser import MARKS, Shots, book_casus, menu, new_page, unexpected

pytestmark = MARKS


def _chart(page) -> list:
    return json.loads(page.locator("#chart-attendance").text_content())


def test_facilitator_journey(live_server, viewport):
    from playwright.sync_api import expect, sync_playwright

    group = GroupFactory(name="Groep Begeleiding")
    facilitator = FacilitatorFactory(group=group).user
    members = [MembershipFactory(group=group).user for _ in range(4)]
    group.memberships.update(joined_at=timezone.now() - timedelta(days=60))  # members before the session
    shots = Shots("facilitator", viewport)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, live_server, facilitator, accept_downloads=True, viewport=viewport)

            # 1. Plan a series: every 4 weeks on Tuesday, 14:00, for 6 months; preview, then confirm.
            page.goto(live_server.url + reverse("sessions:group_schedule", args=[group.pk]))
            page.get_by_label("Elke paar weken op een vaste dag").check()
            page.locator("#id_interval").select_option("4")
            page.locator("#id_weekly_day").select_option("TU")
            page.fill("[name=first_date]", (timezone.localdate() + timedelta(days=1)).isoformat())
            page.fill("[name=start_time]", "14:00")
            page.fill("[name=duration_minutes]", "150")
            page.fill("[name=horizon_months]", "6")
            shots(page, "schedule")
            page.get_by_role("button", name="Voorbeeld").click()
            page.wait_for_load_state()
            assert 5 <= page.locator("[data-change=create]").count() <= 8
            assert not Session.objects.filter(group=group).exists()  # the preview saves nothing
            shots(page, "schedule-preview")
            page.get_by_role("button", name="Bevestigen en opslaan").click()
            page.wait_for_load_state()
            planned = Session.objects.filter(group=group, starts_at__gt=timezone.now())
            assert 5 <= planned.count() <= 8, planned.count()
            assert {timezone.localtime(s.starts_at).strftime("%a %H:%M") for s in planned} == {"Tue 14:00"}
            shots(page, "series-planned")

            # The facilitator books a member's casus on the next session, which then takes place (moved
            # into the past: time passing); that is the session run with the live guide and registered.
            soon = timezone.now() + timedelta(hours=1)
            session = SessionFactory(group=group, starts_at=soon, ends_at=soon + timedelta(hours=2))
            casus = CasusFactory(group=group, author=members[0])
            book_casus(page, live_server, casus, session)
            start = timezone.now() - timedelta(hours=3)
            Session.objects.filter(pk=session.pk).update(starts_at=start, ends_at=start + timedelta(hours=2))

            page.goto(live_server.url + reverse("dashboards:group", args=[group.pk]))
            held_before = page.locator("[data-figure=held]").text_content().strip()
            chart_before = _chart(page)
            shots(page, "dashboard-before")

            # 2. Run the session with the live guide: start, every phase, finish.
            page.goto(live_server.url + reverse("casussen:live", args=[session.pk]))
            page.click("#live-start")
            expect(page.locator("#phase-name")).to_be_visible()
            shots(page, "live-started")
            for _ in range(20):
                if page.locator("#live-finish").count():
                    break
                name = page.locator("#phase-name").text_content()
                page.click("#live-next")
                expect(page.locator("#phase-name")).not_to_have_text(name)
            shots(page, "live-last-phase")
            page.click("#live-finish")
            expect(page.locator("#live-state")).to_contain_text("De bespreking is afgerond.")
            casus.refresh_from_db()
            assert casus.status == "discussed"

            # 3. Register attendance.
            page.goto(live_server.url + reverse("sessions:attendance", args=[session.pk]))
            for user in [facilitator, *members[:3]]:
                page.check(f"input[name=status_{user.pk}][value=present]")
            page.check(f"input[name=status_{members[3].pk}][value=absent]")
            local = timezone.localtime(start)
            page.fill("[name=started_at]", local.strftime("%Y-%m-%dT%H:%M"))
            page.fill("[name=ended_at]", (local + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
            page.fill("[name=break_minutes]", "10")
            shots(page, "attendance")
            page.get_by_role("button", name="Opslaan: bijeenkomst gehouden").click()
            page.wait_for_url(live_server.url + reverse("sessions:detail", args=[session.pk]))
            assert Attendance.objects.filter(session=session, status="present").count() == 4
            session.refresh_from_db()
            assert session.status == Session.Status.HELD

            # 4. The dashboard changes: one more held session, and its point in the chart data (Dashboard
            #    from the menu, then the group in the overview).
            menu(page, "Dashboard")
            page.wait_for_url(live_server.url + reverse("dashboards:index"))
            shots(page, "dashboards")
            to_group = reverse("dashboards:group", args=[group.pk])
            page.locator(f'a[href="{to_group}"]:visible').first.click()
            page.wait_for_url(live_server.url + to_group + "**")
            assert int(page.locator("[data-figure=held]").text_content()) == int(held_before) + 1
            assert _chart(page) != chart_before
            expect(page.locator("#chart-attendance-canvas")).to_be_visible()
            shots(page, "dashboard-after")

            # 5. Export the presence list of that session.
            link = page.locator(
                f"a[href='{reverse('dashboards:presence_list', args=[group.pk, session.pk, 'csv'])}']"
            ).first
            if not link.is_visible():  # the figures table under the chart is folded away: unfold it
                link.locator("xpath=ancestor::details/summary").click()
            with page.expect_download() as info:
                link.click()
            content = Path(info.value.path()).read_text(encoding="utf-8-sig")
            for user in [facilitator, *members]:
                assert user.display_name in content
            info.value.save_as(str(shots.folder / "presentielijst.csv"))
            assert unexpected(page.problems) == [], page.problems
        finally:
            browser.close()
