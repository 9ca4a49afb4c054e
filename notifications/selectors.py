"""Reads of the notifications app that views, templates and the mail rendering share."""

from groups.models import Membership, OrganisationAdmin

from . import kinds
from .models import CalendarPath, NotificationPreference


def calendar_path_of(user_id: int) -> str:
    """The member's calendar path (``CalendarPath``): invites when they never chose. One query."""
    found = (
        NotificationPreference.objects.filter(user_id=user_id).values_list("calendar_path", flat=True).first()
    )
    return found or CalendarPath.INVITES


def preference_audiences(user) -> frozenset[str]:
    """Whose e-mails the person can get, so their preferences show those kinds only: every member's, a
    facilitator's while they facilitate a group, an admin's while they administer an organisation (or are
    a superuser). Two queries."""
    audiences = {kinds.FOR_SESSIONS, kinds.FOR_PRESENTERS, kinds.FOR_REFLECTION}
    facilitates = Membership.objects.filter(
        user=user, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
    ).exists()
    if facilitates:
        audiences.add(kinds.FOR_FACILITATORS)
    if user.is_superuser or OrganisationAdmin.objects.filter(user=user).exists():
        audiences.add(kinds.FOR_ADMINS)
    return frozenset(audiences)
