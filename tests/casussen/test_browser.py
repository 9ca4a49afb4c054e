"""A short live session in Debian's Chromium: the facilitator starts and moves on a phase, a member follows
on their own device, adds a question to the log, and the presenter marks it as eye-opening."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM
from tests.factories import MembershipFactory
from tests.sessions.factories import SessionFactory

from .factories import booked_casus, held_today

pytestmark = [
    *BROWSER_MARKS,
    # The werkvormen come from a data migration: restore them around this transactional test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _page_for(browser, live_server, user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' '"
        " + (e.target && e.target.outerHTML || '')))"
    )
    page = context.new_page()
    page.problems = []
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")  # reported with its URL below
            and page.problems.append(msg.text)
        ),
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and page.problems.append(f"{r.status} {r.url}")
        ),
    )
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    return page


def test_short_live_session(world, live_server):
    from playwright.sync_api import expect, sync_playwright

    presenter = MembershipFactory(group=world.group, user__display_name="Pien Presenteert").user
    session = SessionFactory(group=world.group)
    booked_casus(session=session, author=presenter)
    held_today(session)  # the live guide starts on the session's day
    url = live_server.url + reverse("casussen:live", kwargs={"session_id": session.pk})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            facilitator = _page_for(browser, live_server, world.facilitator)
            member = _page_for(browser, live_server, world.member)
            inbrenger = _page_for(browser, live_server, presenter)
            for page in (facilitator, member, inbrenger):
                page.goto(url)
            expect(member.locator("#live-waiting")).to_be_visible()

            facilitator.click("#live-start")
            expect(facilitator.locator("#phase-name")).to_have_text("Terugblik")
            timer = facilitator.locator("#live-timer")
            expect(timer).to_have_text(re.compile(r"0[45]:\d\d"))
            expect(member.locator("#phase-name")).to_have_text("Terugblik", timeout=8000)  # via polling

            facilitator.click("#live-next")
            expect(facilitator.locator("#phase-name")).to_have_text("Inventariseren")
            expect(member.locator("#phase-name")).to_have_text("Inventariseren", timeout=8000)
            assert member.locator("#live-next").count() == 0  # members get no phase controls

            member.fill("#question-form textarea", "Wat maakt dit voor jou lastig?")
            member.click("#question-form button[type=submit]")
            expect(member.locator("#question-log")).to_contain_text("Wat maakt dit voor jou lastig?")
            expect(member.locator("#question-form textarea")).to_have_value("")

            question = inbrenger.locator("#question-log li", has_text="Wat maakt dit voor jou lastig?")
            expect(question).to_be_visible(timeout=8000)
            question.get_by_role("button", name="Opende mijn ogen").click()
            expect(inbrenger.locator("#question-log .badge")).to_have_text("opende mijn ogen")
            expect(member.locator("#question-log .badge")).to_have_text("opende mijn ogen", timeout=8000)
            assert member.locator("#question-log button").count() == 0  # only the presenter marks

            facilitator.screenshot(path=str(ARTIFACTS / "casussen-live-facilitator.png"), full_page=True)
            member.screenshot(path=str(ARTIFACTS / "casussen-live-member.png"), full_page=True)
            inbrenger.screenshot(path=str(ARTIFACTS / "casussen-live-presenter.png"), full_page=True)
            for page in (facilitator, member, inbrenger):
                assert page.problems == [], page.problems  # CSP violations show up as console errors
        finally:
            browser.close()


def test_draft_is_saved_while_typing(world, live_server):
    from playwright.sync_api import expect, sync_playwright

    from casussen.models import Casus

    url = live_server.url + reverse("casussen:create", kwargs={"group_id": world.group.pk})
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = _page_for(browser, live_server, world.member)
            page.goto(url)
            page.fill("#id_title", "Lastig gesprek")
            page.fill("#id_situatie", "Een collega reageert fel op mijn feedback.")
            expect(page.locator("#autosave-status")).to_contain_text("Concept bewaard", timeout=8000)
            page.fill("#id_kernvraag", "Hoe kan ik feedback geven zonder dat het escaleert?")
            page.locator("#id_kernvraag").blur()
            page.wait_for_function(
                "document.querySelector('#casus-id-slot input').value !== ''", timeout=8000
            )
            expect(page.locator("#autosave-status")).to_contain_text("Concept bewaard", timeout=8000)
            page.wait_for_timeout(2500)  # let the debounced save of the last keystrokes land
            drafts = list(Casus.objects.filter(author=world.member))
            assert len(drafts) == 1 and drafts[0].status == Casus.Status.DRAFT
            assert drafts[0].kernvraag == "Hoe kan ik feedback geven zonder dat het escaleert?"
            page.click("button[name=submit]")
            expect(page.locator("#kernvraag")).to_contain_text("Hoe kan ik feedback geven")
            assert Casus.objects.get().status == Casus.Status.SUBMITTED
            page.screenshot(path=str(ARTIFACTS / "casussen-submitted.png"), full_page=True)
            assert page.problems == [], page.problems
        finally:
            browser.close()
