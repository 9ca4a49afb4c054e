"""Attendance-drop rules on seeded histories: each fires once, does not repeat while it holds, closes when
it clears; the scan is a constant number of queries whatever the number of groups."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casussen.models import Casus
from notifications import alerts
from notifications.alerts import alert_scan
from notifications.models import Alert, Kind, Outbox
from sessions.models import RSVP, Presenter
from tests.casussen.factories import CasusFactory
from tests.sessions.factories import SessionFactory, held_session

from .factories import group_with_members

pytestmark = pytest.mark.django_db

_clock = {"days": 400}


@pytest.fixture(autouse=True, params=[pytest.param("postgresql", marks=pytest.mark.postgres), "portable"])
def sql_path(request, monkeypatch):
    """Every test runs the PostgreSQL scan (LATERAL windows, set-based open/close) and the portable one
    (window functions and the ORM, as on SQLite) against the same database."""
    if request.param == "portable":
        monkeypatch.setattr(alerts, "_postgresql", lambda: False)
    _clock["days"] = 400  # every test's history starts at the same point in the past
    return request.param


def held(group, people, *, present=None, declines=(), presenter=None):
    """A held session in the past (each call a week later than the previous one), attendance for everyone
    in ``people``: present if in ``present`` (default all), else absent."""
    _clock["days"] -= 7
    start = timezone.now() - timedelta(days=_clock["days"])
    present = people if present is None else present
    session = held_session(
        group,
        starts_at=start,
        minutes=120,
        attendance={u: "present" if u in present else "absent" for u in people},
        declines=dict(declines),
    )
    if presenter:
        Presenter.objects.create(
            session=session, user=presenter, slot=1, claimed_at=start - timedelta(days=10)
        )
        CasusFactory(
            group=group,
            author=presenter,
            status=Casus.Status.DISCUSSED,
            session=session,
            submitted_at=None,
            booked_at=start - timedelta(days=10),
        )
    return session


def open_alerts(group, rule):
    return Alert.objects.filter(group=group, rule=rule, closed_at__isnull=True)


def assert_lifecycle(group, rule, *, clear):
    first = alert_scan()
    assert open_alerts(group, rule).count() == 1
    alert = open_alerts(group, rule).get()
    assert alert.pk in first.opened or rule == Alert.Rule.QUORUM
    second = alert_scan()
    assert alert.pk not in second.opened
    assert Alert.objects.filter(group=group, rule=rule).count() == 1  # not repeated while it holds
    clear()
    alert_scan()
    alert.refresh_from_db()
    assert alert.closed_at is not None  # closed when it clears, and kept as history
    alert_scan()
    assert not open_alerts(group, rule).exists()
    return alert


def test_trend_fires_once_and_closes():
    group, facilitator, people = group_with_members(members=4)
    everyone = [facilitator, *people]
    for _ in range(6):
        held(group, everyone)
    for _ in range(3):
        held(group, everyone, present=everyone[:2])  # 40%
    alert = assert_lifecycle(group, Alert.Rule.TREND, clear=lambda: [held(group, everyone) for _ in range(3)])
    assert alert.detail["recent"] == 40 and alert.detail["baseline"] == 100
    # The facilitator got exactly one e-mail for it.
    assert Outbox.objects.filter(kind=Kind.ATTENDANCE_ALERT, alert=alert).count() == 1
    assert Outbox.objects.get(kind=Kind.ATTENDANCE_ALERT, alert=alert).recipient == facilitator


def test_trend_relative_to_the_groups_own_baseline():
    group, facilitator, people = group_with_members(members=9)
    everyone = [facilitator, *people]  # 10 people
    for _ in range(6):
        held(group, everyone)
    for _ in range(3):
        held(group, everyone, present=everyone[:7])  # 70%: above 60% absolute, below 75% of 100%
    alert_scan()
    assert open_alerts(group, Alert.Rule.TREND).exists()


def test_member_fading_fires_once_and_closes():
    group, facilitator, (anna, bram, chantal) = group_with_members(members=3)
    everyone = [facilitator, anna, bram, chantal]
    held(group, everyone)
    held(group, everyone, present=[facilitator, bram, chantal])
    held(group, everyone, present=[facilitator, bram, chantal])  # anna missed 2 in a row
    alert = assert_lifecycle(group, Alert.Rule.FADING, clear=lambda: held(group, everyone))
    assert alert.user == anna and alert.subject_key == f"user:{anna.pk}"


def test_quorum_risk_fires_once_and_closes_without_a_second_email():
    group, facilitator, (anna, bram, chantal) = group_with_members(members=3)
    start = timezone.now() + timedelta(days=2)
    session = SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=2))
    RSVP.objects.create(session=session, user=anna, answer="attend")

    def clear():
        for user in (bram, chantal):
            RSVP.objects.create(session=session, user=user, answer="attend")

    alert = assert_lifecycle(group, Alert.Rule.QUORUM, clear=clear)
    assert alert.session == session
    assert not Outbox.objects.filter(kind=Kind.ATTENDANCE_ALERT).exists()  # Kind.QUORUM_RISK covers it


def test_busy_agenda_reason_dominating_fires_once_and_closes():
    group, facilitator, (anna, bram, chantal) = group_with_members(members=3)
    everyone = [facilitator, anna, bram, chantal]
    held(group, everyone, present=[facilitator, bram, chantal], declines=[(anna, "busy")])
    held(group, everyone, present=[facilitator, anna, chantal], declines=[(bram, "busy")])
    held(group, everyone, present=[facilitator, anna, bram], declines=[(chantal, "sick")])

    def clear():
        for _ in range(3):
            held(group, everyone, present=[facilitator, bram, chantal], declines=[(anna, "holiday")])

    assert_lifecycle(group, Alert.Rule.BUSY, clear=clear)


def test_empty_pipeline_fires_once_and_closes():
    group, facilitator, (anna, bram) = group_with_members(members=2)
    everyone = [facilitator, anna, bram]
    held(group, everyone, presenter=anna)
    held(group, everyone)
    held(group, everyone)  # two in a row without a casus by the deadline

    def clear():
        held(group, everyone, presenter=bram)

    assert_lifecycle(group, Alert.Rule.PIPELINE, clear=clear)


def _scan_queries(groups: int) -> int:
    for _ in range(groups):
        group, facilitator, people = group_with_members(members=3)
        everyone = [facilitator, *people]
        for _ in range(6):
            held(group, everyone)
        for _ in range(3):
            held(group, everyone, present=[facilitator], declines=[(people[0], "busy"), (people[1], "busy")])
    with CaptureQueriesContext(connection) as queries:
        result = alert_scan()
    assert len(result.opened) >= groups * 4  # trend, busy, pipeline, fading ×2 per group
    return len(queries)


def test_scan_queries_do_not_grow_with_the_number_of_groups():
    small = _scan_queries(2)
    Alert.objects.all().delete()
    Outbox.objects.all().delete()
    assert _scan_queries(20) == small


def _conditions() -> set:
    now = timezone.now()
    found = [
        *alerts.trend_conditions(),
        *alerts.fading_conditions(),
        *alerts.quorum_conditions(now),
        *alerts.busy_conditions(),
        *alerts.pipeline_conditions(now),
    ]
    return {(c.key, c.user_id, c.session_id, tuple(sorted(c.detail.items()))) for c in found}


@pytest.mark.postgres
@pytest.mark.parametrize("sql_path", ["postgresql"], indirect=True)
def test_both_sql_paths_find_the_same_conditions(sql_path, monkeypatch):
    long_group, facilitator, people = group_with_members(members=4)
    everyone = [facilitator, *people]
    for _ in range(7):
        held(long_group, everyone, presenter=people[0])
    for _ in range(4):
        held(long_group, everyone, present=everyone[:2], declines=[(people[2], "busy"), (people[3], "busy")])
    short_group, facilitator, people = group_with_members(members=2)
    for index in range(4):
        held(short_group, [facilitator, *people], present=[facilitator, people[index % 2]])
    start = timezone.now() + timedelta(days=2)
    SessionFactory(group=short_group, starts_at=start, ends_at=start + timedelta(hours=2))
    fast = _conditions()
    monkeypatch.setattr(alerts, "_postgresql", lambda: False)
    portable = _conditions()
    assert fast == portable
    rules = {key[1] for key, *_ in fast}
    assert rules == {"trend", "fading", "quorum", "busy", "pipeline"}
