"""Every page of the permission matrix, opened in Chromium as a role that may see it, at phone width
(390 px) and at desktop width: axe-core finds no serious or critical WCAG 2.1 AA violation, and on the phone
nothing is wider than the screen. A screenshot of each page is kept in $ARTIFACTS_DIR/pages/."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.a11y.axe import assert_accessible
from tests.browser import ARGS, ARTIFACTS, BROWSER_MARKS, CHROMIUM, PHONE
from tests.permission_matrix import all_rows, markers, page_viewer, route

pytestmark = [*BROWSER_MARKS, pytest.mark.xdist_group("a11y_pages")]

DESKTOP = {"width": 1280, "height": 900}
# Whose view of a page is checked: the first of these roles that gets a 200 (the one who sees most).
# Files and fragments, not pages: URLs ending in a file name or a format argument, and the live poll.
NOT_PAGES = re.compile(r"(\.(ics|csv|pdf|zip|json|%\(fmt\)s)|download/|/poll/)$")


def _pages() -> list[tuple[str, str]]:
    """(row id, role) for each GET row that answers a page with 200 to one of VIEWERS."""
    pages = []
    for row in all_rows():
        if row.method != "get" or row.seen_as or NOT_PAGES.search(route(row.name)):
            continue
        role = page_viewer(row)
        if role is not None:
            pages.append((row.id, role))
    return pages


# The innermost elements that reach beyond the screen's right edge (what to fix when a page is too wide).
WIDER_THAN_SCREEN = """screen => {
  const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return true; } return false; };
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > screen + 1 && !clipped(e));
  return wide.filter(e => !wide.some(o => o !== e && e.contains(o))).slice(0, 5)
    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ').join('.') : '')
      + ' ' + (e.textContent || '').trim().slice(0, 40));
}"""
ROWS = {row.id: row for row in all_rows()}


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def _session_cookie(user, live_server) -> list[dict]:
    if user is None:
        return []
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]


@pytest.mark.parametrize(("row_id", "role"), _pages())
def test_page_is_accessible(row_id, role, chromium, world, live_server, transactional_db):
    row = ROWS[row_id]
    markers.seed(world)
    user = world.user_for(role) if role != "anonymous" else None
    url = live_server.url + reverse(row.name, kwargs=row.kwargs(world))
    name = row_id.replace(":", "-")
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        phone = label == "phone"
        context = chromium.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        context.add_cookies(_session_cookie(user, live_server))
        page = context.new_page()
        try:
            response = page.goto(url)
            assert response is not None, (row_id, role)
            assert response.status == 200, (row_id, role, response.status)
            assert "text/html" in response.headers.get("content-type", ""), response.headers
            (ARTIFACTS / "pages").mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "pages" / f"{name}-{label}.png"), full_page=True)
            assert_accessible(page, f"{row_id} as {role} ({label})")
            if phone:
                width = page.evaluate("document.documentElement.scrollWidth")
                wide = page.evaluate(WIDER_THAN_SCREEN, PHONE["width"])
                assert width <= PHONE["width"], f"{row_id} is {width}px wide on the phone: {wide}"
        finally:
            context.close()
