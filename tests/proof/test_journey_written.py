"""Intervision in writing through the real UI in Chromium: the facilitator switches a session with a booked
casus to written (a deadline per phase) → a member writes a question → the facilitator moves a deadline (a
refusal shown in place first) → the phase advances → the member writes advice → the presenter writes their
reflection → the round ends and the casus is discussed; the reminders per phase are in the outbox. Only time
passing is set up in code (earlier deadlines put in the past, then the periodic step that advances phases)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from casussen import written
from casussen.models import Advice, Casus, Question
from notifications.models import Kind, Outbox
from sessions.models import PhaseDeadline, Session
from tests.browser import ARGS, CHROMIUM
from tests.casussen.factories import booked_casus
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import SessionFactory

from .browser import MARKS, Shots, new_page, unexpected

pytestmark = MARKS


def _time_passes_until(session, kind):
    """Every deadline before the first phase of ``kind`` has passed; then the periodic step runs."""
    line = written.timeline(session)
    target = next(d for d in line.deadlines if d.phase.kind == kind)
    earlier = [d for d in line.deadlines if d.phase.position < target.phase.position]
    for offset, deadline in enumerate(earlier):
        PhaseDeadline.objects.filter(pk=deadline.pk).update(
            due_at=timezone.now() - timedelta(minutes=len(earlier) - offset)
        )
    written.written_advance_due()
    return target


def test_written_journey(live_server, viewport):
    from playwright.sync_api import expect, sync_playwright

    group = GroupFactory(name="Groep Schriftelijk")
    facilitator = FacilitatorFactory(group=group).user
    member = MembershipFactory(group=group, user__display_name="Mila Meeschrijver").user
    presenter = MembershipFactory(group=group, user__display_name="Pim Inbrenger").user
    start = (timezone.now() + timedelta(days=14)).replace(second=0, microsecond=0)
    session = SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=2))
    casus = booked_casus(
        session=session, author=presenter, title="Lastig gesprek", kernvraag="Hoe blijf ik rustig als ik?"
    )
    shots = Shots("written", viewport)
    page_url = live_server.url + reverse("casussen:written", kwargs={"session_id": session.pk})

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            coach = new_page(browser, live_server, facilitator, viewport=viewport)
            # 1. The facilitator switches the session to written, from the session page.
            coach.goto(live_server.url + reverse("sessions:detail", kwargs={"session_id": session.pk}))
            coach.click("#written-switch")
            coach.check("input[name=format][value=written]")
            shots(coach, "switch")
            coach.click("#written-setup-save")
            coach.wait_for_url(page_url)
            expect(coach.locator("#written-deadlines li")).to_have_count(session.method.phases.count())
            shots(coach, "deadlines")
            session.refresh_from_db()
            assert session.format == Session.Format.WRITTEN
            reminders = Outbox.objects.filter(kind=Kind.WRITTEN_PHASE, session=session)
            # one per member and writing phase; whom the phase asks is judged when it is sent
            assert reminders.filter(recipient=member).count() == 3
            assert reminders.filter(recipient=presenter).count() == 3

            # 2. Time passes to the question phase; the member writes a question (found from home).
            questions = _time_passes_until(session, "questions")
            mila = new_page(browser, live_server, member, viewport=viewport)
            mila.goto(live_server.url + reverse("home"))
            item = mila.locator("[data-todo=written-questions]")
            expect(item).to_contain_text("Schrijf je vragen voor de casus van Pim Inbrenger")
            shots(mila, "home-todo")
            item.locator("a").first.click()
            mila.wait_for_url(page_url)
            expect(mila.locator("#kernvraag")).to_contain_text("Hoe blijf ik rustig")
            mila.fill("#written-text", "Wat maakt dit gesprek voor jou zo lastig?")
            mila.click("#written-submit")
            expect(mila.locator("#question-log")).to_contain_text("Wat maakt dit gesprek voor jou zo lastig?")
            shots(mila, "question")
            assert Question.objects.filter(run__session=session, author=member).count() == 1

            # 3. The facilitator moves the question deadline: too early first (refused in place), then later.
            coach.goto(page_url)
            row = coach.locator(f"#deadline-{questions.pk}")
            field = row.locator("input[type=datetime-local]")
            past = timezone.localtime(timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
            field.fill(past)
            row.get_by_role("button", name="Verplaatsen").click()
            expect(coach.locator(f"#deadline-{questions.pk} [role=alert]")).to_contain_text("toekomst")
            expect(coach.locator(f"#deadline-{questions.pk} input[aria-invalid=true]")).to_have_value(past)
            shots(coach, "move-refused")
            # htmx logs the answered 400 (the refusal shown in place): expected, once
            refused = [
                p for p in coach.problems if "Response Status Error Code 400" in p and "/termijn/" in p
            ]
            assert len(refused) == 1, coach.problems
            coach.problems.remove(refused[0])
            questions.refresh_from_db()
            later = timezone.localtime(timezone.now() + timedelta(hours=30)).replace(second=0, microsecond=0)
            coach.locator(f"#deadline-{questions.pk} input[type=datetime-local]").fill(
                later.strftime("%Y-%m-%dT%H:%M")
            )
            coach.locator(f"#deadline-{questions.pk}").get_by_role("button", name="Verplaatsen").click()
            expect(coach.locator(f"#deadline-{questions.pk} [role=status]")).to_contain_text("verplaatst")
            shots(coach, "moved")
            questions.refresh_from_db()
            assert questions.due_at == later
            reminder = reminders.get(
                recipient=member, subject_key=written.reminder_key(session.pk, questions.phase_id)
            )
            assert reminder.due_at == later - timedelta(days=1)  # re-timed with the deadline

            # 4. The phase advances (time passes); the member gives their one advice.
            _time_passes_until(session, "advice")
            mila.goto(page_url)
            expect(mila.locator("#written-phase")).to_have_attribute("data-asks", "advice")
            mila.fill("#written-text", "Bel haar morgen en vraag wat zij nodig heeft.")
            mila.click("#written-submit")
            expect(mila.locator("#my-advice")).to_contain_text("Bel haar morgen")
            shots(mila, "advice")
            assert Advice.objects.filter(run__session=session, author=member).count() == 1

            # 5. The presenter writes their reflection in the evaluation phase.
            _time_passes_until(session, "evaluation")
            pim = new_page(browser, live_server, presenter, viewport=viewport)
            pim.goto(page_url)
            expect(pim.locator("#written-phase")).to_have_attribute("data-asks", "reflection")
            pim.fill("#written-text", "Ik neem mee: eerst luisteren, dan pas oplossen.")
            pim.click("#written-submit")
            expect(pim.locator("#written-reflection")).to_contain_text("eerst luisteren")
            shots(pim, "reflection")

            # 6. The last deadline passes: the round ends, the casus is discussed as after a live session.
            PhaseDeadline.objects.filter(session=session).update(due_at=timezone.now() - timedelta(minutes=1))
            written.written_advance_due()
            pim.goto(page_url)
            expect(pim.locator("#written-next-steps")).to_be_visible()
            expect(pim.locator("#advice")).to_contain_text(
                "Bel haar morgen"
            )  # the presenter reads the advice
            shots(pim, "discussed")
            casus.refresh_from_db()
            assert casus.status == Casus.Status.DISCUSSED
            assert casus.takeaways.startswith("Ik neem mee")
            for tab in (coach, mila, pim):
                assert unexpected(tab.problems) == [], tab.problems
        finally:
            browser.close()
