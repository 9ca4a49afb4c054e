"""The alert scan's set-based inserts take their columns from the models: on PostgreSQL the rows it writes
are the rows the ORM path writes, field for field, and a column the scan cannot fill stops it loudly."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.forms.models import model_to_dict
from django.utils import timezone

from groups.models import Membership
from notifications import alerts
from notifications.models import Alert, Outbox
from sessions.models import Attendance, Session
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# Differ by construction between two scans: ids, the alert they point to and the moment of the scan.
VARYING = {"id", "alert", "subject_key", "due_at", "created_at", "opened_at"}


def _falling_group():
    """Six full sessions, then three at 1 of 4: a trend alert for the facilitator."""
    group = GroupFactory()
    facilitator = FacilitatorFactory(group=group).user
    people = [facilitator, *(MembershipFactory(group=group).user for _ in range(3))]
    start = timezone.now() - timedelta(weeks=20)
    for n in range(9):
        session = Session.objects.create(
            group=group,
            starts_at=start + timedelta(weeks=n),
            ends_at=start + timedelta(weeks=n, hours=2),
            status=Session.Status.HELD,
        )
        Attendance.objects.bulk_create(
            Attendance(
                session=session,
                user=user,
                status=Attendance.Status.PRESENT
                if n < 6 or user == facilitator
                else Attendance.Status.ABSENT,
            )
            for user in people
        )
    return group, facilitator


def _scan_rows(path: str, monkeypatch) -> tuple[list[dict], list[dict]]:
    monkeypatch.setattr(alerts, "_postgresql", lambda: path == "postgresql")
    alerts.alert_scan()
    rows = (
        [
            model_to_dict(a, exclude=VARYING) | {"closed_at": a.closed_at}
            for a in Alert.objects.order_by("rule", "subject_key")
        ],
        [
            model_to_dict(o, exclude=VARYING)
            for o in Outbox.objects.filter(alert__isnull=False).order_by(
                "alert__rule", "alert__subject_key", "recipient"
            )
        ],
    )
    Outbox.objects.filter(alert__isnull=False).delete()
    Alert.objects.all().delete()
    return rows


@pytest.mark.postgres
def test_postgresql_inserts_write_what_the_orm_writes(monkeypatch):
    group, facilitator = _falling_group()
    fast = _scan_rows("postgresql", monkeypatch)
    portable = _scan_rows("portable", monkeypatch)
    assert fast[0] == portable[0], "alerts"
    assert fast[1] == portable[1], "e-mails"
    alerts_written, mails = fast
    assert {a["rule"] for a in alerts_written} >= {Alert.Rule.TREND, Alert.Rule.FADING}
    assert mails and {m["recipient"] for m in mails} == {facilitator.pk}
    assert all(m["group"] == group.pk for m in mails)


def test_a_column_the_scan_cannot_fill_stops_it():
    """A column with neither a default nor NULL allowed (here the alert's group, left out on purpose) is
    named in the error instead of failing the INSERT on PostgreSQL only."""
    with pytest.raises(ImproperlyConfigured, match="Alert.group"):
        alerts._insert_select(Alert, {"rule": "%(rule)s"}, {})


def test_every_other_column_takes_the_models_default():
    params: dict = {}
    sql = alerts._insert_select(Membership, {"user_id": "1", "group_id": "2"}, params)
    columns = sql.split("(", 1)[1].split(")", 1)[0].split(", ")
    expected = [f.column for f in Membership._meta.concrete_fields if not f.primary_key]
    assert [c.strip('"') for c in columns] == expected
    assert params["default_role"] == Membership.Role.MEMBER
    assert params["default_status"] == Membership.Status.ACTIVE
