"""``{% group_sessions group access %}``: the next sessions of a group, for the group page of the groups
app (which cannot import this app: the tag brings the sessions there, see docs/DEVELOPING.md, known
exceptions)."""

from django import template
from django.db.models import Count, Q
from django.utils import timezone

from groups.models import Group
from groups.permissions import Access

from ..models import RSVP, Session

register = template.Library()

NEXT_COUNT = 3


@register.inclusion_tag("sessions/_group_sessions.html")
def group_sessions(group: Group, access: Access) -> dict[str, object]:
    """One query: the next ``NEXT_COUNT`` sessions that have not ended, cancelled ones included (marked),
    with the number of people who said they come. Members get links to each session's page; an
    organisation admin who is not a member sees the dates and goes to the schedule."""
    sessions = list(
        Session.objects.filter(group=group, ends_at__gt=timezone.now())
        .exclude(cancelled_by_schedule=True)
        .annotate(attend_count=Count("rsvps", filter=Q(rsvps__answer=RSVP.Answer.ATTEND)))
        .order_by("starts_at", "pk")[:NEXT_COUNT]
    )
    return {"group": group, "access": access, "sessions": sessions}
