"""The loop, reached by clicking from home: for each step (plan a series, invite several, answer an RSVP,
prepare the casus, start the live guide, register attendance, reflect, answer the follow-up) the person who
does it starts on the home page and gets there in at most two clicks on links the pages show, at phone
width (touch) and at desktop width. Every page on the way is checked by axe-core and for horizontal
overflow, and kept as a screenshot."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from casussen.services import casus_book
from sessions.models import Session
from tests.a11y.axe import assert_accessible
from tests.browser import ARGS, CHROMIUM
from tests.casussen.factories import CasusFactory
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import SessionFactory, held_session

from .browser import ARTIFACTS, MARKS, assert_no_horizontal_overflow, new_page

pytestmark = MARKS


def _scene():
    group = GroupFactory(name="Groep Kring")
    facilitator = FacilitatorFactory(group=group, user__display_name="Fenna Begeleider").user
    member = MembershipFactory(group=group, user__display_name="Mees Lid").user
    MembershipFactory.create_batch(2, group=group)
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=1, second=0, microsecond=0)
    begun = max(now - timedelta(minutes=30), today)  # today, and begun (but in the first minute of a day)
    # Booked while still to come; then time passes to just after its start.
    running = SessionFactory(group=group, starts_at=now + timedelta(days=1), presenter_slots=2)
    other = MembershipFactory(group=group, user__display_name="Ona Inbrenger").user
    casus_book(casus=CasusFactory(group=group, author=other), session=running)
    Session.objects.filter(pk=running.pk).update(starts_at=begun, ends_at=begun + timedelta(hours=2))
    running.refresh_from_db()
    next_week = SessionFactory(group=group, starts_at=now + timedelta(days=7), presenter_slots=2)
    next_week.presenters.create(user=member, slot=1)
    recent = held_session(group, ended_ago=timedelta(days=2), present=[facilitator, member], announce=True)
    weeks = group.followup_weeks
    earlier = held_session(
        group,
        ended_ago=timedelta(weeks=weeks, days=5),
        present=[facilitator, member],
        presenters=[member],
        announce=True,
    )
    return group, facilitator, member, running, recent, earlier


def _steps(group, facilitator, member, running, recent, earlier):
    """(who, step, the links to click from home, where they lead)."""
    to_group = reverse("groups:detail", args=[group.pk])
    to_session = reverse("sessions:detail", args=[running.pk])
    return [
        (facilitator, "plan-series", [to_group], reverse("sessions:group_schedule", args=[group.pk])),
        (facilitator, "invite-several", [to_group], reverse("groups:invite", args=[group.pk])),
        (facilitator, "start-live", [to_session], to_session),
        (facilitator, "attendance", [], reverse("sessions:attendance", args=[running.pk])),
        (member, "rsvp", [], to_session),
        (member, "casus", [], reverse("casussen:create", kwargs={"group_id": group.pk})),
        (member, "reflect", [], reverse("reflections:write", args=[recent.pk])),
        (member, "follow-up", [], reverse("reflections:followup", args=[earlier.pk])),
    ]


def _click(page, live_server, href: str, where: str) -> None:
    link = page.locator(f'a[href="{href}"]:visible').first
    assert link.count() == 1, f"{where}: no visible link to {href} on {page.url}"
    link.click()
    page.wait_for_url(live_server.url + href.split("#")[0] + "**")


def test_every_step_of_the_loop_is_two_clicks_from_home(live_server, viewport):
    from playwright.sync_api import sync_playwright

    scene = _scene()
    running = scene[3]
    label = viewport
    folder = ARTIFACTS / f"loop-{label}"
    folder.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for n, (user, step, via, target) in enumerate(_steps(*scene), start=1):
                page = new_page(browser, live_server, user, viewport=viewport)
                page.goto(live_server.url + reverse("home"))
                assert_accessible(page, f"home of {user.display_name} ({label})")
                assert_no_horizontal_overflow(page, f"home of {user.display_name} ({label})")
                path = via if via and via[-1] == target else [*via, target]
                assert len(path) <= 2, step
                for href in path:
                    _click(page, live_server, href, step)
                    assert_accessible(page, f"{step} ({label})")
                    assert_no_horizontal_overflow(page, f"{step} ({label})")
                assert page.url.startswith(live_server.url + target), (step, page.url)
                if step == "start-live":
                    start = reverse("casussen:live_start", args=[running.pk])
                    assert page.locator(f'form[action="{start}"] [type=submit]').is_visible(), step
                page.screenshot(path=str(folder / f"{n:02d}-{step}.png"), full_page=True)
                assert page.problems == [], page.problems
                page.context.close()
        finally:
            browser.close()
