"""The member's journey through the real UI in Chromium: accept an invitation (new account, agree to the
group's agreements) → decline a session with a reason, then attend after all → submit a casus → claim the
presenter slot → follow the live session while the facilitator (in a second browser) books the casus, starts
and moves on → write a reflection → download the accreditation overview. Only time passing is set up in
code: the session the member reflects on took place earlier."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from casussen.models import Casus
from reflections.models import Reflection
from sessions.models import RSVP, Presenter
from tests.browser import ARGS, CHROMIUM
from tests.casussen.factories import held_today
from tests.factories import FacilitatorFactory, GroupFactory, InvitationFactory
from tests.sessions.factories import SessionFactory, held_session

from .browser import MARKS, Shots, book_casus, menu, new_page, unexpected

pytestmark = MARKS
EMAIL = "nieuw.lid@example.org"
NEW_PASSWORD = "Intervisie-is-fijn-42"  # noqa: S105


def test_member_journey(live_server, viewport):
    from playwright.sync_api import expect, sync_playwright

    from groups.services import invitation_token

    group = GroupFactory(name="Groep Journey")
    facilitator = FacilitatorFactory(group=group).user
    invitation = InvitationFactory(group=group, email=EMAIL)
    upcoming = SessionFactory(group=group, presenter_slots=1)
    shots = Shots("member", viewport)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, live_server, accept_downloads=True, viewport=viewport)
            # 1. Accept the invitation: a new account, and agree to the agreements.
            page.goto(
                live_server.url + reverse("groups:invitation_accept", args=[invitation_token(invitation)])
            )
            page.fill("input[name=display_name]", "Noor Nieuw")
            page.fill("input[name=password1]", NEW_PASSWORD)
            page.fill("input[name=password2]", NEW_PASSWORD)
            page.check("input[name=accept]")
            shots(page, "invitation")
            page.locator("form[method=post] [type=submit]").last.click()
            page.wait_for_url(live_server.url + reverse("groups:detail", args=[group.pk]))
            expect(page.locator("body")).to_contain_text("Welkom bij Groep Journey")
            shots(page, "welcome")
            from accounts.models import User

            member = User.objects.get(email=EMAIL)
            membership = member.memberships.get(group=group)
            assert membership.agreements_accepted_at is not None

            # 2. RSVP: decline with a reason, then attend after all (Mijn bijeenkomsten, from the menu).
            menu(page, "Mijn bijeenkomsten")
            page.wait_for_url(live_server.url + reverse("sessions:mine"))
            card = page.locator(f"#session-{upcoming.pk}")
            card.locator("summary").click()
            card.locator("select[name=decline_reason]").select_option("holiday")
            card.locator("input[name=decline_note]").fill("Weekje Texel")
            card.get_by_role("button", name="Afmelden").click()
            expect(page.locator(f"#session-{upcoming.pk} [data-my-answer]")).to_have_attribute(
                "data-my-answer", "decline"
            )
            shots(page, "rsvp-declined")
            rsvp = RSVP.objects.get(session=upcoming, user=member)
            assert (rsvp.answer, rsvp.decline_reason, rsvp.decline_note) == (
                "decline",
                "holiday",
                "Weekje Texel",
            )
            page.locator(f"#session-{upcoming.pk}").get_by_role("button", name="Ik kom").click()
            expect(page.locator(f"#session-{upcoming.pk} [data-my-answer]")).to_have_attribute(
                "data-my-answer", "attend"
            )
            assert RSVP.objects.get(session=upcoming, user=member).answer == "attend"
            shots(page, "rsvp-attend")

            # 3. Submit a casus.
            page.goto(live_server.url + reverse("casussen:create", args=[group.pk]))
            page.fill("#id_title", "Feedback aan een collega")
            page.fill("#id_situatie", "Mijn collega reageert fel als ik feedback geef op zijn verslagen.")
            page.fill("#id_kernvraag", "Hoe geef ik feedback zonder dat het gesprek escaleert?")
            shots(page, "casus-form")
            page.locator("button[name=submit]").click()
            page.wait_for_url("**/casussen/*/")
            casus = Casus.objects.get(author=member)
            assert casus.status == "submitted"
            shots(page, "casus-submitted")

            # 4. Claim the presenter slot.
            page.goto(live_server.url + reverse("sessions:detail", args=[upcoming.pk]))
            page.get_by_role("button", name="Ik breng een casus in").click()
            expect(page.get_by_role("button", name="Mijn inbrengplek vrijgeven")).to_be_visible()
            assert Presenter.objects.filter(session=upcoming, user=member).exists()
            shots(page, "presenter")

            # 5. Follow the live session while the facilitator, in a browser of their own, books the casus,
            #    starts the session and moves to the next phase.
            coach = new_page(browser, live_server, facilitator, viewport=viewport)
            book_casus(coach, live_server, casus, upcoming)
            held_today(upcoming)  # the day of the session comes: the live guide may start
            live_url = live_server.url + reverse("casussen:live", args=[upcoming.pk])
            coach.goto(live_url)
            coach.click("#live-start")
            expect(coach.locator("#live-next")).to_be_visible()
            first_phase = coach.locator("#phase-name").text_content()
            page.goto(live_url)
            expect(page.locator("#phase-name")).to_have_text(first_phase)
            coach.click("#live-next")
            expect(coach.locator("#phase-name")).not_to_have_text(first_phase)
            second_phase = coach.locator("#phase-name").text_content()
            expect(page.locator("#phase-name")).to_have_text(second_phase, timeout=10_000)  # via polling
            assert page.locator("#live-next").count() == 0  # the member follows; only the facilitator steers
            shots(page, "live")
            assert unexpected(coach.problems) == [], coach.problems

            # 6. Write a reflection on a session the member attended.
            held = held_session(group, ended_ago=timedelta(hours=2), minutes=120, present=[member])
            page.goto(live_server.url + reverse("reflections:write", args=[held.pk]))
            for name in ("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used"):
                page.check(f"input[name={name}][value='4']")
            page.fill("[name=takeaway]", "Eerst doorvragen, dan pas adviseren.")
            shots(page, "reflection-form")
            page.locator("input[name=submit], button[name=submit]").click()
            page.wait_for_load_state()
            reflection = Reflection.objects.get(session=held, author=member)
            assert (
                reflection.usefulness == 4 and reflection.takeaway == "Eerst doorvragen, dan pas adviseren."
            )
            shots(page, "reflection-saved")

            # 7. Download the accreditation overview.
            page.goto(live_server.url + reverse("dashboards:my_accreditation"))
            shots(page, "accreditation")
            with page.expect_download() as info:
                page.get_by_role("button", name="Download CSV").click()
            content = Path(info.value.path()).read_text(encoding="utf-8-sig")
            assert "Groep Journey" in content
            info.value.save_as(str(shots.folder / "accreditatie.csv"))
            with page.expect_download() as info:
                page.get_by_role("button", name="Download PDF").click()
            assert Path(info.value.path()).read_bytes()[:5] == b"%PDF-"

            assert unexpected(page.problems) == [], page.problems
        finally:
            browser.close()


@pytest.fixture(autouse=True)
def _no_celery_needed(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
