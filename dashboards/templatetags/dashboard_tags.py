from django import template
from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groups.models import Membership
from sessions.models import RSVP, Attendance

from ..selectors import NOT_YET, UNREGISTERED

register = template.Library()

CELLS = {
    Attendance.Status.PRESENT: ("✓", Attendance.Status.PRESENT.label),
    Attendance.Status.LATE: ("L", Attendance.Status.LATE.label),
    Attendance.Status.EXCUSED: ("A", Attendance.Status.EXCUSED.label),
    Attendance.Status.ABSENT: ("✗", Attendance.Status.ABSENT.label),
    NOT_YET: ("·", _("nog niet")),
    UNREGISTERED: ("?", _("niet geregistreerd")),
    "": ("", _("geen lid")),
}
RSVPS = {
    RSVP.Answer.ATTEND: ("+", _("komt")),
    RSVP.Answer.DECLINE: ("−", _("kan niet")),
    RSVP.Answer.MAYBE: ("?", _("misschien")),
}


@register.simple_tag
def cell_info(cell) -> dict:
    symbol, label = CELLS.get(cell.status, CELLS[""])
    if cell.status == NOT_YET and cell.rsvp in RSVPS:
        symbol, answer = RSVPS[cell.rsvp]
        label = f"{label}: {answer}"
    return {"symbol": symbol, "label": label, "css": f"cell-{cell.status or 'none'}"}


NAV_TTL = 300


def nav_cache_key(user_id: int) -> str:
    return f"dashboards:nav:{user_id}"


@register.inclusion_tag("dashboards/_nav_link.html", takes_context=True)
def dashboard_nav_link(context) -> dict:
    """The dashboard link for facilitators and organisation admins. Cached per user (at most one query on
    a miss; cleared when the user's memberships or admin links change)."""
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return {"show": False}
    key = nav_cache_key(user.pk)
    show = cache.get(key)
    if show is None:
        show = user.is_superuser or (
            type(user)
            .objects.filter(pk=user.pk)
            .filter(
                Q(
                    memberships__role=Membership.Role.FACILITATOR,
                    memberships__status=Membership.Status.ACTIVE,
                )
                | Q(admin_links__isnull=False)
            )
            .exists()
        )
        cache.set(key, show, NAV_TTL)
    return {"show": show}
