"""The schedule generator: turns a group's recurrence rule into ``Session`` rows for the horizon.

The rule runs in *local wall-clock time* (naive datetimes in the schedule's time zone), and only then is
each occurrence given its zone and converted to UTC. So a 14:00 session stays at 14:00 local time across
DST changes, while its UTC start shifts by an hour. Each occurrence lasts ``duration_minutes`` real
minutes.

Twice a year a wall-clock start may not be a plain time (``sessions/wallclock.py``). The generator cannot
ask, so it always reads such a start the way RFC 5545 (3.3.5) tells calendar clients to read it:
- a start the clock skips (02:30 on the last Sunday of March in Europe/Amsterdam) is read with the offset
  from before the gap, so that session moves on by the gap's length (03:30) and keeps its duration;
- a start that happens twice (02:30 on the last Sunday of October) is the first one, still summer time.
The schedule form tells the person which occurrences in the horizon this concerns (``Occurrence.notice``).
The recurrence_id is the instant so read, the same on every run.

Idempotent: each occurrence is identified by ``Session.recurrence_id`` (the UTC start the rule gave it),
unique per group in the database. Running the generator twice, or concurrently, creates nothing twice.
A rescheduled occurrence keeps its ``recurrence_id``, so regenerating does not undo the reschedule.

After a rule change, future planned sessions that no longer fit the rule are cancelled (reason
"rooster gewijzigd", ``cancelled_by_schedule``), never deleted: every member got an invite for them the
moment they were created and may have them in the calendar feed, so the cancellation (METHOD:CANCEL,
STATUS:CANCELLED in the feed) is what removes them from their calendars. When a later rule change makes
such a session fit again, it is restored (planned again, SEQUENCE up, announced as changed). Sessions a
person cancelled stay cancelled.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Membership

from . import wallclock
from .models import Schedule, Session
from .signals import session_cancelled, session_planned_or_changed

logger = logging.getLogger(__name__)

ALLOWED_FREQUENCIES = {DAILY, WEEKLY, MONTHLY, YEARLY}
MAX_OCCURRENCES = 120  # within one horizon: a rule that yields more is surely a mistake
RULE_CHANGED_REASON = _("Het rooster van de groep is gewijzigd.")


class RuleError(ValueError):
    """A recurrence rule that cannot be used; the message is translated and fit for a form error."""


def parse_rule(rule: str, *, dtstart: datetime):
    """The dateutil rule for an RRULE string (with or without the ``RRULE:`` prefix), or RuleError."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text:
        raise RuleError(_("Vul een herhalingsregel in."))
    if any(part in text.upper() for part in ("DTSTART", "\n", "EXDATE", "RDATE")):
        raise RuleError(_("Alleen de regel zelf (FREQ=...), zonder DTSTART, EXDATE of RDATE."))
    try:
        parsed = rrulestr(text, dtstart=dtstart, forceset=False)
    except (ValueError, TypeError) as error:
        raise RuleError(_("Dit is geen geldige herhalingsregel (RRULE).")) from error
    if getattr(parsed, "_freq", None) not in ALLOWED_FREQUENCIES:
        raise RuleError(_("Kies een herhaling per dag, week, maand of jaar."))
    if parsed._until is not None and parsed._until.tzinfo is not None:
        parsed = parsed.replace(until=parsed._until.astimezone(dtstart.tzinfo or UTC).replace(tzinfo=None))
    return parsed


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise RuleError(_("Onbekende tijdzone.")) from error


