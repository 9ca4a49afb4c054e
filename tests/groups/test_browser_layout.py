"""Phone-sized Chromium: the login page and the home page are readable (nothing wider than the screen,
no CSP violations, the menu folds away), with screenshots in $ARTIFACTS_DIR for a human look."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, GroupFactory, MembershipFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def phone():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
        yield page
        browser.close()


def _assert_fits(page, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"{name} is {scroll_width}px wide on a {PHONE['width']}px phone"
    assert page.problems == [], page.problems  # CSP violations show up as console errors


def test_login_and_home_on_a_phone(transactional_db, live_server, phone):
    group = GroupFactory(
        name="Intervisie Wijkteam Noord met een lange naam", organisation__name="Zorggroep Oost"
    )
    member = MembershipFactory(group=group, user__display_name="Anna de Vries").user
    MembershipFactory.create_batch(5, group=group)
    GroupFactory.reset_sequence()
    MembershipFactory(
        user=member, group=GroupFactory(organisation=group.organisation, name="Intervisie Jeugdzorg")
    )

    phone.goto(live_server.url + reverse("accounts:login"))
    assert phone.locator("h1").inner_text() == "Inloggen"
    assert phone.locator("#mainnav").is_hidden()  # the menu is folded behind the toggler
    _assert_fits(phone, "login")

    phone.fill("input[name=username]", member.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("main form [type=submit]")
    phone.wait_for_url(live_server.url + reverse("home"))
    assert phone.locator("h1").inner_text() == "Mijn groepen"
    assert phone.locator(".card").count() == 2
    _assert_fits(phone, "home")

    phone.click(".navbar-toggler")
    phone.locator("#mainnav").wait_for(state="visible")
    assert phone.get_by_role("button", name="Uitloggen").is_visible()
    _assert_fits(phone, "home-menu")
