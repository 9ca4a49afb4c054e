"""Phone-sized Chromium: a member writes a reflection with radio buttons in well under two minutes of
tapping; the facilitator's group page loads the health signals by htmx. Screenshots in $ARTIFACTS_DIR."""

from datetime import timedelta

import pytest
from django.urls import reverse

from reflections.models import Reflection
from tests.browser import ARTIFACTS, BROWSER_MARKS, PHONE, phone_page
from tests.factories import PASSWORD, FacilitatorFactory, GroupFactory
from tests.sessions.factories import held_session

from .factories import SCORES, members, reflect

pytestmark = BROWSER_MARKS


@pytest.fixture
def phone():
    with phone_page(record_http_errors=False) as page:
        yield page


def _shot(page, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"reflections-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width}px wide on a {PHONE['width']}px phone"
    assert page.problems == [], page.problems  # CSP violations show up as console errors


def _login(page, live_server, user):
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_url(live_server.url + reverse("home"))


def test_member_writes_a_reflection_on_a_phone(transactional_db, live_server, phone):
    group = GroupFactory(name="Intervisie Wijkteam Noord")
    people = members(group, 4)
    session = held_session(group, present=people, presenters=[people[0]])
    _login(phone, live_server, people[1])
    phone.goto(live_server.url + reverse("reflections:session", kwargs={"session_id": session.pk}))
    phone.get_by_role("link", name="Reflectie invullen (2 minuten)").click()
    _shot(phone, "form")
    for name in SCORES:
        radio = phone.locator(f"input[name={name}][value='4']")
        phone.locator(f"label[for={radio.get_attribute('id')}]").click()  # tap the label: a big target
    phone.fill("input[name=takeaway]", "Eerst doorvragen")
    phone.check("input[name=share_takeaway]")
    phone.get_by_role("button", name="Reflectie opslaan").click()
    phone.get_by_text("Dank je wel! Je reflectie is opgeslagen.").wait_for()
    _shot(phone, "saved")
    reflection = Reflection.objects.get(author=people[1])
    assert [getattr(reflection, name) for name in SCORES] == [4] * 6
    assert reflection.share_takeaway


def test_facilitator_sees_health_signals_on_the_group_page(transactional_db, live_server, phone):
    group = GroupFactory(name="Intervisie Jeugdzorg")
    facilitator = FacilitatorFactory(group=group).user
    people = [facilitator, *members(group, 3)]
    for days, depth in ((30, 4), (23, 2)):
        session = held_session(group, ended_ago=timedelta(days=days), present=people)
        for user in people:
            reflect(session, user, 4, depth=depth)
    _login(phone, live_server, facilitator)
    phone.goto(live_server.url + reverse("groups:detail", kwargs={"group_id": group.pk}))
    phone.get_by_text("De diepgang van de vragen daalt: 4,0 → 2,0 over de laatste 2 bijeenkomsten").wait_for()
    _shot(phone, "group-health")
