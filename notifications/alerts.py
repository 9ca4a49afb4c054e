"""The daily attendance-alert scan: opens, keeps and closes ``Alert`` rows for every active group.

The rules themselves (windows, thresholds, what counts) are defined once, in ``groups/health.py``, which
the dashboard and the health page use as well. For speed the scan computes each rule's *figures* for all
groups at once, one set-based SQL query per rule (window functions and aggregation in the database, so
the number of queries does not depend on the number of groups), and then hands every group's figures to
the same verdict functions. ``tests/notifications/test_alerts_rules.py`` feeds random histories to these
queries and to the plain functions and requires the same verdicts, on SQLite and on PostgreSQL.

An alert opens once when its condition starts (a partial unique constraint allows one open alert per
group, rule and subject), stays open without repeating while the condition holds, and is closed when it
clears. Closed alerts are kept as history for the dashboard.

The SQL is written once per query, as one f-string over the model's table names; every value (windows,
statuses, thresholds) is a query parameter taken from the rules module or the model's choices.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

from casussen.models import Casus
from groups import health
from groups.models import Group, Membership, OrganisationAdmin
from sessions.models import RSVP, Attendance, Session

from .models import Alert, Kind, Outbox, Status

SESSION = Session._meta.db_table
ATTENDANCE = Attendance._meta.db_table
RSVP_TABLE = RSVP._meta.db_table
CASUS = Casus._meta.db_table
GROUP = Group._meta.db_table
MEMBERSHIP = Membership._meta.db_table
ALERT = Alert._meta.db_table
# The group's thresholds, selected in the order of ``health.Thresholds`` (``Thresholds.from_row``).
SETTINGS = ", ".join(f"g.{Group._meta.get_field(name).column}" for name in health.GROUP_SETTINGS.values())
N_SETTINGS = len(health.GROUP_SETTINGS)

WAS_THERE = "(%(present)s, %(late)s)"
MISSED = "(%(excused)s, %(absent)s)"


def _params(**extra: Any) -> dict[str, Any]:
    """The values every rule query may use: statuses from the models' choices, windows from the rules."""
    return {
        "held": Session.Status.HELD,
        "planned": Session.Status.PLANNED,
        "present": Attendance.Status.PRESENT,
        "late": Attendance.Status.LATE,
        "excused": Attendance.Status.EXCUSED,
        "absent": Attendance.Status.ABSENT,
        "active": Membership.Status.ACTIVE,
        "decline": RSVP.Answer.DECLINE,
        "attend": RSVP.Answer.ATTEND,
        **extra,
    }


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def _minus_days(column: str, days_column: str) -> str:
    if connection.vendor == "postgresql":  # the database's own date arithmetic, on either path
        return f"({column} - {days_column} * INTERVAL '1 day')"
    return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {column}, '-' || {days_column} || ' days')"


def _now() -> str:
    """The ``now`` parameter where it is compared with ``_minus_days``: SQLite compares the text, so both
    sides take the same form ("…HH:MM:SS.fff"; a stored value without a fraction would sort first)."""
    if connection.vendor == "postgresql":
        return "%(now)s"
    return "strftime('%%Y-%%m-%%d %%H:%%M:%%f', %(now)s)"


def _held_window(part: str, order: str, limit: str) -> str:
    """Rows (group_id, id, part, rn) for each active group's held sessions in one window: the ``limit``
    (a parameter name) latest (``order`` DESC) or earliest (ASC); rn 1 is the latest.

    On PostgreSQL a LATERAL index scan on (group_id, starts_at) per group reads a few rows each, instead of
    ranking every held session of every group (10,000 groups × two years is 520,000 sessions); elsewhere
    the portable window function. Same rows."""
    if _postgresql():
        return f"""
          SELECT g.id AS group_id, x.id, '{part}' AS part,
            ROW_NUMBER() OVER (PARTITION BY g.id ORDER BY x.starts_at DESC, x.id DESC) AS rn
          FROM {GROUP} g CROSS JOIN LATERAL (
            SELECT s.id, s.starts_at FROM {SESSION} s WHERE s.group_id = g.id AND s.status = %(held)s
            ORDER BY s.starts_at {order}, s.id {order} LIMIT %({limit})s
          ) x
          WHERE g.is_active"""
    return f"""
          SELECT group_id, id, '{part}' AS part, rn FROM (
            SELECT s.id, s.group_id,
              ROW_NUMBER() OVER (PARTITION BY s.group_id ORDER BY s.starts_at {order}, s.id {order}) AS n,
              ROW_NUMBER() OVER (PARTITION BY s.group_id ORDER BY s.starts_at DESC, s.id DESC) AS rn
            FROM {SESSION} s JOIN {GROUP} g ON g.id = s.group_id
            WHERE s.status = %(held)s AND g.is_active
          ) ranked WHERE n <= %({limit})s"""


