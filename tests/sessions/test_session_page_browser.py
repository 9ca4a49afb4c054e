"""The one session page in Chromium, at phone width (390 px) and at desktop width, as a member and as the
facilitator: the three stages in order, nothing wider than the phone's screen, axe-core finds no serious or
critical WCAG 2.1 AA violation. Screenshots in $ARTIFACTS_DIR/session-page-<role>-<width>.png."""

import pytest
from django.test import Client
from django.urls import reverse

from sessions.models import RSVP
from tests.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM, PHONE, assert_accessible
from tests.casussen.factories import booked_casus
from tests.factories import MembershipFactory

from .factories import RSVPFactory, SessionFactory

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


def _scene(world):
    session = SessionFactory(group=world.group, online_link="https://meet.example.org/intervisie")
    booked_casus(session=session, author=world.member, kernvraag="Hoe geef ik grenzen aan zonder te botsen?")
    RSVPFactory(session=session, user=world.facilitator, answer=RSVP.Answer.ATTEND)
    for reason in (RSVP.Reason.SICK, RSVP.Reason.HOLIDAY):
        peer = MembershipFactory(group=world.group).user
        RSVPFactory(session=session, user=peer, answer=RSVP.Answer.DECLINE, decline_reason=reason)
    RSVPFactory(session=session, user=MembershipFactory(group=world.group).user, answer=RSVP.Answer.MAYBE)
    return session


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_session_page_in_the_browser(world, live_server, role):
    from playwright.sync_api import sync_playwright

    session = _scene(world)
    user = world.user_for(role)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}
    url = live_server.url + reverse("sessions:detail", kwargs={"session_id": session.pk})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
                phone = label == "phone"
                context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
                context.add_cookies([cookie])
                page = context.new_page()
                problems: list[str] = []
                page.on("pageerror", lambda error, problems=problems: problems.append(str(error)))
                response = page.goto(url)
                assert response is not None and response.status == 200
                stages = page.eval_on_selector_all("section[id^=stage-]", "nodes => nodes.map(n => n.id)")
                assert stages == ["stage-before", "stage-during", "stage-after"]
                assert page.locator("[data-panel=casus] [data-kernvraag]").count() == 1
                reasons = page.locator("#roster-decline [data-decline-reason]").count()
                assert reasons == (2 if role == "facilitator" else 0)
                assert (page.locator("#session-edit").count() == 1) is (role == "facilitator")
                if phone:
                    width = page.evaluate("document.documentElement.scrollWidth")
                    assert width <= PHONE["width"], (
                        f"the page is {width} px wide on a {PHONE['width']} px phone"
                    )
                page.screenshot(path=str(ARTIFACTS / f"session-page-{role}-{label}.png"), full_page=True)
                assert_accessible(page)
                assert problems == []
                context.close()
        finally:
            browser.close()
