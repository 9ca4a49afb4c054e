"""The alert scan's set-based SQL and the plain rules of groups/health.py give the same verdicts.

Hypothesis draws random groups: members (some left), thresholds (0 switches a part off), held, planned
and cancelled sessions with attendance, RSVPs and casussen booked before or after the deadline. For each,
the scan's queries (the PostgreSQL LATERAL path and the portable window-function path on PostgreSQL;
the portable path on SQLite), the loader the dashboard and the health page use
(``reflections.health.attendance_verdicts``), and the plain functions over figures built straight from
the drawn history must all find the same signals with the same figures.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from casussen.models import Casus
from groups import health
from groups.models import Membership
from notifications import alerts
from reflections.health import attendance_verdicts
from sessions.models import RSVP, Attendance, Session
from tests.factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db

ATTENDANCE = [None, *Attendance.Status.values, Attendance.Status.PRESENT]
ANSWERS = [None, None, RSVP.Answer.ATTEND, RSVP.Answer.MAYBE, *[("decline", r) for r in RSVP.Reason.values]]
ANSWERS += [("decline", RSVP.Reason.BUSY)] * 2


@dataclass
class DrawnSession:
    days: int  # from now; whole minutes, as the forms give them
    minutes: int
    status: str
    quorum_override: int | None
    attendance: list  # per member: an Attendance.Status or None
    answers: list  # per member: None, an answer, or ("decline", reason)
    booked_hours: int | None  # a casus booked this many hours (plus a fraction) before the start


@st.composite
def sessions(draw, members: int):
    status = draw(
        st.sampled_from([Session.Status.HELD] * 4 + [Session.Status.PLANNED, Session.Status.CANCELLED])
    )
    days = draw(st.integers(-120, -1) if status == Session.Status.HELD else st.integers(-30, 20))
    return DrawnSession(
        days=days,
        minutes=draw(st.integers(0, 24 * 60 - 1)),
        status=status,
        quorum_override=draw(st.none() | st.integers(1, 6)),
        attendance=[
            draw(st.sampled_from(ATTENDANCE)) if status == Session.Status.HELD else None
            for _ in range(members)
        ],
        answers=[draw(st.sampled_from(ANSWERS)) for _ in range(members)],
        booked_hours=draw(st.none() | st.integers(-24, 24 * 10)),
    )


@st.composite
def histories(draw):
    members = draw(st.integers(1, 6))
    size = draw(st.integers(0, 16))  # drawn first, so long histories are as likely as short ones
    return {
        "left": [draw(st.booleans()) for _ in range(members)],
        "thresholds": {
            "alert_trend_relative": draw(st.integers(0, 100)),
            "alert_trend_absolute": draw(st.integers(0, 100)),
            "alert_fading_in_a_row": draw(st.integers(0, 6)),
            "alert_fading_of_last_five": draw(st.integers(0, 6)),
            "alert_quorum_days": draw(st.integers(0, 10)),
            "casus_prep_days": draw(st.integers(0, 7)),
            "quorum": draw(st.integers(1, 6)),
        },
        "sessions": draw(st.lists(sessions(members), min_size=size, max_size=size)),
        # now on a whole minute now and then, so deadlines can fall exactly on it
        "now_seconds": draw(st.sampled_from([0, 0, 17.25, 59.999999])),
    }


def _seed(history, now):
    group = GroupFactory(size_limit=12, **history["thresholds"])
    people = []
    for left in history["left"]:
        status = Membership.Status.LEFT if left else Membership.Status.ACTIVE
        membership = MembershipFactory(group=group, status=status, left_at=now if left else None)
        people.append(membership.user)
    base = now.replace(second=0, microsecond=0)
    drawn = history["sessions"]
    created = Session.objects.bulk_create(
        Session(
            group=group,
            starts_at=base + timedelta(days=d.days, minutes=d.minutes),
            ends_at=base + timedelta(days=d.days, minutes=d.minutes + 90),
            status=d.status,
            quorum_override=d.quorum_override,
        )
        for d in drawn
    )
    figures = []
    for session, d in zip(created, drawn, strict=True):
        Attendance.objects.bulk_create(
            Attendance(session=session, user=user, status=status)
            for user, status in zip(people, d.attendance, strict=True)
            if status
        )
        rsvps = []
        for user, answer in zip(people, d.answers, strict=True):
            if isinstance(answer, tuple):
                rsvps.append(
                    RSVP(session=session, user=user, answer=RSVP.Answer.DECLINE, decline_reason=answer[1])
                )
            elif answer:
                rsvps.append(RSVP(session=session, user=user, answer=answer))
        RSVP.objects.bulk_create(rsvps)
        booked_at = None
        if d.booked_hours is not None:
            booked_at = session.starts_at - timedelta(hours=d.booked_hours, microseconds=250)
            Casus.objects.create(
                group=group,
                author=people[0],
                title="Casus",
                kernvraag="Hoe kan ik …?",
                status=Casus.Status.BOOKED,
                session=session,
                booked_at=booked_at,
            )
        if d.status == Session.Status.CANCELLED:
            continue
        declines = {}
        for answer in d.answers:
            if isinstance(answer, tuple):
                declines[answer[1]] = declines.get(answer[1], 0) + 1
        t = health.Thresholds.of(group)
        figures.append(
            health.SessionFigures(
                session_id=session.pk,
                starts_at=session.starts_at,
                held=d.status == Session.Status.HELD,
                attended=frozenset(
                    u.pk for u, s in zip(people, d.attendance, strict=True) if s in ("present", "late")
                ),
                missed=frozenset(
                    u.pk for u, s in zip(people, d.attendance, strict=True) if s in ("excused", "absent")
                ),
                busy_declines=declines.pop(RSVP.Reason.BUSY, 0),
                other_declines=declines,
                attending=sum(1 for a in d.answers if a == RSVP.Answer.ATTEND),
                quorum=d.quorum_override or group.quorum,
                casus_on_time=booked_at is not None
                and booked_at <= health.pipeline_deadline(session.starts_at, t),
            )
        )
    active = [u.pk for u, left in zip(people, history["left"], strict=True) if not left]
    return group, figures, active


def _as_signals(items) -> dict:
    return {(item.rule, item.subject_key): item.detail for item in items}


def _scan(now) -> dict:
    return _as_signals(
        [
            *alerts.trend_conditions(),
            *alerts.fading_conditions(),
            *alerts.quorum_conditions(now),
            *alerts.busy_conditions(),
            *alerts.pipeline_conditions(now),
        ]
    )


def _check(history, sql_paths):
    now = timezone.now().replace(second=0, microsecond=0) + timedelta(seconds=history["now_seconds"])
    with transaction.atomic():
        group, figures, active = _seed(history, now)
        plain = _as_signals(
            v for v in health.group_verdicts(figures, active, now, health.Thresholds.of(group)) if v.on
        )
        loaded = _as_signals(v for v in attendance_verdicts(group, now=now) if v.on)
        assert loaded == plain
        for rule in sorted({rule for rule, _ in plain}):
            event(f"signal: {rule}")  # shown with --hypothesis-show-statistics: every rule is reached
        for path in sql_paths:
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(alerts, "_postgresql", lambda path=path: path == "postgresql")
                assert _scan(now) == plain, path
        transaction.set_rollback(True)


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(history=histories())
def test_scan_and_plain_rules_agree(history):
    _check(history, ["portable"])


@pytest.mark.postgres
@PROPERTY
@given(history=histories())
def test_scan_and_plain_rules_agree_on_postgresql(history):
    _check(history, ["postgresql", "portable"])
