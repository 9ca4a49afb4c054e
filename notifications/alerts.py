"""The daily attendance-drop scan: every rule is one set-based SQL query over all groups (window functions
and aggregation in the database), so the number of queries does not depend on the number of groups.

An alert opens once when its condition starts (a partial unique constraint allows one open alert per
group, rule and subject), stays open without repeating while the condition holds, and is closed when it
clears. Closed alerts are kept as history for the dashboard.

Rules (thresholds are group settings, see ``Group.alert_*``):
- trend: mean attendance rate of the last 3 held sessions below ``alert_trend_absolute`` %, or (with at least
  9 held sessions, so the windows do not overlap) below ``alert_trend_relative`` % of the mean over the
  group's first 6 held sessions (its baseline);
- fading: an active member missed the last ``alert_fading_in_a_row`` held sessions, or
  ``alert_fading_of_last_five`` of the last 5 (absent or excused);
- quorum: a planned session within ``alert_quorum_days`` has fewer "attend" answers than its quorum;
- busy: over the last 5 held sessions, "te druk" is the most given decline reason (at least twice, and
  more often than any other reason);
- pipeline: the last 2 sessions (held or planned) whose preparation deadline (``casus_prep_days`` before the
  start) has passed had no casus booked onto them by that deadline (``Casus.booked_at``, as
  ``casussen.selectors.sessions_with_casus_ready`` counts it).
"""

import json
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casussen.models import Casus
from groups.models import Group, Membership, OrganisationAdmin
from sessions.models import RSVP, Attendance, Session

from .models import Alert, Kind, Outbox, Status

T = {
    "session": Session._meta.db_table,
    "attendance": Attendance._meta.db_table,
    "rsvp": RSVP._meta.db_table,
    "casus": Casus._meta.db_table,
    "group": Group._meta.db_table,
    "membership": Membership._meta.db_table,
    "alert": Alert._meta.db_table,
    "outbox": Outbox._meta.db_table,
}
MISSED = "('excused', 'absent')"


def _minus_days(column: str, days_column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} - {days_column} * INTERVAL '1 day')"
    return f"datetime({column}, '-' || {days_column} || ' days')"


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


# On PostgreSQL the windows of sessions per group ("the last 5 held", "the first 6 held") come from a LATERAL
# index scan on (group_id, starts_at) per group: a few rows each, instead of ranking every held session of
# every group (10,000 groups × two years is 520,000 sessions). Same rows, same results as the portable
# window-function SQL below each (kept for SQLite; ``tests/notifications/test_alerts.py`` compares both).
_HELD_WINDOW = """
  SELECT g.id AS group_id, x.id,
    ROW_NUMBER() OVER (PARTITION BY g.id ORDER BY x.starts_at DESC, x.id DESC) AS rn
  FROM {{group}} g CROSS JOIN LATERAL (
    SELECT s.id, s.starts_at FROM {{session}} s WHERE s.group_id = g.id AND s.status = 'held'
    ORDER BY s.starts_at {order}, s.id {order} LIMIT {limit}
  ) x
  WHERE g.is_active
"""
PG_TREND = f"""
WITH recent AS ({_HELD_WINDOW.format(order="DESC", limit=3)}),
first AS ({_HELD_WINDOW.format(order="ASC", limit=6)}),
parts AS (SELECT group_id, id, 'recent' AS part FROM recent UNION ALL SELECT group_id, id, 'base' FROM first),
rates AS (
  SELECT p.group_id, p.part,
    1.0 * SUM(CASE WHEN a.status IN ('present', 'late') THEN 1 ELSE 0 END) / COUNT(a.id) AS rate
  FROM parts p JOIN {{attendance}} a ON a.session_id = p.id
  GROUP BY p.group_id, p.id, p.part
),
held AS (SELECT s.group_id, COUNT(*) AS n FROM {{session}} s WHERE s.status = 'held' GROUP BY s.group_id)
SELECT x.group_id, x.baseline, x.recent, h.n, g.alert_trend_relative, g.alert_trend_absolute
FROM (
  SELECT group_id, AVG(CASE WHEN part = 'base' THEN rate END) AS baseline,
    AVG(CASE WHEN part = 'recent' THEN rate END) AS recent
  FROM rates GROUP BY group_id
) x JOIN {{group}} g ON g.id = x.group_id JOIN held h ON h.group_id = x.group_id
"""
# Per active member, over the last five held sessions of each group ("recent": group_id, id, rn 1 = latest).
_FADING_BY_MEMBER = f"""
SELECT r.group_id, a.user_id,
  SUM(CASE WHEN a.status IN {MISSED} THEN 1 ELSE 0 END) AS missed,
  SUM(CASE WHEN a.status IN {MISSED} AND r.rn <= g.alert_fading_in_a_row THEN 1 ELSE 0 END),
  COUNT(*), g.alert_fading_in_a_row, g.alert_fading_of_last_five
FROM recent r
JOIN {{attendance}} a ON a.session_id = r.id
JOIN {{group}} g ON g.id = r.group_id
JOIN {{membership}} m ON m.group_id = r.group_id AND m.user_id = a.user_id AND m.status = 'active'
WHERE r.rn <= 5
GROUP BY r.group_id, a.user_id, g.alert_fading_in_a_row, g.alert_fading_of_last_five
"""
PG_FADING = f"WITH recent AS ({_HELD_WINDOW.format(order='DESC', limit=5)}){_FADING_BY_MEMBER}"
PG_BUSY = f"""
WITH recent AS ({_HELD_WINDOW.format(order="DESC", limit=5)})
SELECT r.group_id, v.decline_reason, COUNT(*)
FROM recent r JOIN {{rsvp}} v ON v.session_id = r.id
WHERE v.answer = 'decline'
GROUP BY r.group_id, v.decline_reason
"""
PG_PIPELINE = """
WITH recent AS (
  SELECT g.id AS group_id, x.id, x.deadline
  FROM {group} g CROSS JOIN LATERAL (
    SELECT s.id, (s.starts_at - g.casus_prep_days * INTERVAL '1 day') AS deadline FROM {session} s
    WHERE s.group_id = g.id AND s.status IN ('held', 'planned')
      AND (s.starts_at - g.casus_prep_days * INTERVAL '1 day') <= %s
    ORDER BY s.starts_at DESC, s.id DESC LIMIT 2
  ) x
  WHERE g.is_active
)
SELECT r.group_id FROM recent r
GROUP BY r.group_id
HAVING COUNT(*) = 2 AND SUM(CASE WHEN EXISTS (
  SELECT 1 FROM {casus} c WHERE c.session_id = r.id AND c.booked_at <= r.deadline
) THEN 1 ELSE 0 END) = 0
"""


