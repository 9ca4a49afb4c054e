"""Playwright helpers for the journeys: Debian's Chromium, pages logged in through the real login form or a
session cookie, and a record of console errors, CSP violations and failed responses per page."""

import pytest
from django.test import Client

from tests.a11y.axe import assert_accessible
from tests.browser import ARTIFACTS as SHARED_ARTIFACTS
from tests.browser import BROWSER_MARKS

ARTIFACTS = SHARED_ARTIFACTS / "journeys"

MARKS = [
    *BROWSER_MARKS,
    # Werkvormen come from a data migration: restore them around these transactional tests.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def watch(page):
    page.problems = []
    page.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and not msg.text.startswith("Failed to load resource")
            and page.problems.append(f"{page.url}: {msg.text[:90]}")
        ),
    )
    page.on(
        "response",
        lambda r: (r.status >= 500 or r.status in (403, 404)) and page.problems.append(f"{r.status} {r.url}"),
    )
    page.on("pageerror", lambda error: page.problems.append(f"{page.url}: {error}"))
    return page


def new_page(browser, live_server, user=None, *, accept_downloads=False):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=accept_downloads)
    if user is not None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    return watch(context.new_page())


class Shots:
    """Numbered full-page screenshots of one journey; each step's page is also checked by axe-core (no
    serious or critical WCAG 2.1 AA violation)."""

    def __init__(self, journey: str):
        self.folder = ARTIFACTS / journey
        self.folder.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def __call__(self, page, step: str):
        self.n += 1
        page.screenshot(path=str(self.folder / f"{self.n:02d}-{step}.png"), full_page=True)
        assert_accessible(page, f"{self.folder.name} step {self.n} ({step})")


# Problems found by the journeys in pages this suite does not own, reported to the lead; each entry is
# (URL path, start of the message). Anything else fails the journey.
KNOWN_PROBLEMS: list[tuple[str, str]] = []


def unexpected(problems: list[str]) -> list[str]:
    def known(problem):
        return any(f"{path}: {start}" in problem for path, start in KNOWN_PROBLEMS)

    return [problem for problem in problems if not known(problem)]


def book_casus(page, live_server, casus, session) -> None:
    """On the casus page, put the casus on ``session`` (the author's or a facilitator's page)."""
    from django.urls import reverse

    page.goto(live_server.url + reverse("casussen:detail", args=[casus.pk]))
    page.select_option("#id_session", str(session.pk))
    page.get_by_role("button", name="Inplannen").click()
    page.wait_for_load_state()
    casus.refresh_from_db()
    assert (casus.status, casus.session_id) == ("booked", session.pk)
