"""``{% quorum_badge starts_at count quorum group %}``: how many are coming, calm until it matters. Red only
inside the group's quorum check (``alert_quorum_days`` before the start, the window the quorum alert uses)
while too few are coming; green once the quorum is reached; a neutral count further ahead."""

from datetime import datetime

from django import template
from django.utils import timezone

from groups import health
from groups.models import Group

register = template.Library()


@register.inclusion_tag("sessions/_quorum_badge.html")
def quorum_badge(starts_at: datetime, count: int, quorum: int, group: Group) -> dict:
    reached = count >= quorum
    in_window = health.in_quorum_window(starts_at, timezone.now(), health.Thresholds.of(group))
    return {"count": count, "quorum": quorum, "level": "ok" if reached else "risk" if in_window else "calm"}