def _fetch(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(**T), params)
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


def trend_conditions() -> list[Condition]:
    rows = _fetch(
        PG_TREND
        if _postgresql()
        else """
        WITH ranked AS (
          SELECT s.id, s.group_id,
            ROW_NUMBER() OVER (PARTITION BY s.group_id ORDER BY s.starts_at, s.id) AS n_asc,
            ROW_NUMBER() OVER (PARTITION BY s.group_id ORDER BY s.starts_at DESC, s.id DESC) AS n_desc
          FROM {session} s JOIN {group} g ON g.id = s.group_id
          WHERE s.status = 'held' AND g.is_active
        ), rates AS (
          SELECT r.group_id, r.n_asc, r.n_desc,
            1.0 * SUM(CASE WHEN a.status IN ('present', 'late') THEN 1 ELSE 0 END) / COUNT(a.id) AS rate
          FROM ranked r JOIN {attendance} a ON a.session_id = r.id
          WHERE r.n_asc <= 6 OR r.n_desc <= 3
          GROUP BY r.id, r.group_id, r.n_asc, r.n_desc
        )
        SELECT x.group_id, x.baseline, x.recent, x.held, g.alert_trend_relative, g.alert_trend_absolute
        FROM (
          SELECT group_id,
            AVG(CASE WHEN n_asc <= 6 THEN rate END) AS baseline,
            AVG(CASE WHEN n_desc <= 3 THEN rate END) AS recent,
            MAX(n_asc + n_desc - 1) AS held
          FROM rates GROUP BY group_id
        ) x JOIN {group} g ON g.id = x.group_id
        """
    )
    found = []
    for group_id, baseline, recent, held, relative, absolute in rows:
        if recent is None or held < 3:
            continue
        recent, baseline = float(recent), float(baseline or 0)
        below_absolute = recent * 100 < absolute
        below_relative = held >= 9 and recent * 100 < baseline * relative
        if below_absolute or below_relative:
            detail = {"recent": round(recent * 100), "baseline": round(baseline * 100), "held": held}
            found.append(Condition(group_id, Alert.Rule.TREND, detail=detail))
    return found


