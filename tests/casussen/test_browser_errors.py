"""Refused in-page (htmx) actions in Chromium at phone width: the error shows inside the form that acted (an
element with role=alert there, the field marked aria-invalid, or the autosave status, a polite live region,
saying "Niet bewaard") and what was typed is still in the field;
a failure with no form to show (another page, no connection) says so next to the control. A screenshot of
each error state goes to $ARTIFACTS_DIR/errors/."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casussen import live, services
from casussen.models import Casus, ParkedItem, Question
from groups.models import Membership
from groups.services import membership_deactivate
from tests.browser import ARTIFACTS, BROWSER_MARKS, phone_page
from tests.factories import MembershipFactory
from tests.sessions.factories import SessionFactory
from tests.valid_html import html_problems

from .factories import CasusFactory, booked_casus

pytestmark = [
    *BROWSER_MARKS,
    # The werkvormen come from a data migration: restore them around this transactional test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What the browser logs for an answered 4xx (htmx's own line and Chromium's): expected here.
EXPECTED_LOG = (
    "Response Status Error Code 4",
    "Failed to load resource: the server responded with a status of 4",
)


def _log_in(page, live_server, user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


# ... and for a request that got no answer.
OFFLINE_LOG = (
    "htmx:sendError",
    "htmx:afterRequest",
    "Failed to load resource: net::ERR_INTERNET_DISCONNECTED",
)


def _done(page, name: str, *, expected_log: tuple[str, ...] = EXPECTED_LOG):
    """Screenshot of the error state; the page had no script errors and is still valid HTML."""
    (ARTIFACTS / "errors").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "errors" / f"{name}.png"), full_page=True)
    assert [p for p in page.problems if not p.startswith(expected_log)] == []
    assert html_problems(page.content()) == []


def _today_session(group, **kwargs):
    """A session later today: the live guide opens on the session's day."""
    starts = (timezone.now() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    return SessionFactory(group=group, starts_at=starts, **kwargs)


def _live_url(live_server, session) -> str:
    return live_server.url + reverse("casussen:live", kwargs={"session_id": session.pk})


def _running(world):
    session = _today_session(world.group)
    presenter = MembershipFactory(group=world.group).user
    run = live.live_start(session=session, casus=booked_casus(session=session, author=presenter))
    return session, run


def test_start_without_a_werkvorm_says_so_in_the_start_form(world, live_server):
    from playwright.sync_api import expect

    session = _today_session(world.group, method=None)
    booked_casus(session=session, author=MembershipFactory(group=world.group).user)
    with phone_page() as page:
        _log_in(page, live_server, world.facilitator)
        page.goto(_live_url(live_server, session))
        page.click("#live-start")
        expect(page.locator("#live-state form [role=alert]")).to_contain_text("Kies eerst een werkvorm")
        expect(page.locator("#live-start")).to_be_visible()
        _done(page, "live-start-without-werkvorm")


def test_too_long_question_and_topic_stay_in_their_field_with_the_limit(world, live_server):
    from playwright.sync_api import expect

    session, _run = _running(world)
    question, topic = "Waarom nu? " * 92, "Rooster " * 63  # 1012 and 504 characters
    with phone_page() as page:
        _log_in(page, live_server, world.member)
        page.goto(_live_url(live_server, session))
        for form, text, limit in (("#question-form", question, "1000"), ("#parked-form", topic, "500")):
            field = page.locator(f"{form} textarea")
            field.evaluate("el => el.removeAttribute('maxlength')")  # the browser would stop the typing
            field.fill(text)
            page.click(f"{form} button[type=submit]")
            expect(page.locator(f"{form} textarea")).to_have_attribute("aria-invalid", "true")
            error = page.locator(f"{form} .invalid-feedback")
            expect(error).to_contain_text(limit)
            expect(error).to_be_visible()
            expect(page.locator(f"{form} textarea")).to_have_value(text)
            expect(page.locator(f"{form} textarea")).to_be_focused()
        _done(page, "live-question-and-topic-too-long")
    assert not Question.objects.exists() and not ParkedItem.objects.exists()


def test_question_after_the_discussion_ended_is_refused_at_the_field(world, live_server):
    from playwright.sync_api import expect

    session, run = _running(world)
    with phone_page() as page:
        _log_in(page, live_server, world.member)
        page.goto(_live_url(live_server, session))
        page.fill("#question-form textarea", "Wat had je nodig?")
        live.live_step(run=run, action="finish")
        page.click("#question-form button[type=submit]")
        expect(page.locator("#question-form .invalid-feedback")).to_contain_text("geen bespreking")
        expect(page.locator("#question-form textarea")).to_have_value("Wat had je nodig?")
        _done(page, "live-question-after-the-end")
    assert not Question.objects.exists()


def test_too_long_advice_is_refused_in_the_advice_form(world, live_server):
    from playwright.sync_api import expect

    session, run = _running(world)
    while run.method.phases.get(position=run.phase_position).kind != "advice":
        run = live.live_step(run=run, action="next")
    advice = "Vraag het haar zelf. " * 50  # 1050 characters
    with phone_page() as page:
        _log_in(page, live_server, world.member)
        page.goto(_live_url(live_server, session))
        field = page.locator("#advice-text")
        field.evaluate("el => el.removeAttribute('maxlength')")
        field.fill(advice)
        page.locator("#advice-round button[type=submit]").click()
        expect(page.locator("#advice-round form [role=alert]")).to_contain_text("1000")
        expect(page.locator("#advice-text")).to_have_value(advice)
        expect(page.locator("#advice-text")).to_have_attribute("aria-invalid", "true")
        _done(page, "live-advice-too-long")

        page.locator("#advice-text").fill("Vraag het haar zelf.")  # then a good one: the marks go
        page.locator("#advice-round button[type=submit]").click()
        expect(page.locator("#advice-round h3")).to_contain_text("1 advies ontvangen")
        expect(page.locator("#advice-round [role=alert]")).to_have_count(0)
        expect(page.locator("#advice-text")).not_to_have_attribute("aria-invalid", "true")
        expect(page.locator("#advice-text")).to_have_value("Vraag het haar zelf.")


def test_question_of_someone_no_longer_in_the_group_keeps_the_text_and_says_so(world, live_server):
    """A 404 page is not a form to show: the message comes from the page's own script, at the form."""
    from playwright.sync_api import expect

    session, _run = _running(world)
    with phone_page() as page:
        _log_in(page, live_server, world.member)
        page.goto(_live_url(live_server, session))
        page.fill("#question-form textarea", "Hoe reageerde je team?")
        membership_deactivate(membership=Membership.objects.get(group=world.group, user=world.member))
        page.click("#question-form button[type=submit]")
        expect(page.locator("#question-form [role=alert]")).to_contain_text("Vernieuw de pagina")
        expect(page.locator("#question-form textarea")).to_have_value("Hoe reageerde je team?")
        _done(page, "live-question-refused-page")


def test_question_without_a_connection_keeps_the_text_and_says_so(world, live_server):
    from playwright.sync_api import expect

    session, _run = _running(world)
    url = reverse("casussen:question_add", kwargs={"session_id": session.pk})
    with phone_page() as page:
        _log_in(page, live_server, world.member)
        page.goto(_live_url(live_server, session))
        page.route(f"**{url}", lambda route: route.abort("internetdisconnected"))
        page.fill("#question-form textarea", "Wat was je eerste gedachte?")
        page.click("#question-form button[type=submit]")
        alert = page.locator("#question-form [role=alert]")
        expect(alert).to_contain_text("Geen verbinding")
        expect(page.locator("#question-form textarea")).to_have_value("Wat was je eerste gedachte?")
        _done(page, "live-question-offline", expected_log=OFFLINE_LOG)

        page.unroute(f"**{url}")
        page.click("#question-form button[type=submit]")  # the next success takes the message away
        expect(page.locator("#question-log")).to_contain_text("Wat was je eerste gedachte?")
        expect(alert).to_have_count(0)


def test_autosave_of_a_draft_submitted_elsewhere_says_not_saved(world, live_server):
    """The server really refuses: the draft was submitted in another tab, so this page may not save it."""
    from playwright.sync_api import expect

    draft = CasusFactory(group=world.group, author=world.member, status=Casus.Status.DRAFT, submitted_at=None)
    with phone_page() as page:
        _log_in(page, live_server, world.member)
        page.goto(live_server.url + reverse("casussen:edit", kwargs={"casus_id": draft.pk}))
        services.casus_submit(casus=draft)
        page.fill("#id_situatie", "Een collega reageert fel op mijn feedback, ook na het overleg.")
        status = page.locator("form #autosave-status[aria-live=polite] [data-autosave=refused]")
        expect(status).to_contain_text("Niet bewaard", timeout=8000)
        expect(status).to_contain_text("al ingediend")
        expect(status.get_by_role("link")).to_have_attribute(
            "href", reverse("casussen:edit", kwargs={"casus_id": draft.pk})
        )
        expect(page.locator("#id_situatie")).to_have_value(
            "Een collega reageert fel op mijn feedback, ook na het overleg."
        )
        _done(page, "casus-autosave-refused")
    draft.refresh_from_db()
    assert draft.situatie != "Een collega reageert fel op mijn feedback, ook na het overleg."


def test_poll_after_logging_out_says_so_instead_of_showing_the_login_page(world, live_server):
    """The poll is redirected to the login page, a whole page where a fragment was expected: it is not
    swapped into the live guide, a message says what to do."""
    from playwright.sync_api import expect

    session, run = _running(world)
    with phone_page() as page:
        _log_in(page, live_server, world.member)
        page.goto(_live_url(live_server, session))
        page.context.clear_cookies()
        live.live_step(run=run, action="next")  # something changed, so the poll asks the server
        expect(page.locator("#live-state [role=alert]")).to_contain_text("uitgelogd", timeout=10000)
        expect(page.locator("#phase-name")).to_have_text("Terugblik")
        assert page.locator("#live-state form[action*=login]").count() == 0
        _done(page, "live-poll-logged-out", expected_log=("Response Status Error Code 200",))
