"""Chart data for Chart.js, handed to the page with ``json_script`` (data, never code: CSP-safe).

Each function returns plain dicts; ``static/js/charts.js`` turns them into charts and the templates render
the same figures as tables for screen readers and browsers without JavaScript."""

from django.utils import timezone
from django.utils.translation import gettext as _

from reflections.models import SCALES
from sessions.models import RSVP

from .selectors import GroupDashboard, GroupSummary


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _label(session) -> str:
    return getattr(session, "day", None) or timezone.localtime(session.starts_at).strftime("%d-%m-%Y")


def group(dash: GroupDashboard) -> dict:
    held = dash.held
    labels = [_label(s) for s in held]
    quorum = [
        min(round(s.quorum * 100 / s.stats.members_expected, 1), 100) if s.stats.members_expected else None
        for s in held
    ]
    reasons = {
        RSVP.Reason.BUSY: "#dc3545",
        RSVP.Reason.SICK: "#6c757d",
        RSVP.Reason.HOLIDAY: "#0dcaf0",
        RSVP.Reason.OTHER: "#adb5bd",
    }
    return {
        "reflections": reflections(dash),
        "attendance": {
            "type": "line",
            "labels": labels,
            "unit": "%",
            "max": 100,
            "datasets": [
                {"label": _("Opkomst (%)"), "data": [_pct(s.stats.attendance_rate) for s in held],
                 "color": "#0d6efd"},
                {"label": _("Quorum (%)"), "data": quorum, "color": "#dc3545", "dashed": True},
            ],
        },
        "declines": {
            "type": "bar",
            "stacked": True,
            "labels": labels,
            "datasets": [
                {"label": str(RSVP.Reason(reason).label), "data": [getattr(s.stats, f"declines_{reason}")
                 for s in held], "color": color}
                for reason, color in reasons.items()
            ],
        },
    }  # fmt: skip


REFLECTION_COLORS = ["#0d6efd", "#6f42c1", "#d63384", "#198754", "#fd7e14", "#20c997"]


def reflections(dash: GroupDashboard) -> dict:
    """Mean scores (1-5) per held session; a gap where fewer than 3 answers are in (never shown)."""
    held = dash.held
    return {
        "type": "line",
        "labels": [_label(s) for s in held],
        "min": 1,
        "max": 5,
        "datasets": [
            {
                "label": str(label),
                "data": [s.stats.reflections["means"][name] if s.stats.reflections else None for s in held],
                "color": color,
            }
            for (name, label), color in zip(SCALES, REFLECTION_COLORS, strict=True)
        ],
    }


def overview(summaries: list[GroupSummary]) -> dict:
    return {
        "type": "bar",
        "labels": [s.group.name for s in summaries],
        "unit": "%",
        "max": 100,
        "datasets": [
            {"label": _("Opkomst in de periode (%)"), "data": [_pct(s.mean_rate) for s in summaries],
             "color": "#0d6efd"},
            {"label": _("Laatste 3 bijeenkomsten (%)"), "data": [_pct(s.recent_rate) for s in summaries],
             "color": "#6f42c1"},
        ],
    }  # fmt: skip
