"""Demo figures (``seed_demo`` calls ``seed`` per demo group, last): the dashboards' per-session figures
of the group's sessions, which the demo's bulk-written history did not trigger. Idempotent (recomputed)."""

from sessions.models import Session

from .services import session_stats_refresh


def seed(*, group, users) -> None:
    session_stats_refresh(session_ids=Session.objects.filter(group=group).values_list("pk", flat=True))
