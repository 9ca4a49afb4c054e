"""Phone-sized Chromium: the home page as a to-do list (the next session, an open RSVP, a reflection due,
a casus to prepare, an alert for a facilitator) fits a 390 px screen, has no serious axe-core violations,
and each item's link leads where it is done. Screenshots in $ARTIFACTS_DIR."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Alert
from sessions.models import RSVP
from tests.browser import ARTIFACTS, BROWSER_MARKS, PHONE, assert_accessible, phone_page
from tests.casussen.factories import booked_casus
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import SessionFactory, held_session

pytestmark = BROWSER_MARKS


def _log_in(page, live_server, user):
    from tests.factories import PASSWORD

    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form [type=submit]")
    page.wait_for_url(live_server.url + reverse("home"))


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{name} is {width}px wide on a {PHONE['width']}px phone"
    assert page.problems == [], page.problems


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_home_to_do_list_on_a_phone(transactional_db, live_server, role):
    group = GroupFactory(name="Intervisie Wijkteam Noord", organisation__name="Zorggroep Oost")
    facilitator = FacilitatorFactory(group=group, user__display_name="Frank Faciliteert").user
    member = MembershipFactory(group=group, user__display_name="Anna de Vries").user
    fading = MembershipFactory(group=group, user__display_name="Daan Visser").user
    soon = SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=2), presenter_slots=2)
    RSVP.objects.create(session=soon, user=member, answer=RSVP.Answer.ATTEND)
    booked_casus(session=soon, author=member)
    SessionFactory(group=group, starts_at=timezone.now() + timedelta(days=30))
    held_session(group, ended_ago=timedelta(days=2), present=[member, facilitator], absent=[fading])
    Alert.objects.create(
        group=group, rule=Alert.Rule.FADING, subject_key=f"user:{fading.pk}", user=fading,
        detail={"missed": 3, "of": 5, "in_a_row": 2},
    )  # fmt: skip
    user = member if role == "member" else facilitator

    with phone_page(record_http_errors=True) as page:
        _log_in(page, live_server, user)
        assert page.locator("h1").inner_text() == "Mijn overzicht"
        assert page.locator('[data-todo="next"]').count() == 1
        kinds = page.locator("#todo [data-todo]").evaluate_all("items => items.map(i => i.dataset.todo)")
        expected = {"rsvp", "reflection"} | ({"casus"} if role == "member" else {"alert"})
        assert expected <= set(kinds)
        _shot(page, f"home-todo-{role}")
        assert_accessible(page, f"home ({role})")

        # One click from home to where the reflection is written.
        page.locator('#todo [data-todo="reflection"] a').click()
        page.wait_for_load_state()
        assert page.url.endswith(reverse("reflections:write", args=[group.sessions.get(status="held").pk]))
