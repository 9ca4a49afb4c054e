"""The in-app group administration: creating a group, its settings, invitations and member roles."""

from datetime import timedelta

from django.utils import timezone

from groups.models import Invitation, Membership
from tests.factories import MembershipFactory

from . import Budget


def _group(scene):
    return {"group_id": scene.group.pk}


def _settings_data(scene):
    from groups.services import GROUP_SETTINGS_FIELDS

    group = scene.group
    data = {}
    for field in GROUP_SETTINGS_FIELDS:
        value = getattr(group, field)
        if value is True:
            data[field] = "on"
        elif value is not False and value is not None:
            data[field] = value
    return data


def _fresh_invitation(scene):
    invitation = Invitation.objects.create(
        group=scene.group,
        email=f"intrekken{scene.counter()}@example.org",
        invited_by=scene.world.facilitator,
        expires_at=timezone.now() + timedelta(days=14),
    )
    return {"group_id": scene.group.pk, "invitation_id": invitation.pk}


def _invitation_sent_an_hour_ago(scene):
    invitation = Invitation.objects.create(
        group=scene.group,
        email=f"opnieuw{scene.counter()}@example.org",
        invited_by=scene.world.facilitator,
        sent_at=timezone.now() - timedelta(hours=1),
        expires_at=timezone.now() + timedelta(days=14),
    )
    return {"group_id": scene.group.pk, "invitation_id": invitation.pk}


def _handover_data(scene):
    facilitator = Membership.objects.filter(
        group=scene.group, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
    ).first()
    successor = MembershipFactory(group=scene.group, role=Membership.Role.MEMBER)
    return {"facilitator": facilitator.pk, "successor": successor.pk}


def _member_membership(scene):
    return {"group_id": scene.group.pk, "membership_id": scene.world.membership(scene.world.member).pk}


def _fresh_membership(scene):
    membership = MembershipFactory(group=scene.group, role=Membership.Role.MEMBER)
    return {"group_id": scene.group.pk, "membership_id": membership.pk}


BUDGETS = [
    Budget("groups:create", "admin", 7),
    Budget(
        "groups:create",
        "admin",
        49,
        method="post",
        status=302,
        data=lambda s: {
            "organisation": s.group.organisation_id,
            "name": f"Nieuwe groep {s.counter()}",
            "size_limit": 8,
            "quorum": 3,
        },
    ),  # fmt: skip
    Budget("groups:settings", "admin", 8, kwargs=_group),
    Budget("groups:settings", "facilitator", 8, kwargs=_group, label="read-only"),
    Budget("groups:settings", "admin", 50, kwargs=_group, method="post", data=_settings_data, status=302),
    Budget(
        "groups:invitations",
        "facilitator",
        10,
        kwargs=_group,
        shows=lambda s: f"uitgenodigd{s.last}-{s.group.pk}@example.org",
    ),  # fmt: skip
    Budget("groups:invitation_revoke", "facilitator", 9, kwargs=_fresh_invitation),
    Budget(
        "groups:invitation_revoke", "facilitator", 17, kwargs=_fresh_invitation, method="post", status=302
    ),
    Budget("groups:membership_role", "admin", 9, kwargs=_member_membership),
    Budget(
        "groups:membership_role",
        "admin",
        33,  # with the look for written sessions whose reminders the member should get
        kwargs=_fresh_membership,
        method="post",
        status=302,
        data=lambda s: {"role": "facilitator"},
    ),
    Budget(
        "groups:invitation_resend",
        "facilitator",
        17,
        kwargs=_invitation_sent_an_hour_ago,
        method="post",
        status=302,
    ),
    Budget("groups:facilitator_handover", "facilitator", 9, kwargs=_group),
    Budget(
        "groups:facilitator_handover",
        "admin",
        67,  # two role changes (promote, then demote), each replanning the member's outbox rows
        kwargs=_group,
        method="post",
        data=_handover_data,
        status=302,
    ),
]
