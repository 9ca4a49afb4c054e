from django.db.models import Count, Prefetch, Q, QuerySet

from .models import Group, Membership
from .permissions import visible_groups


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
                queryset=Membership.objects.filter(user=user, status=Membership.Status.ACTIVE),
                to_attr="my_memberships",
            )
        )
        .order_by("organisation__name", "name")
    )


def group_members(group: Group) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(group=group)
        .select_related("user")
        .order_by("status", "-role", "user__display_name")
    )