def _fetch(sql: str, params: dict[str, Any]) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass
class Condition:
    group_id: int
    rule: str
    subject_key: str = ""
    user_id: int | None = None
    session_id: int | None = None
    detail: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple:
        return (self.group_id, self.rule, self.subject_key)

    @classmethod
    def of(cls, group_id: int, verdict: health.Verdict) -> "Condition":
        return cls(
            group_id,
            verdict.rule,
            subject_key=verdict.subject_key,
            user_id=verdict.user_id,
            session_id=verdict.session_id,
            detail=verdict.detail,
        )


def _on(group_id: int, verdict: health.Verdict | None) -> list[Condition]:
    return [Condition.of(group_id, verdict)] if verdict is not None and verdict.on else []


def trend_figures() -> list[tuple[int, health.TrendFigures, health.Thresholds]]:
    rows = _fetch(
        f"""
        WITH win AS ({_held_window("recent", "DESC", "recent_n")}
          UNION ALL {_held_window("base", "ASC", "base_n")}
        ), sums AS (
          SELECT w.group_id,
            SUM(CASE WHEN w.part = 'recent' AND a.status IN {WAS_THERE} THEN 1 ELSE 0 END) AS recent_attended,
            SUM(CASE WHEN w.part = 'recent' THEN 1 ELSE 0 END) AS recent_registered,
            SUM(CASE WHEN w.part = 'base' AND a.status IN {WAS_THERE} THEN 1 ELSE 0 END) AS base_attended,
            SUM(CASE WHEN w.part = 'base' THEN 1 ELSE 0 END) AS base_registered
          FROM win w JOIN {ATTENDANCE} a ON a.session_id = w.id
          GROUP BY w.group_id
        ), held AS (
          SELECT s.group_id, COUNT(*) AS n FROM {SESSION} s WHERE s.status = %(held)s GROUP BY s.group_id
        )
        SELECT x.group_id, h.n, x.recent_attended, x.recent_registered, x.base_attended, x.base_registered,
          {SETTINGS}
        FROM sums x JOIN held h ON h.group_id = x.group_id JOIN {GROUP} g ON g.id = x.group_id
        """,
        _params(recent_n=health.TREND_RECENT, base_n=health.TREND_BASELINE),
    )
    return [
        (row[0], health.TrendFigures(*map(int, row[1:6])), health.Thresholds.from_row(row[6:]))
        for row in rows
    ]


def trend_conditions() -> list[Condition]:
    return [c for group_id, f, t in trend_figures() for c in _on(group_id, health.trend_verdict(f, t))]


def fading_figures() -> list[tuple[int, int, health.MemberMisses, health.Thresholds]]:
    """Per active member with a registration in the group's last ``FADING_WINDOW`` held sessions."""
    # Grouped by the group's primary key, so its settings need no grouping of their own (PostgreSQL sees
    # they depend on it; SQLite allows them as they are).
    rows = _fetch(
        f"""
        WITH win AS ({_held_window("recent", "DESC", "window_n")})
        SELECT g.id, a.user_id,
          SUM(CASE WHEN a.status IN {MISSED} THEN 1 ELSE 0 END),
          SUM(CASE WHEN a.status IN {MISSED} AND w.rn <= g.alert_fading_in_a_row THEN 1 ELSE 0 END),
          COUNT(*), {SETTINGS}
        FROM win w
        JOIN {ATTENDANCE} a ON a.session_id = w.id
        JOIN {GROUP} g ON g.id = w.group_id
        JOIN {MEMBERSHIP} m ON m.group_id = w.group_id AND m.user_id = a.user_id AND m.status = %(active)s
        GROUP BY g.id, a.user_id
        HAVING SUM(CASE WHEN a.status IN {MISSED} THEN 1 ELSE 0 END) > 0  -- nobody fades without a miss
        """,
        _params(window_n=health.FADING_WINDOW),
    )
    thresholds: dict[tuple, health.Thresholds] = {}  # few distinct settings: one object each
    return [
        (
            row[0],
            row[1],
            health.MemberMisses(row[2], row[3], row[4]),
            thresholds.get(row[5:]) or thresholds.setdefault(row[5:], health.Thresholds.from_row(row[5:])),
        )
        for row in rows
    ]


