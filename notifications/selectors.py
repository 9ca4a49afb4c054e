"""Reads of the notifications app that views, templates and the mail rendering share."""

from .models import CalendarPath, NotificationPreference


def calendar_path_of(user_id: int) -> str:
    """The member's calendar path (``CalendarPath``): invites when they never chose. One query."""
    found = (
        NotificationPreference.objects.filter(user_id=user_id).values_list("calendar_path", flat=True).first()
    )
    return found or CalendarPath.INVITES
