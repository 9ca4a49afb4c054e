"""The last step of the loop in Chromium, at phone and desktop width: weeks after the session, the member who
brought in the casus finds the follow-up on home, cannot send it without an answer, answers it, and sees it
saved with the session's reflections. Screenshots and axe-core on every step."""

from datetime import timedelta

from django.urls import reverse

from reflections.models import FollowUp
from tests.browser import ARGS, CHROMIUM
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import held_session

from .browser import MARKS, Shots, new_page

pytestmark = MARKS

WHAT_CHANGED = "Ik plan nu elke week een gesprek met mijn team."


def test_the_presenter_answers_the_follow_up_from_home(live_server, viewport):
    from playwright.sync_api import sync_playwright

    group = GroupFactory(name="Groep Opvolging")
    facilitator = FacilitatorFactory(group=group, user__display_name="Fenna Begeleider").user
    presenter = MembershipFactory(group=group, user__display_name="Pim Inbrenger").user
    MembershipFactory.create_batch(2, group=group)
    session = held_session(
        group,
        ended_ago=timedelta(weeks=group.followup_weeks, days=2),
        present=[facilitator, presenter],
        presenters=[presenter],
        announce=True,
    )
    followup = reverse("reflections:followup", args=[session.pk])
    shot = Shots("followup", viewport)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, live_server, presenter, viewport=viewport)
            page.goto(live_server.url + reverse("home"))
            shot(page, "home")
            page.locator(f'a[href="{followup}"]:visible').first.click()
            page.wait_for_url(live_server.url + followup)
            shot(page, "followup-form")

            # Without an answer the form is not sent: the browser says so at the choice.
            page.get_by_role("button", name="Opslaan").click()
            first_choice = page.locator("input[name=outcome]").first
            assert first_choice.evaluate("element => element.validity.valueMissing")
            assert page.url == live_server.url + followup
            assert not FollowUp.objects.filter(session=session).exists()

            page.get_by_label("deels toegepast").check()
            page.locator("textarea[name=what_changed]").fill(
                "Ik plan nu elke week een gesprek met mijn team."
            )
            page.get_by_role("button", name="Opslaan").click()
            page.wait_for_url(live_server.url + reverse("reflections:session", args=[session.pk]))
            assert page.get_by_role("alert").or_(page.locator(".alert-success")).first.is_visible()
            shot(page, "followup-saved")
            assert page.problems == [], page.problems
        finally:
            browser.close()

    answer = FollowUp.objects.get(session=session, presenter=presenter)
    assert (answer.outcome, answer.what_changed) == (
        "partly",
        "Ik plan nu elke week een gesprek met mijn team.",
    )
