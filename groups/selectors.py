from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Group, Invitation, Membership
from .permissions import visible_groups
from .todo import Person


# A user's intervision groups are their memberships. ``user.groups`` is something else: Django's auth
# groups (permission groups, from PermissionsMixin), which Intervisie does not use. Ask these two.
def user_memberships(user) -> QuerySet[Membership]:
    """The user's active memberships (as member or facilitator); a former member's are left out."""
    return Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)


def user_groups(user) -> QuerySet[Group]:
    """The intervision groups the user is an active member or facilitator of (not ``user.groups``)."""
    if not user.is_authenticated:
        return Group.objects.none()
    return Group.objects.filter(pk__in=user_memberships(user).values("group_id"))


def home_groups(user) -> QuerySet[Group]:
    """Groups on the user's home page with their active member count and the user's own role."""
    return (
        visible_groups(user)
        .select_related("organisation")
        .annotate(
            active_member_count=Count("memberships", filter=Q(memberships__status=Membership.Status.ACTIVE)),
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=user_memberships(user),
                to_attr="my_memberships",
            )
        )
        .order_by("organisation__name", "name")
    )


def home_person(user, groups: list[Group]) -> Person:
    """The user as the home page's to-do providers see them, from ``home_groups`` (no query)."""
    mine = {group.pk: group for group in groups if group.my_memberships}
    facilitated = frozenset(
        group.pk for group in groups for m in group.my_memberships if m.role == Membership.Role.FACILITATOR
    )
    return Person(user=user, groups=mine, facilitated=facilitated)


def group_members(group: Group) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(group=group)
        .select_related("user")
        .order_by("status", "-role", "user__display_name")
    )


@dataclass(frozen=True)
class InvitationRow:
    invitation: Invitation
    status: str  # an Invitation.Status value
    ends_membership: bool  # revoking it ends an active membership

    @property
    def revocable(self) -> bool:
        return self.status == Invitation.Status.OPEN or self.ends_membership


def group_invitations(group: Group) -> list[InvitationRow]:
    """All invitations of a group, newest first, with what revoking each would do (two queries). Mirrors
    ``services.invitation_membership``: an accepted invitation ends the membership only if it is the
    latest one that member accepted."""
    invitations = list(
        Invitation.objects.filter(group=group)
        .select_related("invited_by", "accepted_by")
        .order_by("-created_at", "-pk")
    )
    members = Membership.objects.filter(group=group, status=Membership.Status.ACTIVE)
    active = set(members.values_list("user_id", flat=True))
    latest: dict[int, Invitation] = {}
    for invitation in invitations:
        if invitation.accepted_at is None:
            continue
        seen = latest.get(invitation.accepted_by_id)
        if seen is None or invitation.accepted_at > seen.accepted_at:
            latest[invitation.accepted_by_id] = invitation
    rows = []
    for invitation in invitations:
        status = invitation.status
        ends = (
            status == Invitation.Status.ACCEPTED
            and invitation.accepted_by_id in active
            and latest.get(invitation.accepted_by_id) is invitation
        )
        rows.append(InvitationRow(invitation=invitation, status=status, ends_membership=ends))
    return rows
