"""Taking part without being there, in Chromium (issue 19, part 1): a member declines a session → home offers
to write in advance → they write two questions and one advice, reading only the casus's title and kernvraag →
the session's day comes → the facilitator starts the live guide: in the question phase the questions appear,
marked "vooraf geschreven" with their author; in the advice round the advice → the presenter sees them with
the summary, writes it and shares it → one outbox message for the absent member; their learning log says
"schriftelijk bijgedragen". Only time passing is set up in code."""

from django.urls import reverse

from casussen.models import AdvanceContribution, Question
from notifications.models import Kind, Outbox
from sessions.models import RSVP
from tests.browser import ARGS, CHROMIUM
from tests.casussen.factories import booked_casus, held_today
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import SessionFactory

from .browser import MARKS, Shots, new_page, unexpected

pytestmark = MARKS

KERNVRAAG = "Hoe houd ik grip op mijn agenda zonder nee te zeggen tegen mijn team?"
SITUATIE = "Situatie die de afwezige niet hoeft te lezen."
QUESTIONS = "Wat gebeurt er als je één keer nee zegt?\nWie bepaalt nu eigenlijk je agenda?"
ADVICE = "Plan elke week twee vaste uren voor jezelf en deel dat met je team."


def _next_phase(page, expect):
    before = page.locator("#phase-name").text_content()
    page.click("#live-next")
    expect(page.locator("#phase-name")).not_to_have_text(before)


def test_advance_journey(live_server, viewport):
    from playwright.sync_api import expect, sync_playwright

    group = GroupFactory(name="Groep Vooraf")
    facilitator = FacilitatorFactory(group=group, user__display_name="Fenna Begeleider").user
    presenter = MembershipFactory(group=group, user__display_name="Pim Inbrenger").user
    absent = MembershipFactory(group=group, user__display_name="Anouk Afwezig").user
    session = SessionFactory(group=group)
    casus = booked_casus(
        session=session, author=presenter, title="Grip op de agenda", kernvraag=KERNVRAAG, situatie=SITUATIE
    )
    shots = Shots("advance", viewport)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, live_server, absent, viewport=viewport)
            # 1. Decline the session with a reason.
            page.goto(live_server.url + reverse("sessions:mine"))
            card = page.locator(f"#session-{session.pk}")
            card.locator("summary").click()
            card.locator("select[name=decline_reason]").select_option("busy")
            card.get_by_role("button", name="Afmelden").click()
            expect(page.locator(f"#session-{session.pk} [data-my-answer]")).to_have_attribute(
                "data-my-answer", "decline"
            )
            assert RSVP.objects.get(session=session, user=absent).answer == "decline"

            # 2. Home offers to write in advance; the page shows the title and the kernvraag, not the rest.
            page.goto(live_server.url + reverse("home"))
            item = page.locator("[data-todo=advance]")
            expect(item).to_contain_text("Schrijf vooraf je vragen en advies")
            shots(page, "home-todo")
            item.get_by_role("link").first.click()
            page.wait_for_url("**" + reverse("casussen:advance", args=[casus.pk]))
            expect(page.locator("[data-kernvraag]")).to_contain_text(KERNVRAAG)
            assert SITUATIE not in page.content()
            page.fill(f"#id_advance_{casus.pk}_questions", QUESTIONS)
            page.fill(f"#id_advance_{casus.pk}_advice", ADVICE)
            shots(page, "advance-form")
            page.get_by_role("button", name="Vooraf insturen").click()
            page.wait_for_url("**" + reverse("sessions:detail", args=[session.pk]) + "#panel-advance")
            expect(page.locator("#panel-advance")).to_be_visible()
            shots(page, "advance-saved")
            contribution = AdvanceContribution.objects.get(casus=casus, author=absent)
            assert contribution.advice == ADVICE and len(contribution.questions.splitlines()) == 2

            # 3. The session's day comes; the facilitator starts the live guide.
            held_today(session)
            coach = new_page(browser, live_server, facilitator, viewport=viewport)
            live_url = live_server.url + reverse("casussen:live", args=[session.pk])
            coach.goto(live_url)
            coach.click("#live-start")
            expect(coach.locator("#live-next")).to_be_visible()
            expect(coach.locator("#question-log")).not_to_contain_text("Wie bepaalt nu eigenlijk je agenda?")
            run = casus.runs.get()
            phases = list(run.method.phases.order_by("position"))
            questions_at = next(i for i, p in enumerate(phases) if p.kind == "questions")
            advice_at = next(i for i, p in enumerate(phases) if p.kind == "advice")
            for _step in range(questions_at):
                _next_phase(coach, expect)
            advance_items = coach.locator("#question-log li:has([data-written-in-advance])")
            expect(advance_items).to_have_count(2)
            expect(advance_items.first).to_contain_text("Anouk Afwezig")
            expect(advance_items.first).to_contain_text("vooraf geschreven")
            shots(coach, "live-questions")
            assert Question.objects.filter(run=run, written_in_advance=True).count() == 2

            # 4. The advice round: the advice written in advance, to be read out.
            for _step in range(advice_at - questions_at):
                _next_phase(coach, expect)
            expect(coach.locator("#advance-advice")).to_contain_text(ADVICE)
            shots(coach, "live-advice")
            for _step in range(len(phases) - 1 - advice_at):
                _next_phase(coach, expect)
            coach.click("#live-finish")
            expect(coach.locator("#live-next-steps")).to_be_visible()
            assert unexpected(coach.problems) == [], coach.problems

            # 5. The presenter sees them beside the summary, writes it and shares it.
            own = new_page(browser, live_server, presenter, viewport=viewport)
            own.goto(live_server.url + reverse("sessions:detail", args=[session.pk]))
            expect(own.locator("[data-advance-written]")).to_contain_text("Anouk Afwezig")
            shots(own, "presenter-session")
            own.goto(live_server.url + reverse("casussen:summary", args=[casus.pk]))
            expect(own.locator("#advance-writers")).to_contain_text("Anouk Afwezig")
            own.fill("#id_takeaways", "Ik plan vaste uren en zeg dat hardop.")
            own.fill("#id_action_1", "Maandag de agenda blokken")
            own.check("#id_share_with_advance")
            shots(own, "summary-share")
            own.get_by_role("button", name="Opslaan").click()
            own.wait_for_url("**" + reverse("casussen:detail", args=[casus.pk]))
            expect(own.locator("#advice")).to_contain_text("vooraf geschreven")
            shots(own, "casus-advice")
            row = Outbox.objects.get(kind=Kind.ADVANCE_SUMMARY)
            assert (row.recipient_id, row.session_id) == (absent.pk, session.pk)
            assert unexpected(own.problems) == [], own.problems

            # 6. The absent member: the shared summary on the session page, the learning log counts it.
            page.goto(live_server.url + reverse("sessions:detail", args=[session.pk]))
            expect(page.locator("#panel-summary")).to_contain_text("Ik plan vaste uren")
            page.goto(live_server.url + reverse("reflections:learning_log"))
            expect(page.locator("[data-entry=advance]")).to_contain_text("Schriftelijk bijgedragen")
            shots(page, "learning-log")
            assert unexpected(page.problems) == [], page.problems
        finally:
            browser.close()
