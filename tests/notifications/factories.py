"""Helpers for the notifications tests: groups with members and sessions made through the real services,
so the signal receivers run as in production."""

from datetime import datetime, timedelta

from django.utils import timezone

from groups.models import Membership
from sessions import services as session_services
from sessions.models import Session
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory


def group_with_members(*, members: int = 4, language: str = "nl", **group_kwargs):
    group = GroupFactory(**group_kwargs)
    facilitator = FacilitatorFactory(group=group, user__preferred_language=language).user
    people = [MembershipFactory(group=group, user__preferred_language=language).user for _ in range(members)]
    return group, facilitator, people


def plan_session(group, *, starts_at: datetime | None = None, minutes: int = 150, **kwargs) -> Session:
    starts_at = starts_at or timezone.now() + timedelta(days=10)
    return session_services.session_create(
        group=group, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), **kwargs
    )


def active_member_ids(group) -> set[int]:
    return set(
        Membership.objects.filter(group=group, status=Membership.Status.ACTIVE).values_list(
            "user_id", flat=True
        )
    )
