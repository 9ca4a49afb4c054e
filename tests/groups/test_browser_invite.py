"""Phone-sized Chromium (390 px): an organisation admin invites three addresses, one of them invalid, sees
the reason at that address with it kept in the field, resends one invitation (and is told in place when it
is too soon), revokes another; axe-core finds no serious violation on the pages; screenshots go to
$ARTIFACTS_DIR."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Invitation
from tests.a11y.axe import assert_accessible
from tests.browser import ARTIFACTS, BROWSER_MARKS, PHONE, phone_page
from tests.factories import PASSWORD, FacilitatorFactory, GroupFactory, OrganisationAdminFactory

pytestmark = BROWSER_MARKS


@pytest.fixture
def phone():
    with phone_page() as page:
        yield page


def _fits(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{what} is {width}px wide"


def test_inviting_resending_and_revoking_on_a_phone(transactional_db, live_server, phone):
    group = GroupFactory(name="Intervisie Wijkteam Noord", organisation__name="Zorggroep Oost", size_limit=8)
    FacilitatorFactory(group=group)
    admin = OrganisationAdminFactory(organisation=group.organisation, user__display_name="Bea Beheer").user
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    phone.goto(live_server.url + reverse("accounts:login"))
    phone.fill("input[name=username]", admin.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("main form [type=submit]")
    phone.wait_for_url(lambda address: reverse("accounts:login") not in address)

    # Three addresses, one of them not an address: two are invited, the third comes back with its reason.
    phone.goto(live_server.url + reverse("groups:invite", kwargs={"group_id": group.pk}))
    phone.fill("textarea[name=emails]", "anna@example.org\nbert@example.org, niet-een-adres")
    with phone.expect_response(lambda r: r.request.method == "POST") as posted:
        phone.click("main form [type=submit]")
    assert posted.value.status == 400
    refused = phone.locator("#invite-refused li")
    assert refused.count() == 1
    assert refused.first.get_attribute("data-address") == "niet-een-adres"
    assert "Dit is geen geldig e-mailadres." in refused.first.inner_text()
    assert phone.locator("#invite-sent li").all_inner_texts() == ["anna@example.org", "bert@example.org"]
    assert phone.input_value("textarea[name=emails]") == "niet-een-adres"
    assert phone.get_attribute("textarea[name=emails]", "aria-invalid") == "true"
    assert set(Invitation.objects.filter(group=group).values_list("email", flat=True)) == {
        "anna@example.org",
        "bert@example.org",
    }
    phone.screenshot(path=str(ARTIFACTS / "phone-invite-several.png"), full_page=True)
    _fits(phone, "the invite page")
    assert_accessible(phone, "the invite page with a refused address")

    # Resending right away is refused at that invitation; once the interval has passed it is sent.
    anna = Invitation.objects.get(group=group, email="anna@example.org")
    bert = Invitation.objects.get(group=group, email="bert@example.org")
    phone.goto(live_server.url + reverse("groups:invitations", kwargs={"group_id": group.pk}))
    phone.locator(f"#invitation-{bert.pk} form button").click()
    phone.wait_for_load_state()
    error = phone.locator(f"#resend-error-{bert.pk}")
    assert "Opnieuw versturen kan over 10 minuten." in error.inner_text()
    phone.screenshot(path=str(ARTIFACTS / "phone-invitation-resend-too-soon.png"), full_page=True)
    Invitation.objects.filter(pk=bert.pk).update(sent_at=timezone.now() - timedelta(minutes=11))
    phone.goto(live_server.url + reverse("groups:invitations", kwargs={"group_id": group.pk}))
    phone.locator(f"#invitation-{bert.pk} form button").click()
    phone.wait_for_url(live_server.url + reverse("groups:invitations", kwargs={"group_id": group.pk}))
    assert (
        phone.get_by_role("status").inner_text()
        == "De uitnodiging is opnieuw verstuurd naar bert@example.org."
    )
    bert.refresh_from_db()
    assert timezone.now() - bert.sent_at < timedelta(minutes=1)

    # Revoking asks first, then the link stops working and the invitation leaves the pending list.
    phone.locator(f"#invitation-{anna.pk} a.btn-outline-danger").click()
    phone.wait_for_url("**/intrekken/")
    phone.click("#revoke-form [type=submit]")
    phone.wait_for_url(live_server.url + reverse("groups:invitations", kwargs={"group_id": group.pk}))
    anna.refresh_from_db()
    assert anna.revoked_at is not None
    assert phone.locator("li[data-status=open]").count() == 1
    assert phone.locator(f"li[data-invitation='{anna.pk}']").get_attribute("data-status") == "revoked"
    phone.screenshot(path=str(ARTIFACTS / "phone-invitations-resent-revoked.png"), full_page=True)
    _fits(phone, "the invitations page")
    assert_accessible(phone, "the invitations page")
    # The refused invite (400) and resend (409) are logged by the browser; nothing else may be.
    expected = ("status of 400 (Bad Request)", "status of 409 (Conflict)")
    assert [p for p in phone.problems if not p.endswith(expected)] == [], phone.problems