def fading_conditions() -> list[Condition]:
    """The rules module's verdict, built only for the members who fade (the scan reads tens of thousands
    of members, and most do not)."""
    return [
        Condition(
            group_id,
            health.FADING,
            subject_key=health.subject_key(user_id),
            user_id=user_id,
            detail=health.fading_detail(misses, t),
        )
        for group_id, user_id, misses, t in fading_figures()
        if health.is_fading(misses, t)
    ]


def quorum_figures(now: datetime) -> list[tuple[int, int, int, int]]:
    """(group, session, quorum, attend answers) of each planned session in its quorum window
    (``health.in_quorum_window``)."""
    rows = _fetch(
        f"""
        SELECT s.group_id, s.id, COALESCE(s.quorum_override, g.quorum),
          (SELECT COUNT(*) FROM {RSVP_TABLE} v WHERE v.session_id = s.id AND v.answer = %(attend)s)
        FROM {SESSION} s JOIN {GROUP} g ON g.id = s.group_id
        WHERE g.is_active AND s.status = %(planned)s AND s.starts_at > %(now)s
          AND {_minus_days("s.starts_at", "g.alert_quorum_days")} <= {_now()}
        """,
        _params(now=connection.ops.adapt_datetimefield_value(now)),
    )
    return [(group_id, session_id, quorum, attending) for group_id, session_id, quorum, attending in rows]


def quorum_conditions(now: datetime) -> list[Condition]:
    return [
        c
        for group_id, session_id, quorum, attending in quorum_figures(now)
        for c in _on(group_id, health.quorum_verdict(session_id, attending, quorum))
    ]


def busy_figures() -> list[tuple[int, health.BusyFigures]]:
    rows = _fetch(
        f"""
        WITH win AS ({_held_window("recent", "DESC", "window_n")})
        SELECT w.group_id, v.decline_reason, COUNT(*)
        FROM win w JOIN {RSVP_TABLE} v ON v.session_id = w.id
        WHERE v.answer = %(decline)s
        GROUP BY w.group_id, v.decline_reason
        """,
        _params(window_n=health.BUSY_WINDOW),
    )
    per_group: dict[int, dict[str, int]] = {}
    for group_id, reason, count in rows:
        per_group.setdefault(group_id, {})[reason] = count
    return [
        (group_id, health.BusyFigures(busy=counts.pop(RSVP.Reason.BUSY, 0), others=counts))
        for group_id, counts in per_group.items()
    ]


def busy_conditions() -> list[Condition]:
    return [c for group_id, f in busy_figures() for c in _on(group_id, health.busy_verdict(f))]


def pipeline_figures(now: datetime) -> list[tuple[int, health.PipelineFigures]]:
    """Per active group: its last ``PIPELINE_WINDOW`` sessions (held or planned) whose preparation deadline
    (``casus_prep_days`` before the start) has passed, and how many had a casus booked onto them by then
    (``Casus.booked_at``, as ``casussen.selectors.sessions_with_casus_ready`` counts it)."""
    deadline = _minus_days("s.starts_at", "g.casus_prep_days")
    if _postgresql():
        due = f"""
          SELECT g.id AS group_id, x.id, x.deadline
          FROM {GROUP} g CROSS JOIN LATERAL (
            SELECT s.id, {deadline} AS deadline FROM {SESSION} s
            WHERE s.group_id = g.id AND s.status IN (%(held)s, %(planned)s) AND {deadline} <= {_now()}
            ORDER BY s.starts_at DESC, s.id DESC LIMIT %(window_n)s
          ) x
          WHERE g.is_active"""
    else:
        due = f"""
          SELECT group_id, id, deadline FROM (
            SELECT s.id, s.group_id, {deadline} AS deadline,
              ROW_NUMBER() OVER (PARTITION BY s.group_id ORDER BY s.starts_at DESC, s.id DESC) AS rn
            FROM {SESSION} s JOIN {GROUP} g ON g.id = s.group_id
            WHERE g.is_active AND s.status IN (%(held)s, %(planned)s) AND {deadline} <= {_now()}
          ) ranked WHERE rn <= %(window_n)s"""
    rows = _fetch(
        f"""
        WITH due AS ({due})
        SELECT d.group_id, COUNT(*), SUM(CASE WHEN EXISTS (
          SELECT 1 FROM {CASUS} c WHERE c.session_id = d.id AND c.booked_at <= d.deadline
        ) THEN 1 ELSE 0 END)
        FROM due d GROUP BY d.group_id
        """,
        _params(now=connection.ops.adapt_datetimefield_value(now), window_n=health.PIPELINE_WINDOW),
    )
    return [(group_id, health.PipelineFigures(int(n), int(on_time))) for group_id, n, on_time in rows]


