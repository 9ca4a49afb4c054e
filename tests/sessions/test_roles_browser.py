"""A refused role change in Chromium at phone width: a member hands over a role the facilitator gave to
someone else meanwhile; the card comes back in place with the reason (role="alert"), nothing changed, and
axe-core finds nothing serious."""

import pytest
from django.test import Client
from django.urls import reverse

from sessions import roles
from sessions.models import RSVP, SessionRole
from tests.a11y.axe import assert_accessible
from tests.browser import BROWSER_MARKS, phone_page
from tests.factories import MembershipFactory

from .factories import SessionFactory

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_handing_over_a_role_taken_away_meanwhile_is_refused_in_place(world, live_server):
    from playwright.sync_api import expect

    peer = MembershipFactory(group=world.group).user
    session = SessionFactory(group=world.group)
    for user in (world.member, peer):
        RSVP.objects.create(session=session, user=user, answer=RSVP.Answer.ATTEND)
    roles.role_set(session=session, key="tijdbewaker", by=world.facilitator, to=world.member)
    client = Client()
    client.force_login(world.member, backend="django.contrib.auth.backends.ModelBackend")
    with phone_page() as page:
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        page.goto(live_server.url + reverse("sessions:detail", args=[session.pk]))
        card = page.locator("#roles-card")
        card.locator("#role-tijdbewaker-to").select_option(str(peer.pk))
        # Meanwhile the facilitator gives the role to the peer.
        roles.role_set(session=session, key="tijdbewaker", by=world.facilitator, to=peer)
        card.locator("#role-tijdbewaker-give").click()
        alert = page.locator("#roles-card [role=alert]")
        expect(alert).to_contain_text("Alleen wie deze rol heeft")
        expect(page.locator("#roles-card [data-role=tijdbewaker]")).to_have_attribute(
            "data-holder", str(peer.pk)
        )
        assert_accessible(page, "roles card refused")
    assert SessionRole.objects.get(session=session, key="tijdbewaker").user == peer
