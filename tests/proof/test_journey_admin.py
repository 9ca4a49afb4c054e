"""The organisation admin's journey in Chromium: log in through the login form → create a group on
the app's new-group page → invite a facilitator → see the new group on the admin dashboard."""

from django.urls import reverse

from groups.models import Group, Invitation
from notifications import sweep
from tests.browser import ARGS, CHROMIUM
from tests.factories import PASSWORD, OrganisationAdminFactory, OrganisationFactory

from .browser import MARKS, Shots, menu, new_page, unexpected

pytestmark = MARKS


def test_admin_journey(live_server, mailoutbox, viewport):
    from playwright.sync_api import expect, sync_playwright

    organisation = OrganisationFactory(name="Stichting Journey")
    admin = OrganisationAdminFactory(organisation=organisation).user
    admin.is_staff = True
    admin.save()
    shots = Shots("admin", viewport)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = new_page(browser, live_server, viewport=viewport)
            page.goto(live_server.url + reverse("accounts:login"))
            page.fill("input[name=username]", admin.email)
            page.fill("input[name=password]", PASSWORD)
            page.locator("form [type=submit]").last.click()
            page.wait_for_url(live_server.url + reverse("home"))

            # 1. Create a group in the app (Django admin is for superusers only).
            page.goto(live_server.url + reverse("dashboards:admin"))
            page.goto(live_server.url + reverse("groups:create"))
            if page.locator("select[name=organisation]").count():
                page.select_option("select[name=organisation]", str(organisation.pk))
            page.fill("input[name=name]", "Groep Beheerreis")
            shots(page, "admin-add-group")
            page.locator("form[method=post] [type=submit]").last.click()
            page.wait_for_url("**/groepen/*/")
            group = Group.objects.get(name="Groep Beheerreis")
            assert group.organisation == organisation
            assert page.url.endswith(reverse("groups:detail", args=[group.pk]))
            shots(page, "admin-group-page")

            # 2. Invite a facilitator.
            page.goto(live_server.url + reverse("groups:invite", args=[group.pk]))
            page.fill("textarea[name=emails]", "begeleider@example.org")
            page.select_option("select[name=role]", "facilitator")
            shots(page, "invite")
            page.locator("form[method=post] [type=submit]").last.click()
            page.wait_for_load_state()
            invitation = Invitation.objects.get(group=group, email="begeleider@example.org")
            assert invitation.role == "facilitator" and invitation.invited_by == admin
            assert sweep.sweep_once() == 1  # the invitation goes out through the outbox
            assert [m.to for m in mailoutbox] == [["begeleider@example.org"]]
            shots(page, "invited")

            # 3. The group is on the admin dashboard (Dashboard, from the menu).
            menu(page, "Dashboard")
            page.wait_for_url(live_server.url + reverse("dashboards:admin"))
            expect(page.locator("body")).to_contain_text("Groep Beheerreis")
            shots(page, "admin-dashboard")
            assert unexpected(page.problems) == [], page.problems
        finally:
            browser.close()
