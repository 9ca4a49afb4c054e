"""Reads from the apps built on top of sessions (casussen, reflections, notifications), in one place, so
the dashboards' selectors and exports stay independent of how those apps store things."""

from django.db.models import Count
from django.utils import timezone

from casussen.models import Casus
from notifications.alerts import describe
from notifications.models import Alert
from reflections.health import (
    LOOKBACK,
    attendance_verdicts,
    followup_signal,
    reflection_signals,
    verdict_texts,
)
from reflections.models import Reflection

READY = (Casus.Status.BOOKED, Casus.Status.DISCUSSED)


def reflected_session_ids(member, session_ids: list[int]) -> set[int]:
    """Sessions (of these) for which the member wrote a reflection. Reads only that fact, never a score."""
    return set(
        Reflection.objects.filter(author=member, session_id__in=session_ids).values_list(
            "session_id", flat=True
        )
    )


def reflection_health(group, held_sessions: list) -> list:
    """The reflections app's signals in words about reflection scores and follow-ups, over the latest held
    sessions (attendance and decline signals come from the dashboard's own figures)."""
    now = timezone.now()
    signals = [*reflection_signals(held_sessions[-LOOKBACK:], now), followup_signal(group, now)]
    return [signal for signal in signals if signal is not None]


def health_verdicts(group) -> list:
    """The group's attendance verdicts (``groups.health``), loaded as the health page loads them."""
    return attendance_verdicts(group)


def health_texts(verdicts: list, names: dict[int, str]) -> list:
    """(verdict, text) for each verdict, worded as on the health page and in the alert e-mails."""
    return verdict_texts(verdicts, names)


def ready_casus_counts(session_ids: list[int]) -> dict[int, int]:
    """How many casussen are booked for each of these sessions (counts only: no casus text)."""
    return dict(
        Casus.objects.filter(session_id__in=session_ids, status__in=READY)
        .values("session_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("session_id", "n")
    )


def queued_casus_count(group_id: int) -> int:
    return Casus.objects.filter(group_id=group_id, status=Casus.Status.SUBMITTED).count()


ALERT_HISTORY = 20


def open_alert_counts(group_ids: list[int]) -> dict[int, int]:
    return dict(
        Alert.objects.filter(group_id__in=group_ids, closed_at__isnull=True)
        .values("group_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("group_id", "n")
    )


def group_alerts(group) -> tuple[list[Alert], list[Alert]]:
    """(open alerts, the latest closed ones) of the group, each with ``text``: the alert in words."""
    alerts = Alert.objects.filter(group=group).select_related("user", "session").order_by("-opened_at")
    open_ = list(alerts.filter(closed_at__isnull=True))
    closed = list(alerts.filter(closed_at__isnull=False).order_by("-closed_at")[:ALERT_HISTORY])
    for alert in open_ + closed:
        alert.text = describe(alert)
    return open_, closed
