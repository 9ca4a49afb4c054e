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

What a schedule does to its sessions is computed by one function, ``schedule_diff`` (it reads only): the
preview on the schedule page lists it, and ``schedule_save`` applies it, refusing when the diff it would
apply is not the one the person confirmed (``ScheduleDiff.fingerprint``). ``schedule_check`` holds the
rules a schedule must meet to be saved (a rule needs a first date and a start time, must parse, plans at
most one session a week and at most ``MAX_SESSIONS_IN_HORIZON`` within the horizon). The rule applies from
its first date on ("deze en volgende"): series sessions before that date are left as they are.

After a rule change, future planned sessions that no longer fit the rule are moved when the rule has a
start on the same local day that has no session yet (a new start time: RSVPs, presenters and casus stay),
else cancelled (reason "rooster gewijzigd", ``cancelled_by_schedule``), never deleted: every member got an
invite for them the moment they were created and may have them in the calendar feed, so the cancellation
(METHOD:CANCEL, STATUS:CANCELLED in the feed) is what removes them from their calendars. When a later rule
change makes such a session fit again, it is restored (planned again, SEQUENCE up, announced as changed).
Sessions a person cancelled stay cancelled.

A confirmed change (``schedule_save``) is announced as a whole after its commit (``signals.schedule_changed``:
one "rooster gewijzigd" message per member); each session's own signal carries its change id.
"""

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups.models import Membership
from intervisie.errors import DomainError

from . import wallclock
from .models import RSVP, Schedule, Session
from .signals import schedule_changed, session_cancelled, session_planned_or_changed

logger = logging.getLogger(__name__)

ALLOWED_FREQUENCIES = {DAILY, WEEKLY, MONTHLY, YEARLY}
MAX_OCCURRENCES = 120  # within one horizon: a rule that yields more is surely a mistake
RULE_CHANGED_REASON = _("Het rooster van de groep is gewijzigd.")


class RuleError(DomainError):
    """A recurrence rule (or its zone) that cannot be used; the caller says at which field."""


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
    moved: list[Session] = field(default_factory=list)


@dataclass(frozen=True)
class Move:
    """A planned session that no longer fits the rule, moved to the rule's start on the same local day
    (a new start time): it keeps its RSVPs, presenters and casus."""

    session: Session
    occurrence: Occurrence


@dataclass
class ScheduleDiff:
    """What saving a schedule does to its sessions: the preview lists it, ``schedule_save`` applies it."""

    create: list[Occurrence]
    move: list[Move]
    cancel: list[Session]
    restore: list[Session]

    @property
    def is_empty(self) -> bool:
        return not (self.create or self.move or self.cancel or self.restore)

    def fingerprint(self) -> str:
        """Identifies this diff: the confirmation carries the one it previewed, and the save refuses when
        the diff it would apply has become another one."""
        parts = [
            *(f"create:{o.starts_at.isoformat()}" for o in self.create),
            *(f"move:{m.session.pk}:{m.occurrence.starts_at.isoformat()}" for m in self.move),
            *(f"cancel:{s.pk}:{s.sequence}" for s in self.cancel),
            *(f"restore:{s.pk}:{s.sequence}" for s in self.restore),
        ]
        return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:32]


def series_start(schedule: Schedule) -> datetime | None:
    """Where the rule begins to apply: the local midnight of its first date. Sessions before it (of an
    earlier rule: "this and following" starts at the first date) are left as they are."""
    if not schedule.first_date:
        return None
    tz = zone(schedule.timezone)
    return datetime.combine(schedule.first_date, time(0)).replace(tzinfo=tz).astimezone(UTC)


def schedule_diff(*, schedule: Schedule, now: datetime) -> ScheduleDiff:
    """The sessions the schedule (saved or not) would create, move, cancel and restore. Reads only.

    Future planned sessions of the series (a ``recurrence_id``) from the rule's first date on that no
    longer fit are cancelled, or moved when the rule has a start on the same local day that has no session
    yet; sessions a rule change cancelled that fit again are restored; missing occurrences up to the
    horizon are created."""
    group = schedule.group
    end = horizon_end(schedule, now)
    begins = series_start(schedule)
    future = Session.objects.filter(group=group, recurrence_id__isnull=False, recurrence_id__gt=now).filter(
        Q(status=Session.Status.PLANNED) | Q(status=Session.Status.CANCELLED, cancelled_by_schedule=True)
    )
    if begins is not None:
        future = future.filter(recurrence_id__gte=begins)
    sessions = list(future.order_by("recurrence_id"))
    # Check sessions beyond the horizon too (the horizon may have shrunk): they stay if they still fit.
    latest = max([end, *(s.recurrence_id for s in sessions)])
    wanted = {o.starts_at: o for o in occurrences(schedule, since=now, until=latest)}
    existing = set(
        Session.objects.filter(group=group, recurrence_id__in=list(wanted)).values_list(
            "recurrence_id", flat=True
        )
    )
    active = group.is_active
    create = [o for at, o in sorted(wanted.items()) if at <= end and at not in existing and active]
    unfit = [s for s in sessions if s.status == Session.Status.PLANNED and s.recurrence_id not in wanted]
    restore = [
        s for s in sessions if s.status == Session.Status.CANCELLED and s.recurrence_id in wanted and active
    ]
    tz = zone(schedule.timezone)
    free_days = {o.local_start.date(): o for o in create if o.local_start is not None}
    move, cancel = [], []
    for session in unfit:
        occurrence = free_days.pop(session.starts_at.astimezone(tz).date(), None)
        if occurrence is None:
            cancel.append(session)
        else:
            move.append(Move(session=session, occurrence=occurrence))
    moved_to = {m.occurrence.starts_at for m in move}
    create = [o for o in create if o.starts_at not in moved_to]
    return ScheduleDiff(create=create, move=move, cancel=cancel, restore=restore)


@dataclass(frozen=True)
class AtStake:
    """What a session that a schedule change moves or cancels holds."""

    attend: int
    maybe: int
    decline: int
    presenters: int
    casussen: int
    titles: tuple[str, ...]  # of the booked casussen, for a viewer who may read them (a member)


def diff_details(diff: ScheduleDiff, *, with_titles: bool) -> dict[int, AtStake]:
    """For the preview: the RSVPs, presenters and booked casussen of each session the diff moves or
    cancels, by session id. Casus titles only ``with_titles`` (the viewer is a member of the group)."""
    ids = [m.session.pk for m in diff.move] + [s.pk for s in diff.cancel]
    if not ids:
        return {}
    answers = RSVP.Answer
    counts = Session.objects.filter(pk__in=ids).annotate(
        attend=Count("rsvps", filter=Q(rsvps__answer=answers.ATTEND), distinct=True),
        maybe=Count("rsvps", filter=Q(rsvps__answer=answers.MAYBE), distinct=True),
        decline=Count("rsvps", filter=Q(rsvps__answer=answers.DECLINE), distinct=True),
        presenter_count=Count("presenters", distinct=True),
    )
    titles: dict[int, list[str]] = {}
    for session_id, title in Session.objects.filter(pk__in=ids, casussen__status="booked").values_list(
        "pk", "casussen__title"
    ):
        titles.setdefault(session_id, []).append(title)
    return {
        s.pk: AtStake(
            attend=s.attend,
            maybe=s.maybe,
            decline=s.decline,
            presenters=s.presenter_count,
            casussen=len(titles.get(s.pk, [])),
            titles=tuple(titles.get(s.pk, [])) if with_titles else (),
        )
        for s in counts
    }


def _create(
    schedule: Schedule, occurrence: Occurrence, facilitator_id: int | None, change: str | None
) -> Session | None:
    group = schedule.group
    session, was_created = Session.objects.get_or_create(
        group=group,
        recurrence_id=occurrence.starts_at,
        defaults={
            "starts_at": occurrence.starts_at,
            "ends_at": occurrence.ends_at,
            "location": group.default_location,
            "online_link": group.default_online_link,
            "method": schedule.default_method,
            "format": schedule.default_format,
            "facilitator_id": facilitator_id,
        },
    )
    if not was_created:
        return None
    session_planned_or_changed.send(
        sender=Session, session=session, created=True, changed=set(), schedule_change=change
    )
    return session


def _move(move: Move, change: str | None) -> Session:
    session = move.session
    session.recurrence_id = move.occurrence.starts_at
    session.starts_at = move.occurrence.starts_at
    session.ends_at = move.occurrence.ends_at
    session.sequence += 1
    session.save(update_fields=["recurrence_id", "starts_at", "ends_at", "sequence", "updated_at"])
    session_planned_or_changed.send(
        sender=Session,
        session=session,
        created=False,
        changed={"starts_at", "ends_at"},
        schedule_change=change,
    )
    return session


STATUS_FIELDS = ["status", "cancellation_reason", "cancelled_by_schedule", "sequence", "updated_at"]


def _cancel(session: Session, change: str | None) -> Session:
    session.status = Session.Status.CANCELLED
    session.cancellation_reason = str(RULE_CHANGED_REASON)
    session.cancelled_by_schedule = True
    session.sequence += 1
    session.save(update_fields=STATUS_FIELDS)
    session_cancelled.send(
        sender=Session, session=session, reason=session.cancellation_reason, schedule_change=change
    )
    return session


def _restore(session: Session, change: str | None) -> Session:
    session.status = Session.Status.PLANNED
    session.cancellation_reason = ""
    session.cancelled_by_schedule = False
    session.sequence += 1
    session.save(update_fields=STATUS_FIELDS)
    session_planned_or_changed.send(
        sender=Session, session=session, created=False, changed={"status"}, schedule_change=change
    )
    return session


def apply_diff(*, schedule: Schedule, diff: ScheduleDiff, change: str | None = None) -> GenerateResult:
    """Apply ``diff``; ``change`` is the id of the confirmed schedule change it belongs to (passed on with
    each session's signal, see ``signals``), None for the daily run."""
    group = schedule.group
    facilitator_id = default_facilitator_id(group.pk) if diff.create else None
    created = [s for o in diff.create if (s := _create(schedule, o, facilitator_id, change)) is not None]
    return GenerateResult(
        created=created,
        moved=[_move(m, change) for m in diff.move],
        cancelled=[_cancel(s, change) for s in diff.cancel],
        restored=[_restore(s, change) for s in diff.restore],
    )


def _held(sessions: list[Session]) -> dict[int, dict[str, list[int]]]:
    """Who a session held before it is cancelled: the authors of its booked casussen (the cancellation
    gives them back to the queue) and the members who said they would come or might."""
    held: dict[int, dict[str, list[int]]] = {s.pk: {"casus": [], "rsvp": []} for s in sessions}
    if not held:
        return held
    for session_id, author_id in Session.objects.filter(
        pk__in=list(held), casussen__status="booked"
    ).values_list("pk", "casussen__author_id"):
        held[session_id]["casus"].append(author_id)
    for session_id, user_id in RSVP.objects.filter(
        session_id__in=list(held), answer__in=[RSVP.Answer.ATTEND, RSVP.Answer.MAYBE]
    ).values_list("session_id", "user_id"):
        held[session_id]["rsvp"].append(user_id)
    return held


def change_id(schedule: Schedule) -> str:
    """The id of a confirmed change of ``schedule``: the moment it was saved (unique per change)."""
    return f"{schedule.updated_at:%Y%m%dT%H%M%S%f}"


@transaction.atomic
def schedule_generate(*, schedule: Schedule, now: datetime | None = None) -> GenerateResult:
    """Apply the stored schedule (``schedule_diff``) up to its horizon. Safe to run any number of times,
    also concurrently (the row lock and the unique constraint decide)."""
    now = now or timezone.now()
    schedule = Schedule.objects.select_for_update().select_related("group").get(pk=schedule.pk)
    return apply_diff(schedule=schedule, diff=schedule_diff(schedule=schedule, now=now))


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


# A schedule that plans more than this many sessions within its horizon, or two within a week, is surely a
# mistake (a DAILY typo made 48): it is refused. Weekly for six months is the most (27 of a weekday).
MAX_SESSIONS_IN_HORIZON = 27
MIN_GAP = timedelta(days=7)


def schedule_check(*, schedule: Schedule, now: datetime) -> None:
    """The rules a schedule must meet to be saved, as a ValidationError naming the field: a rule needs a
    first date and a start time, must parse, and plans at most one session a week and at most
    ``MAX_SESSIONS_IN_HORIZON`` within the horizon."""
    try:
        zone(schedule.timezone)
    except RuleError as error:
        raise ValidationError({"timezone": error.message}) from error
    if not schedule.rrule:
        return
    missing = {}
    if not schedule.first_date:
        missing["first_date"] = _("Een herhaling heeft een eerste datum nodig.")
    if not schedule.start_time:
        missing["start_time"] = _("Een herhaling heeft een begintijd nodig.")
    if missing:
        raise ValidationError(missing)
    try:
        parse_rule(schedule.rrule, dtstart=datetime.combine(schedule.first_date, schedule.start_time))
        planned = occurrences(schedule, since=now, until=horizon_end(schedule, now))
    except RuleError as error:
        raise ValidationError({"rrule": error.message}) from error
    starts = [o.local_start for o in planned if o.local_start is not None]
    if any(later - earlier < MIN_GAP for earlier, later in zip(starts, starts[1:], strict=False)):
        raise ValidationError({"rrule": _("Plan hooguit één bijeenkomst per week.")})
    if len(planned) > MAX_SESSIONS_IN_HORIZON:
        raise ValidationError(
            {
                "rrule": _(
                    "Dit rooster plant %(count)s bijeenkomsten in %(months)s maanden; het maximum is "
                    "%(max)s. Kies een lagere frequentie of plan minder maanden vooruit."
                )
                % {"count": len(planned), "months": schedule.horizon_months, "max": MAX_SESSIONS_IN_HORIZON}
            }
        )


def schedule_preview(*, schedule: Schedule, now: datetime | None = None) -> ScheduleDiff:
    """What saving this (unsaved) schedule would do, checked as the save checks it. Stores nothing."""
    now = now or timezone.now()
    schedule_check(schedule=schedule, now=now)
    schedule.full_clean(validate_unique=False)
    return schedule_diff(schedule=schedule, now=now)


PREVIEW_OUTDATED = _("De bijeenkomsten zijn sinds het voorbeeld veranderd. Bekijk het nieuwe voorbeeld.")


@transaction.atomic
def schedule_save(
    *, schedule: Schedule, now: datetime | None = None, expected: str | None = None
) -> GenerateResult:
    """Save a changed schedule (checked) and apply it to its sessions in the same transaction, so the
    sessions always match the stored rule. ``expected`` is the fingerprint of the previewed diff: when the
    diff to apply is another one (something changed in between), nothing is saved."""
    now = now or timezone.now()
    schedule_check(schedule=schedule, now=now)
    schedule.full_clean()
    schedule.save()
    locked = Schedule.objects.select_for_update().select_related("group").get(pk=schedule.pk)
    diff = schedule_diff(schedule=locked, now=now)
    if expected is not None and diff.fingerprint() != expected:
        raise ValidationError(PREVIEW_OUTDATED)
    if diff.is_empty:
        return apply_diff(schedule=locked, diff=diff)
    change = change_id(locked)
    moved_from = {m.session.pk: m.session.starts_at for m in diff.move}
    held = _held(diff.cancel)
    result = apply_diff(schedule=locked, diff=diff, change=change)
    transaction.on_commit(
        partial(
            schedule_changed.send,
            sender=Schedule,
            group=locked.group,
            schedule=locked,
            change_id=change,
            created=[s.pk for s in result.created],
            moved=[s.pk for s in result.moved],
            cancelled=[s.pk for s in result.cancelled],
            restored=[s.pk for s in result.restored],
            moved_from=moved_from,
            held=held,
        ),
        robust=True,  # the change stands; a receiver's failure is logged, not the person's error page
    )
    return result
