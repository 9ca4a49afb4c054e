"""Phone-sized Chromium: an organisation admin's group settings page, invitations list and group page fit
a 390 px screen without console or CSP errors, and the settings save; screenshots go to $ARTIFACTS_DIR."""

import re

import pytest
from django.urls import reverse

from groups.models import Group
from tests.browser import ARTIFACTS, BROWSER_MARKS, PHONE, phone_page
from tests.factories import (
    PASSWORD,
    GroupFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationAdminFactory,
)

pytestmark = BROWSER_MARKS


@pytest.fixture
def phone():
    with phone_page(record_http_errors=True) as page:
        yield page


def test_settings_page_on_a_phone(transactional_db, live_server, phone):
    group = GroupFactory(
        name="Intervisie Wijkteam Noord met een lange naam", organisation__name="Zorggroep Oost"
    )
    MembershipFactory.create_batch(3, group=group)
    admin = OrganisationAdminFactory(organisation=group.organisation, user__display_name="Bea Beheer").user

    phone.goto(live_server.url + reverse("accounts:login"))
    phone.fill("input[name=username]", admin.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("main form [type=submit]")
    phone.wait_for_url(lambda address: reverse("accounts:login") not in address)
    url = live_server.url + reverse("groups:settings", kwargs={"group_id": group.pk})
    phone.goto(url)
    assert phone.locator("h1").inner_text() == "Instellingen van de groep"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "phone-group-settings.png"), full_page=True)
    scroll_width = phone.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"], f"the settings page is {scroll_width}px wide"
    assert phone.problems == [], phone.problems

    phone.fill("input[name=quorum]", "4")
    phone.click("main form [type=submit]")
    phone.wait_for_url(url)
    assert phone.get_by_role("status").inner_text() == "De instellingen zijn opgeslagen."
    assert Group.objects.get(pk=group.pk).quorum == 4

    InvitationFactory(group=group, email="een-heel-lang-adres.voor-iemand@zorggroep-oost.example.org")
    for name in ("groups:invitations", "groups:detail"):
        phone.goto(live_server.url + reverse(name, kwargs={"group_id": group.pk}))
        phone.screenshot(path=str(ARTIFACTS / f"phone-{name.split(':')[1]}.png"), full_page=True)
        scroll_width = phone.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= PHONE["width"], f"{name} is {scroll_width}px wide"
    # The member table does not hide its buttons behind a sideways scroll.
    removes = phone.get_by_role("link", name=re.compile("^Uit de groep halen")).all()
    assert len(removes) == 3
    for button in removes:
        box = button.bounding_box()
        assert box["x"] + box["width"] <= PHONE["width"], box
    assert phone.problems == [], phone.problems