def pipeline_conditions(now: datetime) -> list[Condition]:
    return [c for group_id, f in pipeline_figures(now) for c in _on(group_id, health.pipeline_verdict(f))]


@dataclass
class ScanResult:
    opened: list[int]
    closed: int
    open_total: int


@transaction.atomic
def alert_scan(*, now: datetime | None = None) -> ScanResult:
    """Evaluate every rule for every active group; open new alerts, close cleared ones, queue e-mails to
    the facilitators of groups with a new alert. A constant number of queries."""
    now = now or timezone.now()
    if _postgresql():
        with connection.cursor() as cursor:
            # For this transaction only: compiling these queries (JIT) costs seconds and saves nothing; the
            # per-session index probes beat hashing all attendance rows (the pages are cached, not random
            # reads); sorts and hashes of 10,000 groups fit in memory.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL random_page_cost = 1.1")
            cursor.execute("SET LOCAL work_mem = '64MB'")
    conditions = {
        c.key: c
        for c in [
            *trend_conditions(),
            *fading_conditions(),
            *quorum_conditions(now),
            *busy_conditions(),
            *pipeline_conditions(now),
        ]
    }
    apply = _apply_postgresql if _postgresql() else _apply_portable
    opened, closed = apply(list(conditions.values()), now)
    # Every condition now has exactly one open alert (it was open already or was just opened).
    return ScanResult(opened=opened, closed=closed, open_total=len(conditions))


# The columns of the scan's temporary table: the alert's own, so their types follow the model.
_CONDITION_FIELDS = ["group", "rule", "subject_key", "user", "session", "detail"]


def _insert_select(model: type[models.Model], given: dict[str, str], params: dict[str, Any]) -> str:
    """``INSERT INTO <table> (<every column>) SELECT <values>`` for ``model``: the SQL expression in
    ``given`` (by attname) for the columns the caller sets, the model field's default (as a parameter,
    added to ``params``) for every other one, so a new column needs no change here. A new column with
    neither a default nor NULL allowed stops the scan with a clear error instead of a failing INSERT."""
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key or (f.db_default is not NOT_PROVIDED and f.attname not in given):
            continue
        columns.append(connection.ops.quote_name(f.column))
        if f.attname in given:
            values.append(given[f.attname])
            continue
        default = f.get_default()
        if default is None and not f.null:
            raise ImproperlyConfigured(f"{model.__name__}.{f.name}: the alert scan needs a default for it")
        name = f"default_{f.column}"
        params[name] = f.get_db_prep_save(default, connection)
        values.append(f"%({name})s")
    unknown = set(given) - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise ImproperlyConfigured(f"{model.__name__} has no column {sorted(unknown)}")
    return f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)}"


def _apply_postgresql(conditions: list[Condition], now: datetime) -> tuple[list[int], int]:
    """Open and close alerts set-based: the conditions are copied into a temporary table (COPY), then one
    UPDATE closes the cleared alerts and one INSERT … SELECT opens the new ones and, in the same statement,
    queues the facilitators' e-mails. Returns (ids of opened alerts that get an e-mail, how many closed)."""
    column = {name: Alert._meta.get_field(name).column for name in _CONDITION_FIELDS}
    listed = ", ".join(column.values())
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE notifications_scan_condition ON COMMIT DROP AS "
            f"SELECT {listed} FROM {ALERT} WITH NO DATA"
        )
        with cursor.copy(f"COPY notifications_scan_condition ({listed}) FROM STDIN") as copy:
            for c in conditions:
                copy.write_row(
                    (c.group_id, c.rule, c.subject_key, c.user_id, c.session_id, json.dumps(c.detail))
                )
        cursor.execute("ANALYZE notifications_scan_condition")
        same = " AND ".join(f"c.{column[n]} = a.{column[n]}" for n in ("group", "rule", "subject_key"))
        cursor.execute(
            f"""
            UPDATE {ALERT} a SET closed_at = %(now)s
            WHERE a.closed_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM notifications_scan_condition c WHERE {same})
            """,
            {"now": now},
        )
        closed = cursor.rowcount
        params: dict[str, Any] = {
            "now": now,
            "kind": Kind.ATTENDANCE_ALERT,
            "pending": Status.PENDING,
            "facilitator": Membership.Role.FACILITATOR,
            "active": Membership.Status.ACTIVE,
            "quorum": Alert.Rule.QUORUM,
        }
        insert_alert = _insert_select(
            Alert,
            {Alert._meta.get_field(n).attname: f"c.{column[n]}" for n in _CONDITION_FIELDS}
            | {"opened_at": "%(now)s"},
            params,
        )
        insert_mail = _insert_select(
            Outbox,
            {
                "kind": "%(kind)s",
                "recipient_id": "m.user_id",
                "subject_key": "'alert:' || o.id",
                "group_id": "o.group_id",
                "alert_id": "o.id",
                "due_at": "%(now)s",
                "status": "%(pending)s",
                "created_at": "%(now)s",
            },
            params,
        )
        # Quorum risk already has its own e-mail (Kind.QUORUM_RISK) to the facilitator: no second one here.
        cursor.execute(
            f"""
            WITH still_open AS MATERIALIZED (
              -- read once (a hash anti-join), not probed per row while this statement inserts into it
              SELECT group_id, rule, subject_key FROM {ALERT} WHERE closed_at IS NULL
            ), opened AS (
              {insert_alert}
              FROM notifications_scan_condition c
              WHERE NOT EXISTS (SELECT 1 FROM still_open a WHERE {same})
              ON CONFLICT DO NOTHING
              RETURNING id, group_id, rule
            ), mailed AS (
              {insert_mail}
              FROM opened o
              JOIN {MEMBERSHIP} m
                ON m.group_id = o.group_id AND m.role = %(facilitator)s AND m.status = %(active)s
              WHERE o.rule <> %(quorum)s
              ON CONFLICT DO NOTHING
              RETURNING 1
            )
            SELECT o.id FROM opened o WHERE o.rule <> %(quorum)s ORDER BY o.id
            """,
            params,
        )
        opened = [pk for (pk,) in cursor.fetchall()]
        # Dropped at commit anyway; dropped now too, for a scan inside a larger transaction (tests).
        cursor.execute("DROP TABLE notifications_scan_condition")
    return opened, closed


