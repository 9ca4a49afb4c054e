"""Home page and group page: content, query budgets that would show an N+1, and the facilitator's
in-app member management (invite form errors, deactivating a member)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from groups.models import Membership
from tests.factories import (
    FacilitatorFactory,
    GroupFactory,
    MembershipFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    UserFactory,
)

HOME_BUDGET = 14  # with the prompt to present (sessions/load.py: up to two)
GROUP_BUDGET = 12


def _user_in_groups(n_groups: int, members_per_group: int = 8):
    user = UserFactory()
    organisation = OrganisationFactory()
    groups = []
    for _ in range(n_groups):
        group = GroupFactory(organisation=organisation, size_limit=12)
        MembershipFactory(group=group, user=user)
        MembershipFactory.create_batch(members_per_group - 1, group=group)
        groups.append(group)
    return user, groups


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_home_lists_my_groups_in_dutch(client, django_assert_max_num_queries):
    user, groups = _user_in_groups(30)
    GroupFactory(name="Niet mijn groep")
    client.force_login(user)
    with django_assert_max_num_queries(HOME_BUDGET):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mijn groepen" in content
    assert all(group.name in content for group in groups)
    assert "Niet mijn groep" not in content
    assert content.count("8 deelnemers") == 30


@pytest.mark.django_db
def test_home_query_count_does_not_grow_with_groups(client):
    few_user, _ = _user_in_groups(3)
    many_user, _ = _user_in_groups(30)
    client.force_login(few_user)
    few = _count_queries(client, reverse("home"))
    client.force_login(many_user)
    many = _count_queries(client, reverse("home"))
    assert few == many


@pytest.mark.django_db
def test_admin_sees_organisation_groups_on_home(client):
    admin = OrganisationAdminFactory().user
    group = GroupFactory(organisation=admin.admin_links.get().organisation)
    client.force_login(admin)
    content = client.get(reverse("home")).content.decode()
    assert group.name in content and "beheerder" in content


@pytest.mark.django_db
def test_empty_home_explains_invitations(client):
    client.force_login(UserFactory())
    assert "via een uitnodiging" in client.get(reverse("home")).content.decode()


def _group_with_members(n: int):
    group = GroupFactory(size_limit=20)
    facilitator = FacilitatorFactory(group=group).user
    MembershipFactory.create_batch(n, group=group)
    return group, facilitator


@pytest.mark.django_db
def test_group_page_query_budget(client, django_assert_max_num_queries):
    group, facilitator = _group_with_members(15)
    client.force_login(facilitator)
    url = reverse("groups:detail", kwargs={"group_id": group.pk})
    with django_assert_max_num_queries(GROUP_BUDGET):
        response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    for membership in group.memberships.select_related("user"):
        assert escape(membership.user.display_name) in content
    assert content.count("/deactiveren/") == 16


@pytest.mark.django_db
def test_group_page_query_count_does_not_grow_with_members(client):
    small, small_facilitator = _group_with_members(2)
    large, large_facilitator = _group_with_members(19)
    client.force_login(small_facilitator)
    few = _count_queries(client, reverse("groups:detail", kwargs={"group_id": small.pk}))
    client.force_login(large_facilitator)
    many = _count_queries(client, reverse("groups:detail", kwargs={"group_id": large.pk}))
    assert few == many


def test_member_sees_no_management_buttons(world, client_for):
    content = client_for(world.member).get(reverse("groups:detail", kwargs={"group_id": world.group.pk}))
    text = content.content.decode()
    assert "/leden/" not in text and reverse("groups:invite", kwargs={"group_id": world.group.pk}) not in text


def test_facilitator_deactivates_a_member(world, client_for):
    client = client_for(world.facilitator)
    membership = world.membership(world.member)
    url = reverse(
        "groups:membership_deactivate", kwargs={"group_id": world.group.pk, "membership_id": membership.pk}
    )
    page = client.get(url)
    assert page.status_code == 200
    membership.refresh_from_db()
    assert membership.is_active  # asking first changes nothing
    assert "Weet je het zeker?" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT and membership.left_at is not None
    # Twice is harmless; the member loses access to the group.
    assert client.post(url).status_code == 302
    detail = reverse("groups:detail", kwargs={"group_id": world.group.pk})
    assert client_for(world.member).get(detail).status_code == 404


def test_cannot_deactivate_a_membership_of_another_group(world, client_for):
    other = Membership.objects.get(user=world.outsider)
    url = reverse(
        "groups:membership_deactivate", kwargs={"group_id": world.group.pk, "membership_id": other.pk}
    )
    assert client_for(world.facilitator).post(url).status_code == 404
    other.refresh_from_db()
    assert other.status == Membership.Status.ACTIVE


def test_invite_form_errors_are_400_and_keep_input(world, client_for, mailoutbox):
    client = client_for(world.facilitator)
    url = reverse("groups:invite", kwargs={"group_id": world.group.pk})
    response = client.post(url, {"emails": "geen-adres", "role": "member"})
    assert response.status_code == 400
    assert "geen-adres</textarea>" in response.content.decode()
    response = client.post(url, {"emails": world.member.email.upper(), "role": "member"})
    assert response.status_code == 400
    assert "Deze persoon is al lid van de groep." in response.content.decode()
    assert mailoutbox == []


def test_only_admins_invite_facilitators(world, client_for):
    url = reverse("groups:invite", kwargs={"group_id": world.group.pk})
    response = client_for(world.facilitator).post(url, {"emails": "b@example.org", "role": "facilitator"})
    assert response.status_code == 400
    response = client_for(world.admin).post(url, {"emails": "b@example.org", "role": "facilitator"})
    assert response.status_code == 302


def test_full_group_cannot_invite(world, client_for):
    world.group.size_limit = 3  # facilitator + member are active: one place left
    world.group.quorum = 2
    world.group.save()
    MembershipFactory(group=world.group)
    url = reverse("groups:invite", kwargs={"group_id": world.group.pk})
    response = client_for(world.facilitator).post(url, {"emails": "vol@example.org", "role": "member"})
    assert response.status_code == 400
    assert "Er is geen plaats meer" in response.content.decode()
