"""Demo alerts (``seed_demo`` calls ``seed`` per demo group, after the sessions, casussen and reflections
seeders): a history of alerts that opened and cleared over the past two years, then the alert scan as the
daily job runs it, so the alerts that hold today are open (and their e-mails to the facilitator queued).
Idempotent: a group with closed alerts gets no second history; the scan opens each condition once."""

from datetime import timedelta

from groups import health
from groups.models import Membership
from sessions.models import Session

from .alerts import alert_scan
from .models import Alert


def _history(group) -> list[Alert]:
    held = list(Session.objects.filter(group=group, status=Session.Status.HELD).order_by("starts_at"))
    member = (
        Membership.objects.filter(group=group, role=Membership.Role.MEMBER, status=Membership.Status.ACTIVE)
        .order_by("user__display_name")
        .first()
    )
    if len(held) < 12 or member is None:
        return []
    quorum_session = held[-6]
    return [
        Alert(
            group=group,
            rule=Alert.Rule.FADING,
            subject_key=health.subject_key(user_id=member.user_id),
            user_id=member.user_id,
            detail={"missed": 2, "of": 5, "in_a_row": 2},
            opened_at=held[4].ends_at + timedelta(hours=15),
            closed_at=held[6].ends_at + timedelta(hours=15),
        ),
        Alert(
            group=group,
            rule=Alert.Rule.BUSY,
            detail={"busy": 3, "declines": 4, "window": health.BUSY_WINDOW},
            opened_at=held[9].ends_at + timedelta(hours=15),
            closed_at=held[11].ends_at + timedelta(hours=15),
        ),
        Alert(
            group=group,
            rule=Alert.Rule.QUORUM,
            subject_key=health.subject_key(session_id=quorum_session.pk),
            session=quorum_session,
            detail={"attending": 2, "quorum": group.quorum},
            opened_at=quorum_session.starts_at - timedelta(days=group.alert_quorum_days),
            closed_at=quorum_session.starts_at - timedelta(days=1),
        ),
    ]


def seed(*, group, users) -> None:
    if not Alert.objects.filter(group=group, closed_at__isnull=False).exists():
        alerts = _history(group)
        for alert in alerts:
            alert.full_clean()
        Alert.objects.bulk_create(alerts)
    alert_scan()