def _apply_portable(conditions: list[Condition], now: datetime) -> tuple[list[int], int]:
    """The same with the ORM (other databases than PostgreSQL)."""
    wanted = {c.key for c in conditions}
    current = {
        (group_id, rule, key): pk
        for pk, group_id, rule, key in Alert.objects.filter(closed_at__isnull=True).values_list(
            "pk", "group_id", "rule", "subject_key"
        )
    }
    cleared = [pk for key, pk in current.items() if key not in wanted]
    if cleared:
        Alert.objects.filter(pk__in=cleared).update(closed_at=now)
    Alert.objects.bulk_create(
        [
            Alert(
                group_id=c.group_id,
                rule=c.rule,
                subject_key=c.subject_key,
                user_id=c.user_id,
                session_id=c.session_id,
                detail=c.detail,
                opened_at=now,
            )
            for c in conditions
            if c.key not in current
        ],
        ignore_conflicts=True,
    )
    opened = list(
        Alert.objects.filter(opened_at=now, closed_at__isnull=True)
        .exclude(rule=Alert.Rule.QUORUM)
        .order_by("pk")
        .values_list("pk", "group_id")
    )
    if opened:
        facilitators: dict[int, list[int]] = {}
        for group_id, user_id in Membership.objects.filter(
            group_id__in={g for _, g in opened},
            role=Membership.Role.FACILITATOR,
            status=Membership.Status.ACTIVE,
        ).values_list("group_id", "user_id"):
            facilitators.setdefault(group_id, []).append(user_id)
        Outbox.objects.bulk_create(
            [
                Outbox(
                    kind=Kind.ATTENDANCE_ALERT,
                    recipient_id=user_id,
                    subject_key=f"alert:{pk}",
                    group_id=group_id,
                    alert_id=pk,
                    due_at=now,
                )
                for pk, group_id in opened
                for user_id in facilitators.get(group_id, [])
            ],
            ignore_conflicts=True,
        )
    return [pk for pk, _ in opened], len(cleared)


def describe(alert: Alert) -> str:
    """The alert in words, in the active language (no casus content): the rules module's wording, the same
    as on the dashboard and the health page."""
    name = alert.user.display_name if alert.rule == Alert.Rule.FADING and alert.user_id else ""
    date = (
        health.session_day(alert.session.starts_at)
        if alert.rule == Alert.Rule.QUORUM and alert.session_id
        else ""
    )
    return health.describe(alert.rule, alert.detail or {}, name=name, date=date)


def digest_items_for_admin(user) -> list[dict]:
    alerts = (
        Alert.objects.filter(
            closed_at__isnull=True,
            group__organisation__in=OrganisationAdmin.objects.filter(user=user).values("organisation_id"),
        )
        .select_related("group", "user", "session")
        .order_by("group__name", "opened_at")
    )
    return [{"label": describe(a), "group": a.group.name, "when": ""} for a in alerts]
