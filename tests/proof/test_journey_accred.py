"""Accreditation with registers, through the real UI in Chromium: the member adds their SKJ registration on
the profile page (a BIG number of the wrong shape first: the error at the number, what was typed kept) →
the facilitator downloads the member's overview (CSV and PDF) and the presence list from the group's
dashboard → the member's number is in each, the facilitator's registration on the statement line. Set up
in code: the group, a held session the member attended, the facilitator's own registration."""

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts import services
from accounts.models import ProfessionalRegistration
from tests.browser import ARGS, CHROMIUM
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import held_session

from .browser import MARKS, Shots, new_page, unexpected

pytestmark = MARKS
NUMBER = "SKJ-1203-2026"


def _download(page, href: str) -> Path:
    link = page.locator(f"a[href^='{href}']").first
    if not link.is_visible():  # a folded table: unfold it
        link.locator("xpath=ancestor::details/summary").click()
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path())


def test_accreditation_registers_journey(live_server, viewport):
    from playwright.sync_api import expect, sync_playwright

    group = GroupFactory(name="Groep Register")
    facilitator = FacilitatorFactory(group=group, user__display_name="Fenna Begeleider").user
    member = MembershipFactory(group=group, user__display_name="Mila Register").user
    services.registration_save(user=facilitator, register="lvsc", number="LV-777")
    session = held_session(
        group, present=[facilitator, member], facilitator=facilitator, ended_ago=timedelta(days=2)
    )
    shots = Shots("accred", viewport)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # 1. The member on their profile: the registrations section says why it is asked.
            page = new_page(browser, live_server, member, viewport=viewport)
            page.goto(live_server.url + reverse("accounts:profile"))
            section = page.locator("#registraties")
            expect(section).to_contain_text("bewijs van deelname voor je register")
            shots(page, "profile")

            # 2. A BIG number of 5 digits: refused at the number, with what was typed still there.
            page.select_option("#id_register", "big")
            page.fill("#id_number", "12345")
            page.get_by_role("button", name="Registratie opslaan").click()
            page.wait_for_load_state()
            expect(page.locator("#id_number")).to_have_attribute("aria-invalid", "true")
            expect(page.locator("#id_number")).to_have_value("12345")
            expect(page.locator("#registration-form")).to_contain_text(
                "Een BIG-nummer bestaat uit 11 cijfers."
            )
            expect(page.locator("#id_register")).to_have_value("big")
            shots(page, "registration-error")
            assert not ProfessionalRegistration.objects.filter(user=member).exists()

            # 3. The SKJ registration instead: saved, listed.
            page.select_option("#id_register", "skj")
            page.fill("#id_number", NUMBER)
            page.get_by_role("button", name="Registratie opslaan").click()
            page.wait_for_url(live_server.url + reverse("accounts:profile") + "#registraties")
            expect(page.locator("#registraties li")).to_contain_text(f"SKJ {NUMBER}")
            shots(page, "registration-saved")
            assert [r.label for r in member.registrations.all()] == [f"SKJ {NUMBER}"]
            assert unexpected(page.problems) == [], page.problems

            # 4. The facilitator downloads the member's overview and the presence list from the dashboard.
            coach = new_page(browser, live_server, facilitator, accept_downloads=True, viewport=viewport)
            coach.goto(live_server.url + reverse("dashboards:group", args=[group.pk]))
            shots(coach, "dashboard")
            overview = reverse("dashboards:member_accreditation", args=[group.pk, member.pk, "csv"])
            rows = list(
                csv.DictReader(
                    io.StringIO(_download(coach, overview).read_text(encoding="utf-8-sig")), delimiter=";"
                )
            )
            sessions = [row for row in rows if row["Datum"] and row["Deelnemer"] == member.display_name]
            assert sessions and {row["Registratie deelnemer"] for row in sessions} == {f"SKJ {NUMBER}"}
            assert {row["Registratie begeleider"] for row in sessions} == {"LVSC LV-777"}
            assert {row["Organisatie"] for row in sessions} == {group.organisation.name}

            pdf_path = _download(
                coach, reverse("dashboards:member_accreditation", args=[group.pk, member.pk, "pdf"])
            )
            text = " ".join(
                " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages).split()
            )
            assert f"SKJ {NUMBER}" in text
            assert "Intervisiebegeleider: Fenna Begeleider (LVSC LV-777)" in text

            presence = reverse("dashboards:presence_list", args=[group.pk, session.pk, "csv"])
            lines = list(
                csv.DictReader(
                    io.StringIO(_download(coach, presence).read_text(encoding="utf-8-sig")), delimiter=";"
                )
            )
            by_name = {line["Deelnemer"]: line for line in lines}
            assert by_name[member.display_name]["Register en nummer"] == f"SKJ {NUMBER}"
            assert by_name[facilitator.display_name]["Register en nummer"] == "LVSC LV-777"
            (shots.folder / "overzicht.pdf").write_bytes(pdf_path.read_bytes())
            assert unexpected(coach.problems) == [], coach.problems
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def _no_celery_needed(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
