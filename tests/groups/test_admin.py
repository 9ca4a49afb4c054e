"""Django admin: a superuser sees everything; an organisation's beheerder (is_staff) sees and chooses
only their own organisation's groups, memberships and invitations."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from groups.models import Invitation
from tests.factories import (
    GroupFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    UserFactory,
)


@pytest.fixture
def two_orgs(db):
    mine, theirs = OrganisationFactory(name="Eigen Zorg"), OrganisationFactory(name="Vreemde Zorg")
    my_group = GroupFactory(organisation=mine, name="Groep Eigen")
    their_group = GroupFactory(organisation=theirs, name="Groep Vreemd")
    my_member = MembershipFactory(group=my_group, user__email="eigen-lid@example.org")
    their_member = MembershipFactory(group=their_group, user__email="vreemd-lid@example.org")
    my_invite = InvitationFactory(group=my_group, email="eigen-uitnodiging@example.org")
    their_invite = InvitationFactory(group=their_group, email="vreemd-uitnodiging@example.org")
    beheerder = OrganisationAdminFactory(organisation=mine).user
    return {
        "beheerder": beheerder,
        "my_group": my_group,
        "their_group": their_group,
        "my_member": my_member,
        "their_member": their_member,
        "my_invite": my_invite,
        "their_invite": their_invite,
    }


def _get(client, name, *args, **query):
    return client.get(reverse(f"admin:{name}", args=args), query)


@pytest.mark.parametrize(
    ("changelist", "mine", "theirs"),
    [
        ("groups_group_changelist", "Groep Eigen", "Groep Vreemd"),
        ("groups_membership_changelist", "eigen-lid", "vreemd-lid"),
        ("groups_invitation_changelist", "eigen-uitnodiging", "vreemd-uitnodiging"),
        ("groups_organisation_changelist", "Eigen Zorg", "Vreemde Zorg"),
    ],
)
def test_beheerder_changelists_are_scoped(client, two_orgs, changelist, mine, theirs):
    client.force_login(two_orgs["beheerder"])
    response = _get(client, changelist)
    assert response.status_code == 200
    content = response.content.decode()
    if "membership" in changelist:  # list shows names; search by e-mail proves the scope
        content = _get(client, changelist, q="lid@example.org").content.decode()
        assert escape(two_orgs["my_member"].user.display_name) in content
        assert escape(two_orgs["their_member"].user.display_name) not in content
    else:
        assert mine in content
        assert theirs not in content
    # The filter sidebar offers only the beheerder's own organisation and groups.
    assert "Vreemde Zorg" not in content and "Groep Vreemd" not in content


def test_superuser_sees_all(client, two_orgs):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    content = _get(client, "groups_group_changelist").content.decode()
    assert "Groep Eigen" in content and "Groep Vreemd" in content
    content = _get(client, "groups_invitation_changelist").content.decode()
    assert "eigen-uitnodiging" in content and "vreemd-uitnodiging" in content


def test_beheerder_cannot_open_other_organisations_objects(client, two_orgs):
    client.force_login(two_orgs["beheerder"])
    for name, obj in [
        ("groups_group_change", two_orgs["their_group"]),
        ("groups_membership_change", two_orgs["their_member"]),
        ("groups_invitation_change", two_orgs["their_invite"]),
    ]:
        response = _get(client, name, obj.pk)
        assert response.status_code == 302  # Django admin redirects "does not exist" to the index
        assert response["Location"] == reverse("admin:index")
    assert _get(client, "groups_group_change", two_orgs["my_group"].pk).status_code == 200


def test_beheerder_choices_are_scoped(client, two_orgs):
    client.force_login(two_orgs["beheerder"])
    content = _get(client, "groups_membership_change", two_orgs["my_member"].pk).content.decode()
    assert escape(two_orgs["my_member"].user.display_name) in content
    assert escape(two_orgs["their_member"].user.display_name) not in content
    content = _get(client, "groups_invitation_add").content.decode()
    assert "Groep Eigen" in content and "Groep Vreemd" not in content


def test_beheerder_adds_invitation_in_admin_and_mail_goes_out(
    client, two_orgs, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(two_orgs["beheerder"])
    page = _get(client, "groups_invitation_add")
    assert page.status_code == 200
    data = {
        "group": two_orgs["my_group"].pk,
        "email": "via-beheer@example.org",
        "role": "facilitator",
        "expires_at_0": "2030-01-01",
        "expires_at_1": "12:00:00",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:groups_invitation_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = Invitation.objects.get(email="via-beheer@example.org")
    assert invitation.invited_by == two_orgs["beheerder"]
    assert [m.to for m in mailoutbox] == [["via-beheer@example.org"]]
    # A group of another organisation cannot be chosen.
    data["group"] = two_orgs["their_group"].pk
    data["email"] = "fout@example.org"
    assert client.post(reverse("admin:groups_invitation_add"), data).status_code == 200
    assert not Invitation.objects.filter(email="fout@example.org").exists()


def test_staff_without_organisation_sees_no_group_admin(client, two_orgs):
    client.force_login(UserFactory(is_staff=True))
    assert _get(client, "groups_group_changelist").status_code == 403
