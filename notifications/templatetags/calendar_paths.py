"""``{% calendar_path_choice %}``: the member's calendar path (invites or feed) and the form to change it,
for the feed settings page of the sessions app (which cannot import this app: the tag brings the choice
there, see docs/DEVELOPING.md, known exceptions)."""

from django import template

from sessions import feedcache

from ..forms import CalendarPathForm
from ..models import CalendarPath
from ..selectors import calendar_path_of

register = template.Library()


@register.inclusion_tag("notifications/_calendar_path.html", takes_context=True)
def calendar_path_choice(context) -> dict:
    """One query. When the member still gets invites but a calendar app fetched their feed, the choice is
    offered (never made for them): with both, every session is in their calendar twice."""
    user = context["request"].user
    current = calendar_path_of(user.pk)
    return {
        "form": CalendarPathForm(initial={"calendar_path": current}),
        "current": current,
        "follows_feed": current == CalendarPath.FEED,
        "offer_feed": current == CalendarPath.INVITES and feedcache.last_fetched(user) is not None,
    }
