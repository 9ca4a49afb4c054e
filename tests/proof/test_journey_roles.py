"""Sharing the load, through the real UI in Chromium: the session page shows the proposed roles → the
tijdbewaker hands the role to another member (htmx, in place) → the facilitator (a second browser) gives
the notulist's role to someone else → the member opens who brought a casus when → the facilitator sees the
balance on the dashboard. Screenshots and axe-core at every step (Shots)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from sessions import roles
from sessions.models import RSVP, SessionRole
from tests.browser import ARGS, CHROMIUM
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory, UserFactory
from tests.sessions.factories import SessionFactory, held_session

from .browser import MARKS, Shots, new_page, unexpected

pytestmark = MARKS


def _holder(session, key):
    return next(slot for slot in roles.session_roles(session) if slot.key == key).holder


def test_roles_journey(live_server, viewport):
    from playwright.sync_api import expect, sync_playwright

    group = GroupFactory(name="Groep Rollen")
    facilitator = FacilitatorFactory(group=group, user=UserFactory(display_name="Zora Begeleider")).user
    anna, bram, cor, dirk = (
        MembershipFactory(group=group, user=UserFactory(display_name=name)).user
        for name in ("Anna Aalders", "Bram Bakker", "Cor Claes", "Dirk Dekker")
    )
    held = held_session(
        group,
        starts_at=timezone.now() - timedelta(days=28),
        present=[anna, bram, cor, dirk],
        presenters=[dirk],
    )
    SessionRole.objects.create(
        session=held, key="notulist", name_nl="Notulist", name_en="Note-taker", user=dirk
    )
    session = SessionFactory(group=group)
    for user in (anna, bram, cor, dirk):
        RSVP.objects.create(session=session, user=user, answer=RSVP.Answer.ATTEND)
    timekeeper = _holder(session, "tijdbewaker")
    other = next(u for u in (anna, bram, cor, dirk) if u != timekeeper and _holder(session, "notulist") != u)
    shots = Shots("roles", viewport)
    detail = live_server.url + reverse("sessions:detail", args=[session.pk])

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            # 1. The session page shows the proposed roles.
            page = new_page(browser, live_server, timekeeper, viewport=viewport)
            page.goto(detail)
            card = page.locator("#roles-card")
            expect(card.locator("[data-role=tijdbewaker]")).to_have_attribute("data-proposed", "true")
            expect(card.locator("[data-role=tijdbewaker]")).to_contain_text(timekeeper.display_name)
            shots(page, "proposed-roles")

            # 2. The tijdbewaker hands the role to another member, in place.
            card.locator("#role-tijdbewaker-to").select_option(str(other.pk))
            card.locator("#role-tijdbewaker-give").click()
            row = page.locator("#roles-card [data-role=tijdbewaker]")
            expect(row).to_have_attribute("data-holder", str(other.pk))
            expect(row).to_have_attribute("data-proposed", "false")
            page.mouse.move(0, 0)  # the pointer off the swapped card (no hover state in the screenshot)
            shots(page, "handed-over")
            assert SessionRole.objects.get(session=session, key="tijdbewaker").user == other

            # 3. The facilitator gives the notulist's role to someone else.
            boss = new_page(browser, live_server, facilitator, viewport=viewport)
            boss.goto(detail)
            notes_to = next(
                u for u in (anna, bram, cor, dirk) if u not in (other, _holder(session, "notulist"))
            )
            boss.locator("#role-notulist-to").select_option(str(notes_to.pk))
            boss.locator("#role-notulist-give").click()
            expect(boss.locator("#roles-card [data-role=notulist]")).to_have_attribute(
                "data-holder", str(notes_to.pk)
            )
            boss.mouse.move(0, 0)
            shots(boss, "facilitator-assigned")

            # 4. Who brought a casus when: Dirk presented, the others never (they come first).
            page.goto(detail)
            page.locator("#group-load-link").click()
            page.wait_for_url(live_server.url + reverse("sessions:group_load", args=[group.pk]))
            rows = page.locator("#group-load tbody tr")
            expect(rows.last).to_have_attribute("data-member", str(dirk.pk))
            expect(rows.last).to_have_attribute("data-presented", "1")
            shots(page, "who-presented")

            # 5. The facilitator sees the balance on the dashboard.
            boss.goto(live_server.url + reverse("dashboards:group", args=[group.pk]))
            table = boss.locator("#balance-table")
            expect(table.locator(f"[data-member='{dirk.pk}']")).to_have_attribute("data-presentations", "1")
            expect(table.locator(f"[data-member='{dirk.pk}']")).to_have_attribute("data-roles", "1")
            boss.locator("#balance").scroll_into_view_if_needed()
            shots(boss, "dashboard-balance")
            assert unexpected(page.problems + boss.problems) == []
        finally:
            browser.close()
