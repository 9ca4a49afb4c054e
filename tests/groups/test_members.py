"""Removing a member and leaving a group ask first; the last facilitator cannot leave, be removed or be
demoted; handing the facilitator role over; the group page's next sessions."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import Membership
from tests.factories import FacilitatorFactory, InvitationFactory, MembershipFactory, UserFactory
from tests.html import tree
from tests.sessions.factories import RSVPFactory, SessionFactory

LEAVE_BUDGET = 16


def _url(name, world, **kwargs):
    return reverse(f"groups:{name}", kwargs={"group_id": world.group.pk, **kwargs})


# --- the services ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda m: services.membership_deactivate(membership=m),
        lambda m: services.membership_leave(membership=m),
        lambda m: services.membership_role_change(membership=m, role=Membership.Role.MEMBER),
    ],
    ids=["removed", "leaves", "demoted"],
)
def test_the_last_facilitator_stays(world, change):
    membership = world.membership(world.facilitator)
    with pytest.raises(ValidationError) as raised:
        change(membership)
    (message,) = raised.value.messages
    assert "enige intervisiebegeleider" in message
    membership.refresh_from_db()
    assert membership.is_active and membership.role == Membership.Role.FACILITATOR


def test_with_a_second_facilitator_the_first_may_leave(world):
    FacilitatorFactory(group=world.group)
    membership = services.membership_leave(membership=world.membership(world.facilitator))
    assert membership.status == Membership.Status.LEFT


def test_handover_makes_the_successor_facilitator_and_the_facilitator_a_member(world):
    successor = services.facilitator_handover(
        facilitator=world.membership(world.facilitator), successor=world.membership(world.member)
    )
    assert successor.role == Membership.Role.FACILITATOR
    assert world.membership(world.facilitator).role == Membership.Role.MEMBER


def test_handover_to_a_former_member_is_refused_and_changes_nothing(world):
    with pytest.raises(ValidationError) as raised:
        services.facilitator_handover(
            facilitator=world.membership(world.facilitator), successor=world.membership(world.former_member)
        )
    assert list(raised.value.message_dict) == ["successor"]
    assert world.membership(world.facilitator).role == Membership.Role.FACILITATOR


# --- the pages ------------------------------------------------------------------------------------------


def test_removing_asks_first_then_removes(world, client_for):
    client = client_for(world.facilitator)
    membership = world.membership(world.member)
    url = _url("membership_deactivate", world, membership_id=membership.pk)
    page = tree(client.get(url).content)
    assert page.find("h1").text == "Weet je het zeker?"
    assert world.member.display_name in page.find("main").text
    assert world.membership(world.member).is_active
    form = page.by_id("deactivate-form")
    assert form["method"] == "post"
    assert client.post(url).status_code == 302
    assert not world.membership(world.member).is_active


def test_removing_the_last_facilitator_is_refused_on_the_page(world, client_for):
    membership = world.membership(world.facilitator)
    url = _url("membership_deactivate", world, membership_id=membership.pk)
    response = client_for(world.admin).post(url)
    assert response.status_code == 409
    error = tree(response.content).by_id("deactivate-error")
    assert error["role"] == "alert" and "enige intervisiebegeleider" in error.text
    assert world.membership(world.facilitator).is_active


def test_leaving_asks_first_then_leaves(world, client_for):
    client = client_for(world.member)
    page = tree(client.get(_url("leave", world)).content)
    assert page.find("h1").text == "Weet je het zeker?"
    assert page.by_id("leave-form") is not None
    assert world.membership(world.member).is_active
    response = client.post(_url("leave", world))
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert not world.membership(world.member).is_active
    assert client.get(_url("detail", world)).status_code == 404


def test_the_last_facilitator_is_sent_to_hand_over(world, client_for):
    response = client_for(world.facilitator).post(_url("leave", world))
    assert response.status_code == 409
    error = tree(response.content).by_id("leave-error")
    assert error.find("a")["href"] == _url("facilitator_handover", world)
    assert world.membership(world.facilitator).is_active


def test_a_facilitator_hands_over_their_own_role(world, client_for):
    other = FacilitatorFactory(group=world.group)
    client = client_for(world.facilitator)
    page = tree(client.get(_url("facilitator_handover", world)).content)
    # A facilitator who is no admin can only give up their own role: it is fixed in the form.
    field = page.find("input", name="facilitator")
    assert field["type"] == "hidden" and field["value"] == str(world.membership(world.facilitator).pk)
    data = {"facilitator": other.pk, "successor": world.membership(world.member).pk}
    assert client.post(_url("facilitator_handover", world), data).status_code == 400
    assert Membership.objects.get(pk=other.pk).role == Membership.Role.FACILITATOR
    data["facilitator"] = world.membership(world.facilitator).pk
    response = client.post(_url("facilitator_handover", world), data)
    assert response.status_code == 302
    assert world.membership(world.member).role == Membership.Role.FACILITATOR
    assert world.membership(world.facilitator).role == Membership.Role.MEMBER


def _leave_queries(client, world) -> int:
    client.get(_url("leave", world))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(_url("leave", world))
    assert response.status_code == 302
    return len(queries)


def test_leaving_query_budget(world, client_for):
    """ "groups:leave" POST: the same number of queries in a small and in a grown group."""
    few = _leave_queries(client_for(world.member), world)
    MembershipFactory.create_batch(5, group=world.group)
    for _ in range(4):
        SessionFactory(group=world.group)
    leaver = MembershipFactory(group=world.group).user
    many = _leave_queries(client_for(leaver), world)
    assert few == many <= LEAVE_BUDGET


# --- the group page's sessions --------------------------------------------------------------------------


def test_the_group_page_lists_the_next_three_sessions_with_their_rsvps(world, client_for):
    past = SessionFactory(
        group=world.group,
        starts_at=timezone.now() - timedelta(days=7),
        ends_at=timezone.now() - timedelta(days=7) + timedelta(hours=2),
    )
    sessions = [
        SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=d))
        for d in (14, 7, 21, 28)
    ]
    RSVPFactory(session=sessions[1], user=world.member)
    RSVPFactory(session=sessions[1], user=world.facilitator)
    page = tree(client_for(world.member).get(_url("detail", world)).content)
    items = page.by_id("group-sessions").find_all("li")
    assert [int(li["data-session"]) for li in items] == [sessions[1].pk, sessions[0].pk, sessions[2].pk]
    assert past.pk not in [int(li["data-session"]) for li in items]
    first = items[0]
    assert first.find("a")["href"] == reverse("sessions:detail", args=[sessions[1].pk])
    assert first.find(data_attend_count=True)["data-attend-count"] == "2"
    weekday = timezone.localtime(sessions[1].starts_at).strftime("%w")
    dutch = ["zondag", "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"][int(weekday)]
    assert first.find("a").text.startswith(dutch)
    assert page.by_id("past-sessions-link")["href"] == reverse("sessions:mine") + "#eerder"


def test_an_admin_who_is_no_member_sees_the_dates_without_links(world, client_for):
    SessionFactory(group=world.group)
    page = tree(client_for(world.admin).get(_url("detail", world)).content)
    section = page.by_id("group-sessions")
    assert len(section.find_all("li")) == 1
    assert section.find("a") is None


def test_revoking_the_last_facilitators_invitation_is_refused_on_its_page(world, client_for):
    newcomer = UserFactory()
    invitation = InvitationFactory(group=world.group, email=newcomer.email, role=Membership.Role.FACILITATOR)
    services.invitation_accept(invitation_id=invitation.pk, user=newcomer)
    services.facilitator_handover(
        facilitator=world.membership(world.facilitator), successor=world.membership(world.member)
    )
    services.membership_role_change(membership=world.membership(world.member), role=Membership.Role.MEMBER)
    # The newcomer is now the only facilitator; revoking the invitation they joined by would end that.
    url = _url("invitation_revoke", world, invitation_id=invitation.pk)
    response = client_for(world.admin).post(url)
    assert response.status_code == 409
    assert "enige intervisiebegeleider" in tree(response.content).by_id("revoke-error").text
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert Membership.objects.get(group=world.group, user=newcomer).is_active
