"""Reads for the dashboards. Every function runs a fixed number of queries, whatever the number of
sessions, members or groups: per-session figures come precomputed from ``SessionStats``."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from statistics import mean

from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from groups import health
from groups.models import Group, Membership
from groups.permissions import administered_organisation_ids
from reflections.selectors import reflection_closes_at
from sessions.models import RSVP, Attendance, Session

from . import integrations
from .forms import Period
from .models import SessionStats
from .services import session_stats_refresh

UPCOMING = 4  # planned sessions shown in the grid and the table of coming sessions
NOT_YET = "not_yet"
UNREGISTERED = "unregistered"


def facilitated_groups(user) -> QuerySet[Group]:
    return Group.objects.filter(
        memberships__user=user,
        memberships__role=Membership.Role.FACILITATOR,
        memberships__status=Membership.Status.ACTIVE,
    )


def administered_groups(user) -> QuerySet[Group]:
    if user.is_superuser:
        return Group.objects.all()
    return Group.objects.filter(organisation_id__in=administered_organisation_ids(user))


def _stale(session: Session, now: datetime) -> bool:
    if not hasattr(session, "stats"):
        return True
    stats = session.stats
    if stats.updated_at < session.updated_at or stats.status != session.status:
        return True
    # Reflections publish once their window has closed: recompute once after that moment.
    return (
        session.status == Session.Status.HELD
        and stats.reflections is None
        and stats.updated_at < reflection_closes_at(session) <= now
    )


def with_stats(sessions: list[Session]) -> list[Session]:
    """Attach fresh ``stats`` to sessions loaded with ``select_related("stats")``: figures that are
    missing or older than the session are recomputed in one batch (a fixed number of queries)."""
    now = timezone.now()
    stale = [s.pk for s in sessions if _stale(s, now)]
    if stale:
        session_stats_refresh(session_ids=stale)
        fresh = SessionStats.objects.in_bulk(stale)
        for session in sessions:
            if session.pk in fresh:
                session.stats = fresh[session.pk]
    for session in sessions:
        session.reflection_round_open_until = _round_open_until(session, now)
    return sessions


def _round_open_until(session: Session, now: datetime) -> datetime | None:
    """When a held session's reflection round closes, while it is still open and nothing is published:
    its scores are then withheld because the round runs, not for want of answers."""
    if session.status != Session.Status.HELD or getattr(session.stats, "reflections", None) is not None:
        return None
    closes_at = reflection_closes_at(session)
    return closes_at if closes_at > now else None


# --- overview of many groups (facilitator's groups, an organisation's groups) -------------------------


@dataclass
class GroupSummary:
    group: Group
    held: int = 0
    mean_rate: float | None = None
    recent_rate: float | None = None  # mean of the last 3 held sessions
    previous_rate: float | None = None  # mean of the 3 held sessions before those
    last_held: datetime | None = None
    next_session: datetime | None = None
    open_alerts: int = 0

    @property
    def trend(self) -> float | None:
        """Change in percentage points between the last 3 and the 3 before (negative: declining)."""
        if self.recent_rate is None or self.previous_rate is None:
            return None
        return round((self.recent_rate - self.previous_rate) * 100, 1)

    @property
    def mean_pct(self) -> int | None:
        return None if self.mean_rate is None else round(self.mean_rate * 100)

    @property
    def recent_pct(self) -> int | None:
        return None if self.recent_rate is None else round(self.recent_rate * 100)


SORTS = {
    "name": (lambda s: s.group.name.lower(), False),
    "trend": (lambda s: (s.trend is None, s.trend if s.trend is not None else 0), False),
    "last": (lambda s: (s.last_held is None, -(s.last_held.timestamp() if s.last_held else 0)), False),
    "alerts": (lambda s: -s.open_alerts, False),
    "rate": (lambda s: (s.mean_rate is None, s.mean_rate or 0), False),
}


def groups_overview(groups: QuerySet[Group], period: Period, *, sort: str = "name") -> list[GroupSummary]:
    """One summary per group, in four queries (plus one for alerts when that app is installed)."""
    summaries = {g.pk: GroupSummary(group=g) for g in groups.select_related("organisation").order_by("name")}
    ids = list(summaries)
    if not ids:
        return []
    held = SessionStats.objects.filter(group_id__in=ids, status=Session.Status.HELD)
    in_period = Q(starts_at__lt=period.end)
    if period.start:
        in_period &= Q(starts_at__gte=period.start)
    for row in (
        held.values("group_id")
        .annotate(
            n=Count("pk", filter=in_period),
            mean=Avg("attendance_rate", filter=in_period),
            last=Max("starts_at"),
        )
        .order_by()
    ):
        summary = summaries[row["group_id"]]
        summary.held, summary.mean_rate, summary.last_held = row["n"], row["mean"], row["last"]
    recent = defaultdict(list)
    for row in (
        held.filter(attendance_rate__isnull=False, starts_at__lt=period.end)
        .annotate(rn=Window(RowNumber(), partition_by=[F("group_id")], order_by=F("starts_at").desc()))
        .filter(rn__lte=6)
        .values_list("group_id", "rn", "attendance_rate")
    ):
        recent[row[0]].append((row[1], row[2]))
    for group_id, rows in recent.items():
        rates = [rate for _, rate in sorted(rows)]
        summaries[group_id].recent_rate = mean(rates[:3]) if len(rates) >= 3 else None
        summaries[group_id].previous_rate = mean(rates[3:6]) if len(rates) >= 6 else None
    for group_id, first in (
        Session.objects.filter(group_id__in=ids, status=Session.Status.PLANNED, starts_at__gte=timezone.now())
        .values("group_id")
        .annotate(first=Min("starts_at"))
        .order_by()
        .values_list("group_id", "first")
    ):
        summaries[group_id].next_session = first
    for group_id, count in integrations.open_alert_counts(ids).items():
        summaries[group_id].open_alerts = count
    key, reverse = SORTS.get(sort, SORTS["name"])
    return sorted(summaries.values(), key=key, reverse=reverse)


# --- one group ----------------------------------------------------------------------------------------


@dataclass
class Cell:
    status: str  # an Attendance.Status, NOT_YET or UNREGISTERED, or "" (not a member then)
    rsvp: str = ""
    symbol: str = ""
    label: str = ""

    @property
    def css(self) -> str:
        return f"cell-{self.status or 'none'}"

    @cached_property
    def html(self) -> str:
        """The grid cell, rendered once per distinct cell (a 2-year grid has hundreds of cells)."""
        return format_html(
            '<td class="{}" title="{}"><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></td>',
            self.css,
            self.label,
            self.symbol,
            self.label,
        )


CELLS = {
    Attendance.Status.PRESENT: ("✓", Attendance.Status.PRESENT.label),
    Attendance.Status.LATE: ("L", Attendance.Status.LATE.label),
    Attendance.Status.EXCUSED: ("A", Attendance.Status.EXCUSED.label),
    Attendance.Status.ABSENT: ("✗", Attendance.Status.ABSENT.label),
    NOT_YET: ("·", _("nog niet")),
    UNREGISTERED: ("?", _("niet geregistreerd")),
    "": ("", _("geen lid")),
}
RSVP_CELLS = {
    RSVP.Answer.ATTEND: ("+", _("komt")),
    RSVP.Answer.DECLINE: ("−", _("kan niet")),
    RSVP.Answer.MAYBE: ("?", _("misschien")),
}


def _cell_maker():
    """Cells are few distinct values: build each once per request (translated once), then share it."""
    made: dict[tuple[str, str], Cell] = {}

    def cell(status: str, rsvp: str = "") -> Cell:
        key = (status, rsvp)
        if key not in made:
            symbol, label = CELLS.get(status, CELLS[""])
            label = str(label)
            if status == NOT_YET and rsvp in RSVP_CELLS:
                symbol, answer = RSVP_CELLS[rsvp]
                label = f"{label}: {answer}"
            made[key] = Cell(status=status, rsvp=rsvp, symbol=symbol, label=label)
        return made[key]

    return cell


@dataclass
class MemberRow:
    membership: Membership
    cells: list[Cell] = field(default_factory=list)
    attended: int = 0
    missed: int = 0
    fading: bool = False

    @property
    def rate_pct(self) -> int | None:
        total = self.attended + self.missed
        return round(self.attended * 100 / total) if total else None


@dataclass
class GroupDashboard:
    group: Group
    period: Period
    sessions: list[Session]  # held/planned sessions in the period, oldest first
    upcoming: list[Session]
    rows: list[MemberRow]
    baseline: list[SessionStats]  # the group's first 6 held sessions
    queued: int = 0  # submitted casussen waiting for a session
    # The group's attendance verdicts (groups.health) now, whatever the period: the same as the health
    # page and the alert e-mails.
    verdicts: list = field(default_factory=list)

    @cached_property
    def held(self) -> list[Session]:
        return [s for s in self.sessions if s.status == Session.Status.HELD]

    @property
    def columns(self) -> list[Session]:
        return self.sessions + self.upcoming

    @property
    def mean_rate(self) -> float | None:
        rates = [s.stats.attendance_rate for s in self.held if s.stats.attendance_rate is not None]
        return mean(rates) if rates else None

    @property
    def net_minutes(self) -> int:
        return sum(s.stats.net_minutes or 0 for s in self.held)

    @property
    def declines(self) -> dict[str, int]:
        totals = dict.fromkeys(RSVP.Reason.values, 0)
        for s in self.held:
            for reason in RSVP.Reason.values:
                totals[reason] += getattr(s.stats, f"declines_{reason}")
        return totals

    @property
    def busy_share(self) -> int | None:
        declines = self.declines
        total = sum(declines.values())
        return round(declines[RSVP.Reason.BUSY] * 100 / total) if total else None

    @property
    def fading(self) -> list[MemberRow]:
        return [row for row in self.rows if row.fading]


def group_dashboard(group: Group, period: Period) -> GroupDashboard:
    now = timezone.now()
    in_period = Q(starts_at__lt=min(period.end, now))
    if period.start:
        in_period &= Q(starts_at__gte=period.start)
    base = Session.objects.filter(group=group).select_related("stats", "method", "facilitator")
    sessions = with_stats(list(base.filter(in_period).exclude(status=Session.Status.CANCELLED)))
    upcoming = list(
        base.filter(status=Session.Status.PLANNED, starts_at__gte=now)
        .prefetch_related("presenters__user")
        .order_by("starts_at")[:UPCOMING]
    )
    with_stats(upcoming)
    for session in sessions + upcoming:
        session.group = group  # the quorum falls back to the group's: no query per session
        local = timezone.localtime(session.starts_at)
        session.day = local.strftime("%d-%m-%Y")
        session.day_short, session.year = f"{local.day}-{local.month}", local.year
    ready = integrations.ready_casus_counts([s.pk for s in upcoming])
    for session in upcoming:
        # A fact per session, not the pipeline verdict (that one is groups.health's, in ``verdicts``).
        session.casus_booked = ready.get(session.pk, 0) > 0
    memberships = list(
        Membership.objects.filter(group=group)
        .filter(Q(status=Membership.Status.ACTIVE) | Q(left_at__gte=period.start or group.created_at))
        .select_related("user")
        .order_by("-role", "user__display_name")
    )
    held_ids = [s.pk for s in sessions if s.status == Session.Status.HELD]
    attendance = {
        (session_id, user_id): status
        for session_id, user_id, status in Attendance.objects.filter(session_id__in=held_ids).values_list(
            "session_id", "user_id", "status"
        )
    }
    rsvps = {
        (session_id, user_id): answer
        for session_id, user_id, answer in RSVP.objects.filter(
            session_id__in=[s.pk for s in upcoming]
        ).values_list("session_id", "user_id", "answer")
    }
    verdicts = integrations.health_verdicts(group)
    fading = {v.user_id for v in verdicts if v.rule == health.FADING and v.on}
    cell = _cell_maker()
    rows = []
    for membership in memberships:
        row = MemberRow(membership=membership)
        for session in sessions:
            if session.status == Session.Status.HELD:
                status = attendance.get((session.pk, membership.user_id), "")
            else:
                status = UNREGISTERED
            row.cells.append(cell(status))
            if status in (Attendance.Status.PRESENT, Attendance.Status.LATE):
                row.attended += 1
            elif status in (Attendance.Status.EXCUSED, Attendance.Status.ABSENT):
                row.missed += 1
        for session in upcoming:
            row.cells.append(cell(NOT_YET, rsvps.get((session.pk, membership.user_id), "")))
        row.fading = membership.is_active and membership.user_id in fading
        rows.append(row)
    baseline = list(
        SessionStats.objects.filter(
            group=group, status=Session.Status.HELD, attendance_rate__isnull=False
        ).order_by("starts_at")[:6]
    )
    return GroupDashboard(
        group=group,
        period=period,
        sessions=sessions,
        upcoming=upcoming,
        rows=rows,
        baseline=baseline,
        queued=integrations.queued_casus_count(group.pk),
        verdicts=verdicts,
    )
