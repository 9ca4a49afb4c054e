"""The services behind the organisation admin's pages: group_create / group_update (names, limits),
invitation_revoke (an accepted invitation ends the membership), membership_role_change, and the size limit
in invitation_create / invitation_accept."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from groups import services, signals
from groups.models import Group, Invitation, Membership
from tests.factories import InvitationFactory, MembershipFactory, UserFactory


@pytest.fixture
def sent():
    """Every membership_changed / group_changed signal sent during the test, as (name, kwargs)."""
    calls = []

    def membership(sender, **kwargs):
        calls.append(("membership_changed", kwargs))

    def group(sender, **kwargs):
        calls.append(("group_changed", kwargs))

    signals.membership_changed.connect(membership, dispatch_uid="test.membership")
    signals.group_changed.connect(group, dispatch_uid="test.group")
    yield calls
    signals.membership_changed.disconnect(dispatch_uid="test.membership")
    signals.group_changed.disconnect(dispatch_uid="test.group")


def _messages(error: ValidationError, field: str) -> list[str]:
    return [message for e in error.error_dict[field] for message in e.messages]


# --- group_create / names -------------------------------------------------------------------------------


def test_group_create_strips_the_name_and_makes_no_membership(world):
    group = services.group_create(organisation=world.group.organisation, name="  Groep West \t", quorum=2)
    assert group.name == "Groep West"
    assert group.quorum == 2 and group.size_limit == 8
    assert not Membership.objects.filter(group=group).exists()


@pytest.mark.parametrize("name", ["Groep\r\nWest", "Groep\nWest", "Groep\tWest", "Groep\x85West", "G\u2028W"])
def test_group_name_with_control_characters_is_refused(world, name):
    with pytest.raises(ValidationError) as raised:
        services.group_create(organisation=world.group.organisation, name=name)
    assert _messages(raised.value, "name") == [
        "Gebruik geen regeleinden, tabs of andere onzichtbare tekens in de naam."
    ]
    assert not Group.objects.filter(name__startswith="G", name__endswith="West").exists()


@pytest.mark.parametrize("name", ["Groep\r\nWest", "Groep\x01West", " Groep West", ""])
def test_database_refuses_bad_names_that_skip_validation(world, name):
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.filter(pk=world.group.pk).update(name=name)


def test_database_refuses_a_bad_name_on_insert(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Group.objects.create(organisation=world.group.organisation, name="Twee\nregels")


def test_duplicate_name_in_the_organisation_is_refused_at_the_name(world):
    with pytest.raises(ValidationError) as raised:
        services.group_create(organisation=world.group.organisation, name="groep noord")
    assert _messages(raised.value, "name") == ["Deze organisatie heeft al een groep met deze naam."]


def test_quorum_above_size_limit_is_refused_at_the_quorum(world):
    with pytest.raises(ValidationError) as raised:
        services.group_create(organisation=world.group.organisation, name="Klein", size_limit=4, quorum=5)
    assert _messages(raised.value, "quorum") == [
        "Het quorum kan niet groter zijn dan het maximaal aantal deelnemers."
    ]


# --- group_update ---------------------------------------------------------------------------------------


def test_group_update_saves_and_names_what_changed(world, sent):
    group = services.group_update(
        group=world.group, quorum=4, reminder_first_days=10, name=" Groep Noord ", is_active=True
    )
    assert (group.quorum, group.reminder_first_days, group.name) == (4, 10, "Groep Noord")
    world.group.refresh_from_db()
    assert (world.group.quorum, world.group.reminder_first_days) == (4, 10)
    assert sent == [
        (
            "group_changed",
            {"signal": signals.group_changed, "group": group, "changed": {"quorum", "reminder_first_days"}},
        )
    ]


def test_group_update_without_changes_sends_nothing(world, sent):
    services.group_update(group=world.group, quorum=world.group.quorum)
    assert sent == []


def test_group_update_refuses_other_fields(world):
    with pytest.raises(ValueError, match="organisation"):
        services.group_update(group=world.group, organisation=world.other_group.organisation)


def test_size_limit_cannot_go_below_the_active_members(world):
    MembershipFactory.create_batch(2, group=world.group)  # 4 active (facilitator, member, 2 more)
    with pytest.raises(ValidationError) as raised:
        services.group_update(group=world.group, size_limit=3, quorum=2)
    assert "4 actieve deelnemers" in _messages(raised.value, "size_limit")[0]
    world.group.refresh_from_db()
    assert world.group.size_limit == 8
    assert services.group_update(group=world.group, size_limit=4, quorum=2).size_limit == 4


def test_group_update_refuses_a_name_with_a_line_break(world):
    with pytest.raises(ValidationError) as raised:
        services.group_update(group=world.group, name="Groep\nNoord")
    assert "name" in raised.value.error_dict
    world.group.refresh_from_db()
    assert world.group.name == "Groep Noord"


# --- invitation_revoke ----------------------------------------------------------------------------------


def _accepted(group, user=None, role=Membership.Role.MEMBER) -> tuple[Invitation, Membership]:
    user = user or UserFactory()
    invitation = InvitationFactory(group=group, email=user.email, role=role)
    membership = services.invitation_accept(invitation_id=invitation.pk, user=user)
    invitation.refresh_from_db()
    return invitation, membership


def test_revoking_an_open_invitation_kills_its_link(world, client):
    invitation = InvitationFactory(group=world.group)
    token = services.invitation_token(invitation)
    services.invitation_revoke(invitation=invitation)
    with pytest.raises(services.InvitationError) as raised:
        services.invitation_from_token(token)
    assert raised.value.code == services.InvitationError.REVOKED
    response = client.get(reverse("groups:invitation_accept", kwargs={"token": token}))
    assert response.status_code == 410


def test_revoking_an_accepted_invitation_ends_the_membership(world, client_for, sent):
    invitation, membership = _accepted(world.group)
    sent.clear()
    services.invitation_revoke(invitation=invitation)
    membership.refresh_from_db()
    invitation.refresh_from_db()
    assert membership.status == Membership.Status.LEFT and membership.left_at is not None
    assert invitation.revoked_at is not None and invitation.status == Invitation.Status.REVOKED
    assert [(name, kwargs["active"], kwargs["membership"].pk) for name, kwargs in sent] == [
        ("membership_changed", False, membership.pk)
    ]
    detail = reverse("groups:detail", kwargs={"group_id": world.group.pk})
    assert client_for(membership.user).get(detail).status_code == 404


def test_revoking_an_older_invitation_leaves_a_renewed_membership(world):
    first, membership = _accepted(world.group)
    services.membership_deactivate(membership=membership)
    second, membership = _accepted(world.group, user=membership.user)
    services.invitation_revoke(invitation=first)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    services.invitation_revoke(invitation=second)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.LEFT


def test_revoking_twice_or_an_expired_invitation_changes_nothing(world, sent):
    invitation, membership = _accepted(world.group)
    services.invitation_revoke(invitation=invitation)
    revoked_at = Invitation.objects.get(pk=invitation.pk).revoked_at
    sent.clear()
    services.invitation_revoke(invitation=invitation)
    assert Invitation.objects.get(pk=invitation.pk).revoked_at == revoked_at
    assert sent == []
    expired = InvitationFactory(group=world.group, expires_at=timezone.now() - timedelta(days=1))
    services.invitation_revoke(invitation=expired)
    expired.refresh_from_db()
    assert expired.revoked_at is None and expired.status == Invitation.Status.EXPIRED


# --- membership_role_change -----------------------------------------------------------------------------


def test_role_change_promotes_and_sends_membership_changed(world, sent):
    membership = world.membership(world.member)
    changed = services.membership_role_change(membership=membership, role=Membership.Role.FACILITATOR)
    assert changed.role == Membership.Role.FACILITATOR
    assert Membership.objects.get(pk=membership.pk).role == Membership.Role.FACILITATOR
    assert [(name, kwargs["active"], kwargs["membership"].role) for name, kwargs in sent] == [
        ("membership_changed", True, Membership.Role.FACILITATOR)
    ]
    # Now there are two facilitators: the first may become a member again.
    services.membership_role_change(membership=world.membership(world.facilitator), role="member")
    assert world.membership(world.facilitator).role == Membership.Role.MEMBER


def test_the_last_facilitator_stays_one(world, sent):
    membership = world.membership(world.facilitator)
    with pytest.raises(ValidationError) as raised:
        services.membership_role_change(membership=membership, role=Membership.Role.MEMBER)
    assert "enige intervisiebegeleider" in _messages(raised.value, "role")[0]
    assert world.membership(world.facilitator).role == Membership.Role.FACILITATOR
    assert sent == []


def test_role_change_of_a_former_member_is_refused(world):
    with pytest.raises(ValidationError):
        services.membership_role_change(
            membership=world.membership(world.former_member), role=Membership.Role.FACILITATOR
        )
    assert world.membership(world.former_member).role == Membership.Role.MEMBER


def test_same_role_is_no_change(world, sent):
    services.membership_role_change(membership=world.membership(world.member), role=Membership.Role.MEMBER)
    assert sent == []


def test_unknown_role_is_refused(world):
    with pytest.raises(ValidationError):
        services.membership_role_change(membership=world.membership(world.member), role="owner")
    assert world.membership(world.member).role == Membership.Role.MEMBER


# --- the size limit in every door -----------------------------------------------------------------------


def _fill(group, size_limit: int) -> None:
    """Make ``group`` hold exactly ``size_limit`` active members."""
    active = group.memberships.filter(status=Membership.Status.ACTIVE).count()
    MembershipFactory.create_batch(size_limit - active, group=group)
    Group.objects.filter(pk=group.pk).update(size_limit=size_limit, quorum=2)
    group.refresh_from_db()


def test_invitation_create_refuses_a_full_group(world):
    _fill(world.group, 4)
    with pytest.raises(ValidationError) as raised:
        services.invitation_create(group=world.group, email="vol@example.org", role="member", invited_by=None)
    assert raised.value.code == "group_full"
    assert not Invitation.objects.filter(email="vol@example.org").exists()


def test_invitation_create_refuses_an_active_member(world):
    with pytest.raises(ValidationError) as raised:
        services.invitation_create(
            group=world.group, email=world.member.email.upper(), role="member", invited_by=None
        )
    assert _messages(raised.value, "email") == ["Deze persoon is al lid van de groep."]


def test_invitation_accept_refuses_when_the_group_filled_up(world):
    invitation = InvitationFactory(group=world.group, email="laat@example.org")
    _fill(world.group, 3)
    with pytest.raises(ValidationError) as raised:
        services.invitation_accept(
            invitation_id=invitation.pk,
            new_account=services.NewAccount(display_name="Laat", password="een-lang-wachtwoord"),
        )
    assert raised.value.messages == ["De groep is vol (maximaal 3 deelnemers)."]
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(group=world.group, user__email="laat@example.org").exists()


def test_an_active_member_accepting_again_does_not_count_twice(world):
    invitation = InvitationFactory(group=world.group, email=world.member.email)
    _fill(world.group, 3)
    membership = services.invitation_accept(invitation_id=invitation.pk, user=world.member)
    assert membership.status == Membership.Status.ACTIVE
