"""Playwright helpers for the journeys: Debian's Chromium, pages logged in through the real login form or a
session cookie, and a record of console errors, CSP violations and failed responses per page."""

import pytest
from django.test import Client

from tests.a11y.axe import assert_accessible
from tests.browser import ARTIFACTS as SHARED_ARTIFACTS
from tests.browser import BROWSER_MARKS, PHONE

ARTIFACTS = SHARED_ARTIFACTS / "journeys"

# The widths a journey runs at (the ``viewport`` fixture in conftest.py): a phone (390 px, touch, mobile
# meta-viewport honoured) and a desktop. Screenshots at scale 1 keep the artifacts small and quick.
VIEWPORTS = {
    "phone": {"viewport": PHONE, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1100, "height": 900}},
}

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


def new_page(browser, live_server, user=None, *, accept_downloads=False, viewport="desktop"):
    """A page in a context of its own at ``viewport`` (a key of VIEWPORTS), logged in as ``user`` if given."""
    context = browser.new_context(**VIEWPORTS[viewport], accept_downloads=accept_downloads)
    if user is not None:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
    return watch(context.new_page())


# The page's elements that reach past the viewport's right edge (those inside a scrolling box excepted).
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden' || x === 'clip') return true;
    }
    return false;
  };
  const wide = [...document.body.querySelectorAll('*')].filter(
    el => el.getBoundingClientRect().right > width + 1 && !clipped(el));
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.classList.length ? '.' + [...el.classList].join('.') : '');
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
          wide: wide.slice(0, 5).map(el => name(el) + ' ' + Math.round(el.getBoundingClientRect().right))};
}"""


def assert_no_horizontal_overflow(page, where: str = "") -> None:
    """The page does not scroll sideways: nothing is wider than the viewport (at 390 px: usable on a
    phone)."""
    width = page.viewport_size["width"]
    found = page.evaluate(OVERFLOW_JS)
    wide = found["scrollWidth"]
    assert wide <= min(found["innerWidth"], width), (
        f"{where or page.url}: {wide} px wide in a {width} px viewport; too wide: {found['wide']}"
    )


class Shots:
    """Numbered full-page screenshots of one journey, in ``<journey>-<viewport>`` under the artifacts (just
    ``<journey>`` without a viewport); each step's page is also checked by axe-core (no serious or critical
    WCAG 2.1 AA violation) and for horizontal overflow."""

    def __init__(self, journey: str, viewport: str | None = None):
        self.folder = ARTIFACTS / (f"{journey}-{viewport}" if viewport else journey)
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):  # a step renamed or dropped since the last run leaves nothing
            old.unlink()
        self.n = 0

    def __call__(self, page, step: str):
        self.n += 1
        where = f"{self.folder.name} step {self.n} ({step})"
        page.screenshot(path=str(self.folder / f"{self.n:02d}-{step}.png"), full_page=True)
        assert_accessible(page, where)
        assert_no_horizontal_overflow(page, where)


def menu(page, name: str) -> None:
    """Follow the main menu's link ``name`` as a person would: on a phone the menu is folded away behind
    its button, which is tapped first."""
    toggler = page.locator("nav .navbar-toggler")
    link = page.locator("#mainnav").get_by_role("link", name=name, exact=True)
    if toggler.is_visible():
        assert not link.is_visible(), f"{name}: the folded menu shows its links"
        toggler.click()
    link.click()
    page.wait_for_load_state()


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