def fading_conditions() -> list[Condition]:
    rows = _fetch(
        PG_FADING
        if _postgresql()
        else """
        WITH recent AS (
          SELECT s.id, s.group_id,
            ROW_NUMBER() OVER (PARTITION BY s.group_id ORDER BY s.starts_at DESC, s.id DESC) AS rn
          FROM {session} s JOIN {group} g ON g.id = s.group_id
          WHERE s.status = 'held' AND g.is_active
        )"""
        + _FADING_BY_MEMBER
    )
    return [
        Condition(
            group_id,
            Alert.Rule.FADING,
            subject_key=f"user:{user_id}",
            user_id=user_id,
            detail={"missed": missed, "of": counted, "in_a_row": in_a_row},
        )
        for group_id, user_id, missed, row_missed, counted, in_a_row, of_five in rows
        if missed >= of_five or row_missed >= in_a_row
    ]


def quorum_conditions(now: datetime) -> list[Condition]:
    rows = _fetch(
        f"""
        SELECT s.id, s.group_id, COALESCE(s.quorum_override, g.quorum),
          (SELECT COUNT(*) FROM {{rsvp}} v WHERE v.session_id = s.id AND v.answer = 'attend')
        FROM {{session}} s JOIN {{group}} g ON g.id = s.group_id
        WHERE g.is_active AND s.status = 'planned' AND s.starts_at > %s
          AND {_minus_days("s.starts_at", "g.alert_quorum_days")} <= %s
        """,
        [now, now],
    )
    return [
        Condition(
            group_id,
            Alert.Rule.QUORUM,
            subject_key=f"session:{session_id}",
            session_id=session_id,
            detail={"attending": attending, "quorum": quorum},
        )
        for session_id, group_id, quorum, attending in rows
        if attending < quorum
    ]


def busy_conditions() -> list[Condition]:
    rows = _fetch(
        PG_BUSY
        if _postgresql()
        else """
        WITH recent AS (
          SELECT s.id, s.group_id,
            ROW_NUMBER() OVER (PARTITION BY s.group_id ORDER BY s.starts_at DESC, s.id DESC) AS rn
          FROM {session} s JOIN {group} g ON g.id = s.group_id
          WHERE s.status = 'held' AND g.is_active
        )
        SELECT r.group_id, v.decline_reason, COUNT(*)
        FROM recent r JOIN {rsvp} v ON v.session_id = r.id
        WHERE r.rn <= 5 AND v.answer = 'decline'
        GROUP BY r.group_id, v.decline_reason
        """
    )
    per_group: dict[int, dict[str, int]] = {}
    for group_id, reason, count in rows:
        per_group.setdefault(group_id, {})[reason] = count
    found = []
    for group_id, counts in per_group.items():
        busy = counts.get(RSVP.Reason.BUSY, 0)
        others = max((n for reason, n in counts.items() if reason != RSVP.Reason.BUSY), default=0)
        if busy >= 2 and busy > others:
            found.append(
                Condition(group_id, Alert.Rule.BUSY, detail={"busy": busy, "declines": sum(counts.values())})
            )
    return found


def pipeline_conditions(now: datetime) -> list[Condition]:
    deadline = _minus_days("s.starts_at", "g.casus_prep_days")
    rows = _fetch(
        PG_PIPELINE
        if _postgresql()
        else f"""
        WITH recent AS (
          SELECT s.id, s.group_id, {deadline} AS deadline,
            ROW_NUMBER() OVER (PARTITION BY s.group_id ORDER BY s.starts_at DESC, s.id DESC) AS rn
          FROM {{session}} s JOIN {{group}} g ON g.id = s.group_id
          WHERE g.is_active AND s.status IN ('held', 'planned') AND {deadline} <= %s
        )
        SELECT r.group_id FROM recent r
        WHERE r.rn <= 2
        GROUP BY r.group_id
        HAVING COUNT(*) = 2 AND SUM(CASE WHEN EXISTS (
          SELECT 1 FROM {{casus}} c WHERE c.session_id = r.id AND c.booked_at <= r.deadline
        ) THEN 1 ELSE 0 END) = 0
        """,
        [now],
    )
    return [Condition(group_id, Alert.Rule.PIPELINE, detail={"sessions": 2}) for (group_id,) in rows]


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


