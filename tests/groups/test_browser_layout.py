"""Phone-sized Chromium: the login page and the home page are readable (nothing wider than the screen,
no CSP violations, the menu folds away), with screenshots in $ARTIFACTS_DIR for a human look."""

import pytest
from django.urls import reverse

from tests.browser import ARTIFACTS, BROWSER_MARKS, PHONE, phone_page
from tests.factories import PASSWORD, GroupFactory, MembershipFactory

pytestmark = BROWSER_MARKS


@pytest.fixture
def phone():
    with phone_page(record_http_errors=True) as page:
        yield page


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
    assert phone.locator("h1").inner_text() == "Mijn overzicht"
    assert phone.locator(".card").count() == 2
    _assert_fits(phone, "home")

    phone.click(".navbar-toggler")
    phone.locator("#mainnav").wait_for(state="visible")
    assert phone.get_by_role("button", name="Uitloggen").is_visible()
    _assert_fits(phone, "home-menu")