def exception_dates(schedule: Schedule) -> set[date]:
    dates = set()
    for value in schedule.exception_dates or []:
        try:
            dates.add(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return dates


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    local_start: datetime | None = None  # naive, the wall-clock start the rule gave
    moved: bool = False  # the rule's start falls in a DST gap: moved on by the gap's length
    ambiguous: bool = False  # the rule's start happens twice that day: the first one (summer time)

    def notice(self, tz: ZoneInfo) -> str | None:
        """What a person should be told about this occurrence's start, if anything (translated)."""
        if self.local_start is None:
            return None
        if self.moved:
            return wallclock.moved_message(self.local_start, tz)
        if self.ambiguous:
            return wallclock.first_occurrence_message(self.local_start, tz)
        return None


def occurrences(schedule: Schedule, *, until: datetime, since: datetime | None = None) -> list[Occurrence]:
    """The rule's occurrences (UTC) with starts in [since, until], skipping exception dates."""
    if not (schedule.rrule and schedule.first_date and schedule.start_time):
        return []
    tz = zone(schedule.timezone)
    local_start = datetime.combine(schedule.first_date, schedule.start_time)  # naive local wall clock
    rule = parse_rule(schedule.rrule, dtstart=local_start)
    skip = exception_dates(schedule)
    duration = timedelta(minutes=schedule.duration_minutes)
    local_until = until.astimezone(tz).replace(tzinfo=None)
    local_since = since.astimezone(tz).replace(tzinfo=None) if since else local_start
    result = []
    for naive in rule.between(local_since, local_until, inc=True):
        if naive.date() in skip:
            continue
        # A start the clock skips or shows twice is read as RFC 5545 says (see the module docstring).
        start = wallclock.rfc5545_instant(naive, tz)
        # The length is what was typed, in real minutes: also a session across the night of a DST change
        # lasts duration_minutes (its start keeps the wall clock from week to week all the same).
        result.append(
            Occurrence(
                starts_at=start.instant,
                ends_at=start.instant + duration,
                local_start=naive,
                moved=start.moved,
                ambiguous=start.ambiguous,
            )
        )
        if len(result) > MAX_OCCURRENCES:
            raise RuleError(_("Deze regel levert te veel bijeenkomsten op binnen de planningshorizon."))
    return result


def horizon_end(schedule: Schedule, now: datetime) -> datetime:
    return now + relativedelta(months=schedule.horizon_months)


def default_facilitator_id(group_id: int) -> int | None:
    return (
        Membership.objects.filter(
            group_id=group_id, role=Membership.Role.FACILITATOR, status=Membership.Status.ACTIVE
        )
        .order_by("joined_at", "pk")
        .values_list("user_id", flat=True)
        .first()
    )


@dataclass
class GenerateResult:
    created: list[Session]
    cancelled: list[Session]
    restored: list[Session]


@transaction.atomic
def schedule_generate(*, schedule: Schedule, now: datetime | None = None) -> GenerateResult:
    """Create the missing sessions of the schedule up to its horizon, cancel future planned ones that no
    longer fit and restore future ones a rule change cancelled that fit again. Safe to run any number of
    times, also concurrently (the unique constraint decides)."""
    now = now or timezone.now()
    schedule = Schedule.objects.select_for_update().select_related("group").get(pk=schedule.pk)
    group = schedule.group
    end = horizon_end(schedule, now)
    future = list(
        Session.objects.filter(group=group, recurrence_id__isnull=False, recurrence_id__gt=now)
        .filter(
            Q(status=Session.Status.PLANNED) | Q(status=Session.Status.CANCELLED, cancelled_by_schedule=True)
        )
        .order_by("recurrence_id")
    )
    # Check sessions beyond the horizon too (the horizon may have shrunk): they stay if they still fit.
    latest = max([end, *(s.recurrence_id for s in future)])
    wanted = {o.starts_at: o for o in occurrences(schedule, since=now, until=latest)}
    existing_ids = set(
        Session.objects.filter(group=group, recurrence_id__in=list(wanted)).values_list(
            "recurrence_id", flat=True
        )
    )

    created = []
    facilitator_id = default_facilitator_id(group.pk) if group.is_active else None
    for starts_at, occurrence in sorted(wanted.items()):
        if starts_at > end or starts_at in existing_ids or not group.is_active:
            continue
        session, was_created = Session.objects.get_or_create(
            group=group,
            recurrence_id=starts_at,
            defaults={
                "starts_at": occurrence.starts_at,
                "ends_at": occurrence.ends_at,
                "location": group.default_location,
                "online_link": group.default_online_link,
                "method": schedule.default_method,
                "facilitator_id": facilitator_id,
            },
        )
        if was_created:
            created.append(session)
            session_planned_or_changed.send(sender=Session, session=session, created=True, changed=set())

    cancelled, restored = [], []
    fields = ["status", "cancellation_reason", "cancelled_by_schedule", "sequence", "updated_at"]
    for session in future:
        fits = session.recurrence_id in wanted
        if session.status == Session.Status.PLANNED and not fits:
            session.status = Session.Status.CANCELLED
            session.cancellation_reason = str(RULE_CHANGED_REASON)
            session.cancelled_by_schedule = True
            session.sequence += 1
            session.save(update_fields=fields)
            cancelled.append(session)
            session_cancelled.send(sender=Session, session=session, reason=session.cancellation_reason)
        elif session.status == Session.Status.CANCELLED and fits and group.is_active:
            session.status = Session.Status.PLANNED
            session.cancellation_reason = ""
            session.cancelled_by_schedule = False
            session.sequence += 1
            session.save(update_fields=fields)
            restored.append(session)
            session_planned_or_changed.send(
                sender=Session, session=session, created=False, changed={"status"}
            )
    return GenerateResult(created=created, cancelled=cancelled, restored=restored)


def schedule_generate_all(*, now: datetime | None = None) -> int:
    """The daily run (Celery beat): every schedule of an active group, one transaction each."""
    count = 0
    for schedule in Schedule.objects.filter(group__is_active=True).exclude(rrule="").only("pk"):
        try:
            result = schedule_generate(schedule=schedule, now=now)
        except RuleError:
            logger.warning("schedule %s has an unusable rule; skipped", schedule.pk)
            continue
        count += len(result.created)
    return count


@transaction.atomic
def schedule_save(*, schedule: Schedule, now: datetime | None = None) -> GenerateResult:
    """Save a changed schedule (validated) and regenerate its sessions in the same transaction, so the
    sessions always match the stored rule."""
    zone(schedule.timezone)  # RuleError for an unknown zone, before anything is stored
    schedule.full_clean()
    schedule.save()
    return schedule_generate(schedule=schedule, now=now)