def _apply_postgresql(conditions: list[Condition], now: datetime) -> tuple[list[int], int]:
    """Open and close alerts set-based: the conditions are copied into a temporary table (COPY), then one
    UPDATE closes the cleared alerts and one INSERT … SELECT opens the new ones and, in the same statement,
    queues the facilitators' e-mails. Returns (ids of opened alerts that get an e-mail, how many closed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE notifications_scan_condition (group_id integer, rule varchar(12), "
            "subject_key varchar(32), user_id integer, session_id integer, detail jsonb) ON COMMIT DROP"
        )
        with cursor.copy(
            "COPY notifications_scan_condition (group_id, rule, subject_key, user_id, session_id, detail) "
            "FROM STDIN"
        ) as copy:
            for c in conditions:
                copy.write_row(
                    (c.group_id, c.rule, c.subject_key, c.user_id, c.session_id, json.dumps(c.detail))
                )
        cursor.execute("ANALYZE notifications_scan_condition")
        cursor.execute(
            """
            UPDATE {alert} a SET closed_at = %s
            WHERE a.closed_at IS NULL AND NOT EXISTS (
              SELECT 1 FROM notifications_scan_condition c
              WHERE c.group_id = a.group_id AND c.rule = a.rule AND c.subject_key = a.subject_key
            )
            """.format(**T),
            [now],
        )
        closed = cursor.rowcount
        # Quorum risk already has its own e-mail (Kind.QUORUM_RISK) to the facilitator: no second one here.
        cursor.execute(
            """
            WITH still_open AS MATERIALIZED (
              -- read once (a hash anti-join), not probed per row while this statement inserts into it
              SELECT group_id, rule, subject_key FROM {alert} WHERE closed_at IS NULL
            ), opened AS (
              INSERT INTO {alert} (group_id, rule, subject_key, user_id, session_id, detail, opened_at)
              SELECT c.group_id, c.rule, c.subject_key, c.user_id, c.session_id, c.detail, %(now)s
              FROM notifications_scan_condition c
              WHERE NOT EXISTS (
                SELECT 1 FROM still_open a
                WHERE a.group_id = c.group_id AND a.rule = c.rule AND a.subject_key = c.subject_key
              )
              ON CONFLICT DO NOTHING
              RETURNING id, group_id, rule
            ), mailed AS (
              INSERT INTO {outbox} (kind, recipient_id, subject_key, group_id, alert_id, due_at, status,
                                    attempts, last_error, created_at)
              SELECT %(kind)s, m.user_id, 'alert:' || o.id, o.group_id, o.id, %(now)s, %(pending)s, 0, '',
                     %(now)s
              FROM opened o
              JOIN {membership} m
                ON m.group_id = o.group_id AND m.role = %(facilitator)s AND m.status = %(active)s
              WHERE o.rule <> %(quorum)s
              ON CONFLICT DO NOTHING
              RETURNING 1
            )
            SELECT o.id FROM opened o WHERE o.rule <> %(quorum)s ORDER BY o.id
            """.format(**T),
            {
                "now": now,
                "kind": Kind.ATTENDANCE_ALERT,
                "pending": Status.PENDING,
                "facilitator": Membership.Role.FACILITATOR,
                "active": Membership.Status.ACTIVE,
                "quorum": Alert.Rule.QUORUM,
            },
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
    """The alert in words, in the active language (no casus content)."""
    d = alert.detail or {}
    match alert.rule:
        case Alert.Rule.TREND:
            return _(
                "De gemiddelde aanwezigheid van de laatste 3 bijeenkomsten is %(recent)s%% "
                "(de eerste 6 bijeenkomsten: %(baseline)s%%)."
            ) % {"recent": d.get("recent"), "baseline": d.get("baseline")}
        case Alert.Rule.FADING:
            name = alert.user.display_name if alert.user_id else ""
            return _("%(name)s heeft %(missed)s van de laatste %(of)s bijeenkomsten gemist.") % {
                "name": name,
                "missed": d.get("missed"),
                "of": d.get("of"),
            }
        case Alert.Rule.QUORUM:
            return _("Er hebben zich %(attending)s deelnemers aangemeld; het quorum is %(quorum)s.") % d
        case Alert.Rule.BUSY:
            return (
                _(
                    "'Te druk' is de meest gegeven afmeldreden over de laatste 5 bijeenkomsten "
                    "(%(busy)s van de %(declines)s afmeldingen)."
                )
                % d
            )
        case Alert.Rule.PIPELINE:
            return _("De laatste 2 bijeenkomsten hadden bij de voorbereidingstermijn nog geen casus.")
    return alert.get_rule_display()


def digest_items_for_admin(user) -> list[dict]:
    alerts = (
        Alert.objects.filter(
            closed_at__isnull=True,
            group__organisation__in=OrganisationAdmin.objects.filter(user=user).values("organisation_id"),
        )
        .select_related("group", "user")
        .order_by("group__name", "opened_at")
    )
    return [{"label": describe(a), "group": a.group.name, "when": ""} for a in alerts]
