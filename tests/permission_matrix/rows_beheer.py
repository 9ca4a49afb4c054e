"""The organisation admin's pages in the app: creating a group, its settings, its invitations (list and
revoke) and members' roles. Refused POSTs are checked to have changed nothing."""

from datetime import timedelta

from django.utils import timezone

from groups.models import Group, Invitation, Membership
from tests.factories import InvitationFactory

from . import LOGIN, Row, logged_in, public, standard

ADMINS_ONLY = standard(200, member=403, facilitator=403)


def _group(world):
    return {"group_id": world.group.pk}


def _create_data(world):
    return {
        "organisation": world.group.organisation_id,
        "name": "Groep Nieuwbouw",
        "size_limit": 8,
        "quorum": 3,
    }


def _check_created(world, role, response):
    created = Group.objects.filter(name="Groep Nieuwbouw").exists()
    assert created == (role == "admin"), (role, created)


def _settings_data(world):
    from groups.forms import GroupSettingsForm

    form = GroupSettingsForm(instance=world.group)
    data = {name: field.initial if field.initial is not None else "" for name, field in form.fields.items()}
    data.update({name: value for name, value in form.initial.items() if name in form.fields})
    data = {name: value for name, value in data.items() if value is not False and value is not None}
    data["quorum"] = 4
    return data


def _check_settings(world, role, response):
    world.group.refresh_from_db()
    assert (world.group.quorum == 4) == (role == "admin"), (role, world.group.quorum)


def _open_invitation(world):
    invitation = InvitationFactory(group=world.group, email="open-uitnodiging@example.org")
    world.extra["invitation"] = invitation
    return {"group_id": world.group.pk, "invitation_id": invitation.pk}


def _other_groups_invitation(world):
    invitation = InvitationFactory(group=world.other_group, email="zuid@example.org")
    world.extra["invitation"] = invitation
    return {"group_id": world.group.pk, "invitation_id": invitation.pk}


def _check_revoked_if(roles):
    def check(world, role, response):
        invitation = Invitation.objects.get(pk=world.extra["invitation"].pk)
        assert (invitation.revoked_at is not None) == (role in roles), (role, invitation.revoked_at)

    return check


def _sent_an_hour_ago(world):
    invitation = InvitationFactory(
        group=world.group, email="opnieuw@example.org", sent_at=timezone.now() - timedelta(hours=1)
    )
    world.extra["invitation"] = invitation
    return {"group_id": world.group.pk, "invitation_id": invitation.pk}


def _other_groups_old_invitation(world):
    invitation = InvitationFactory(
        group=world.other_group, email="zuid-opnieuw@example.org", sent_at=timezone.now() - timedelta(hours=1)
    )
    world.extra["invitation"] = invitation
    return {"group_id": world.group.pk, "invitation_id": invitation.pk}


def _check_resent_if(roles):
    def check(world, role, response):
        invitation = Invitation.objects.get(pk=world.extra["invitation"].pk)
        resent = invitation.sent_at > timezone.now() - timedelta(minutes=5)
        assert resent == (role in roles), (role, invitation.sent_at)

    return check


def _handover_data(world):
    return {
        "facilitator": world.membership(world.facilitator).pk,
        "successor": world.membership(world.member).pk,
    }


def _check_handed_over(world, role, response):
    promoted = world.membership(world.member).role == Membership.Role.FACILITATOR
    assert promoted == (role in {"facilitator", "admin"}), (role, promoted)


def _check_left(world, role, response):
    left = {
        name for name in ("member", "facilitator") if not world.membership(getattr(world, name)).is_active
    }
    # The only facilitator may not leave (409); a member may.
    assert left == ({"member"} if role == "member" else set()), (role, left)


def _member_role(world):
    return {"group_id": world.group.pk, "membership_id": world.membership(world.member).pk}


def _former_member_role(world):
    return {"group_id": world.group.pk, "membership_id": world.membership(world.former_member).pk}


def _check_role(world, role, response):
    membership = world.membership(world.member)
    promoted = membership.role == Membership.Role.FACILITATOR
    assert promoted == (role == "admin"), (role, membership.role)


# Creating a group: whoever administers an organisation (also another organisation's admin, who may only
# choose their own: the posted organisation is not among the choices, a 400).
CREATE = logged_in(403, admin=200, foreign_admin=200)

ROWS = [
    Row("groups:create", CREATE),
    Row(
        "groups:create",
        {**logged_in(403, admin=302, foreign_admin=400), "anonymous": LOGIN},
        method="post",
        data=_create_data,
        check=_check_created,
    ),
    # Facilitators read the settings; only the organisation's admins change them.
    Row("groups:settings", standard(200, member=403), kwargs=_group, shows=("group",)),
    Row(
        "groups:settings",
        standard(302, member=403, facilitator=403),
        kwargs=_group,
        method="post",
        data=_settings_data,
        check=_check_settings,
    ),
    Row("groups:invitations", standard(200, member=403), kwargs=_group, shows=("group",)),
    Row("groups:invitation_revoke", standard(200, member=403), kwargs=_open_invitation, shows=("group",)),
    Row(
        "groups:invitation_revoke",
        standard(302, member=403),
        kwargs=_open_invitation,
        method="post",
        check=_check_revoked_if({"facilitator", "admin"}),
    ),
    Row(
        "groups:invitation_revoke",
        standard(404, member=403),
        kwargs=_other_groups_invitation,
        method="post",
        label="other-groups-invitation",
        check=_check_revoked_if(set()),
    ),
    Row("groups:membership_role", ADMINS_ONLY, kwargs=_member_role, shows=("member_name",)),
    Row(
        "groups:membership_role",
        standard(302, member=403, facilitator=403),
        kwargs=_member_role,
        method="post",
        data=lambda world: {"role": "facilitator"},
        check=_check_role,
    ),
    Row(
        "groups:membership_role",
        standard(404, member=403, facilitator=403),
        kwargs=_former_member_role,
        label="former-member",
    ),
    # Resending: facilitators and admins, an hour after the last e-mail; a GET is refused for everyone.
    Row(
        "groups:invitation_resend",
        standard(302, member=403),
        kwargs=_sent_an_hour_ago,
        method="post",
        check=_check_resent_if({"facilitator", "admin"}),
    ),
    Row(
        "groups:invitation_resend",
        standard(404, member=403),
        kwargs=_other_groups_old_invitation,
        method="post",
        label="other-groups-invitation",
        check=_check_resent_if(set()),
    ),
    Row("groups:invitation_resend", public(405), kwargs=_sent_an_hour_ago, label="get-not-allowed"),
    # Handing the facilitator role over: the facilitator their own, an admin anyone's.
    Row("groups:facilitator_handover", standard(200, member=403), kwargs=_group, shows=("group",)),
    Row(
        "groups:facilitator_handover",
        standard(302, member=403),
        kwargs=_group,
        method="post",
        data=_handover_data,
        check=_check_handed_over,
    ),
    # Leaving: members only (an admin who is not a member has nothing to leave); the only facilitator
    # is refused with a 409 until the role is handed over.
    Row("groups:leave", standard(200, admin=403), kwargs=_group, shows=("group",)),
    Row(
        "groups:leave",
        standard(302, facilitator=409, admin=403),
        kwargs=_group,
        method="post",
        check=_check_left,
    ),
]
