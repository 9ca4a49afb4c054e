"""Accounts, language, groups (the group page, invitations, memberships)."""

from datetime import timedelta

from django.utils import timezone

from groups.models import Invitation
from tests.factories import MembershipFactory

from . import Budget


def _group(scene):
    return {"group_id": scene.group.pk}


def _invitation_token(scene):
    from groups.services import invitation_token

    invitation = scene.memo(
        "invitation",
        lambda: Invitation.objects.create(
            group=scene.group, email="nieuw@example.org", expires_at=timezone.now() + timedelta(days=14)
        ),
    )
    return {"token": invitation_token(invitation)}


def _fresh_membership(scene):
    membership = MembershipFactory(group=scene.group)
    return {"group_id": scene.group.pk, "membership_id": membership.pk}


def _invite_data(scene):
    return {"emails": f"iemand{scene.counter()}@example.org", "role": "member"}


BUDGETS = [
    # The to-do list: the next session of every group, open RSVPs, casussen, writing in advance for a
    # declined session, reflections, follow-ups, the prompt to present (sessions/load.py: two).
    Budget("home", "member", 18, shows=lambda s: f"Extra groep {s.last}"),
    # … and the open alerts of the groups they facilitate (the grown members fade).
    Budget("home", "facilitator", 19, label="facilitator", shows=lambda s: s.last_name()),
    Budget(
        "set_language", "member", 7, method="post", data=lambda s: {"language": "en", "next": "/"}, status=302
    ),
    Budget("accounts:login", "anonymous", 2),
    Budget("accounts:logout", "member", 8, method="post", status=302),
    Budget("accounts:profile", "member", 5),
    Budget("accounts:password_change", "member", 5),
    Budget("accounts:password_change_done", "member", 5),
    Budget("accounts:password_reset", "anonymous", 2),
    Budget("accounts:password_reset_done", "anonymous", 2),
    Budget(
        "accounts:password_reset_confirm",
        "anonymous",
        3,
        kwargs=lambda s: {"uidb64": "MQ", "token": "bad-token"},
    ),
    Budget("accounts:password_reset_complete", "anonymous", 2),
    Budget("groups:detail", "member", 9, kwargs=_group, shows=lambda s: s.last_name()),
    Budget(
        "groups:detail", "facilitator", 9, kwargs=_group, label="facilitator", shows=lambda s: s.last_name()
    ),
    Budget("groups:invite", "facilitator", 8, kwargs=_group),
    # One address; the open invitations the size limit counts are one more query.
    Budget("groups:invite", "facilitator", 20, kwargs=_group, method="post", data=_invite_data, status=302),
    Budget("groups:membership_deactivate", "facilitator", 9, kwargs=_fresh_membership),
    Budget(
        "groups:membership_deactivate", "facilitator", 14, kwargs=_fresh_membership, method="post", status=302
    ),
    Budget("groups:leave", "member", 9, kwargs=_group),
    Budget(
        "groups:leave",
        "member",
        0,
        method="post",
        covered="tests/groups/test_members.py::test_leaving_query_budget",
    ),
    Budget("groups:invitation_accept", "anonymous", 4, kwargs=_invitation_token),
]
