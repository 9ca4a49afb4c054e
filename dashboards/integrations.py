"""Reads from the apps built on top of sessions (casussen, reflections, notifications), in one place, so
the dashboards' selectors and exports stay independent of how those apps store things."""

from django.db.models import Count

from casussen.models import Casus

READY = (Casus.Status.BOOKED, Casus.Status.DISCUSSED)


def reflected_session_ids(member, session_ids: list[int]) -> set[int] | None:
    """Sessions (of these) for which the member wrote a reflection; None while reflections are not
    recorded in this installation (the column then stays empty)."""
    return None


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
