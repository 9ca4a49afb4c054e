"""RSVP in Debian's Chromium: the card updates in place (htmx), the decline form asks for a reason, and the
same page works with JavaScript switched off."""

import pytest
from django.test import Client
from django.urls import reverse

from sessions.models import RSVP
from tests.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM

from .factories import SessionFactory

pytestmark = [
    *BROWSER_MARKS,
    pytest.mark.django_db(transaction=True),
]


def _page(browser, live_server, user, *, javascript=True):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context(viewport={"width": 1100, "height": 900}, java_script_enabled=javascript)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    return page


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_rsvp_in_the_browser(world, live_server, javascript):
    from playwright.sync_api import expect, sync_playwright

    session = SessionFactory(group=world.group)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = _page(browser, live_server, world.member, javascript=javascript)
            page.goto(live_server.url + reverse("sessions:mine"))
            card = page.locator(f"#session-{session.pk}")
            page.evaluate("window.__marker = 1") if javascript else None

            card.get_by_role("button", name="Ik kom").click()
            expect(page.locator(f"#session-{session.pk} [data-my-answer]")).to_have_attribute(
                "data-my-answer", "attend"
            )
            if javascript:  # swapped in place: no navigation happened
                assert page.evaluate("window.__marker") == 1

            page.locator(f"#session-{session.pk} summary").click()
            page.locator(f"#reason-{session.pk}").select_option("holiday")
            page.locator(f"#session-{session.pk}").get_by_role("button", name="Afmelden").click()
            expect(page.locator(f"#session-{session.pk} [data-my-answer]")).to_have_attribute(
                "data-my-answer", "decline"
            )
            page.screenshot(path=str(ARTIFACTS / f"sessions-rsvp-{'htmx' if javascript else 'nojs'}.png"))
            assert page.problems == []
        finally:
            browser.close()
    rsvp = RSVP.objects.get(session=session, user=world.member)
    assert (rsvp.answer, rsvp.decline_reason) == ("decline", "holiday")
