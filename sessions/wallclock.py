"""Local wall-clock times and the instants they stand for: the one place that decides what a typed date
and time in a zone means in UTC. Forms, services and the schedule generator all go through here.

Twice a year the wall clock is not a plain copy of time:
- **A gap** (spring forward): in Europe/Amsterdam the clock jumps from 02:00 to 03:00 on the last Sunday
  of March, so 02:30 does not exist that day. A time a person typed in a gap is refused
  (``NonexistentTime``, with a message naming the gap); never silently moved.
- **An overlap** (fall back): on the last Sunday of October the clock goes from 03:00 back to 02:00, so
  02:30 happens twice, first in summer time (UTC+2), an hour later in winter time (UTC+1). A typed time
  there needs a choice, ``EARLIER`` or ``LATER`` (``AmbiguousTime`` without one, with a message asking).

The schedule generator cannot ask, so ``rfc5545_instant`` resolves the way RFC 5545 (3.3.5) tells every
calendar client to read such a local time: a time in a gap is read with the offset from before the gap
(02:30 becomes 03:30, the session keeps its length), an ambiguous time is the first occurrence (summer
time). ``Resolution`` says what was done, so a form can tell the person.

Dates are accepted from ``YEARS_BACK`` years ago to ``YEARS_AHEAD`` years ahead (``check_day``): the zone
rules and the calendars cover any date, the bound is there to catch typos such as 2072 for 2027.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from intervisie.errors import DomainError

YEARS_AHEAD = 5
YEARS_BACK = 10

EARLIER = "earlier"  # the first of two equal wall-clock times (in Europe: still summer time)
LATER = "later"  # the second one, after the clock went back (in Europe: winter time)


class WallClockError(DomainError):
    """A typed date or time that cannot be used as it is; the caller says at which field."""


class NonexistentTime(WallClockError):
    """The local time falls in a gap: the clock skips it that day."""


class AmbiguousTime(WallClockError):
    """The local time happens twice that day and no choice (``EARLIER``/``LATER``) was given."""


class DayOutOfRange(WallClockError):
    """A date before ``earliest_day`` or after ``latest_day`` (most likely a typo in the year)."""


@dataclass(frozen=True)
class Transition:
    """A change of the zone's offset near a local time, as the wall clock shows it."""

    instant: datetime  # UTC, the moment the offset changes
    offset_before: timedelta
    offset_after: timedelta

    @property
    def clock_from(self) -> datetime:
        """The wall clock just before the change (02:00 in March, 03:00 in October), naive."""
        return (self.instant + self.offset_before).replace(tzinfo=None)

    @property
    def clock_to(self) -> datetime:
        """What the wall clock shows right after it (03:00 in March, 02:00 in October), naive."""
        return (self.instant + self.offset_after).replace(tzinfo=None)


def _offsets(local: datetime, tz: ZoneInfo) -> tuple[timedelta, timedelta]:
    first = local.replace(tzinfo=tz, fold=0).utcoffset()
    second = local.replace(tzinfo=tz, fold=1).utcoffset()
    assert first is not None and second is not None
    return first, second


def is_nonexistent(local: datetime, tz: ZoneInfo) -> bool:
    """Whether the naive local time falls in a gap of ``tz`` (the clock skips it)."""
    naive = local.replace(tzinfo=None)
    back = naive.replace(tzinfo=tz).astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    return back != naive


def is_ambiguous(local: datetime, tz: ZoneInfo) -> bool:
    """Whether the naive local time happens twice in ``tz`` (the clock goes back over it)."""
    naive = local.replace(tzinfo=None)
    first, second = _offsets(naive, tz)
    return first != second and not is_nonexistent(naive, tz)


def transition_at(local: datetime, tz: ZoneInfo) -> Transition | None:
    """The offset change that makes ``local`` nonexistent or ambiguous, or None for an ordinary time."""
    naive = local.replace(tzinfo=None)
    first, second = _offsets(naive, tz)
    if first == second:
        return None
    # PEP 495: fold=0 reads the time with the offset before the change, fold=1 with the one after. The
    # change lies between the two instants they give; halve the interval down to the second.
    low, high = sorted(((naive - first).replace(tzinfo=UTC), (naive - second).replace(tzinfo=UTC)))
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == first:
            low = middle
        else:
            high = middle
    return Transition(instant=high.replace(microsecond=0), offset_before=first, offset_after=second)


def _day(value: date) -> str:
    return formats.date_format(value, "j F Y")


def _clock(value: datetime | time) -> str:
    return value.strftime("%H:%M")


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def nonexistent_message(local: datetime, tz: ZoneInfo) -> str:
    """'02:30 bestaat niet op 28 maart 2027: de klok gaat dan van 02:00 naar 03:00. ...'"""
    change = transition_at(local, tz)
    assert change is not None
    return _(
        "%(time)s bestaat niet op %(day)s: de klok gaat dan van %(from)s naar %(to)s. "
        "Kies een tijd voor %(from)s of vanaf %(to)s."
    ) % {
        "time": _clock(local),
        "day": _day(local.date()),
        "from": _clock(change.clock_from),
        "to": _clock(change.clock_to),
    }


def ambiguous_message(local: datetime, tz: ZoneInfo) -> str:
    """'02:30 komt op 31 oktober 2027 twee keer voor: ... Kies welke je bedoelt.'"""
    change = transition_at(local, tz)
    assert change is not None
    return _(
        "%(time)s komt op %(day)s twee keer voor: de klok gaat dan van %(from)s terug naar %(to)s. "
        "Kies welke %(time)s je bedoelt."
    ) % {
        "time": _clock(local),
        "day": _day(local.date()),
        "from": _clock(change.clock_from),
        "to": _clock(change.clock_to),
    }


def _season(offset: timedelta, other: timedelta) -> str:
    return str(_("zomertijd") if offset > other else _("wintertijd"))


def fold_choices(local: datetime, tz: ZoneInfo) -> list[tuple[str, str]]:
    """The two readings of an ambiguous local time, as (value, label) for a choice field."""
    first, second = _offsets(local, tz)
    clock = _clock(local)
    return [
        (
            EARLIER,
            _("De eerste keer %(time)s (%(season)s, %(offset)s)")
            % {"time": clock, "season": _season(first, second), "offset": _offset_text(first)},
        ),
        (
            LATER,
            _("De tweede keer %(time)s (%(season)s, %(offset)s)")
            % {"time": clock, "season": _season(second, first), "offset": _offset_text(second)},
        ),
    ]


def fold_of(instant: datetime, tz: ZoneInfo) -> str | None:
    """``EARLIER``/``LATER`` for an instant whose local time is ambiguous in ``tz``, else None."""
    local = instant.astimezone(tz)
    if not is_ambiguous(local, tz):
        return None
    return LATER if local.fold else EARLIER


def to_utc(local: datetime, tz: ZoneInfo, fold: str | None = None) -> datetime:
    """The UTC instant of a typed local date and time in ``tz``.

    Raises ``NonexistentTime`` for a time in a gap and ``AmbiguousTime`` for a time that happens twice
    when ``fold`` (``EARLIER``/``LATER``) does not say which; ``fold`` is ignored for ordinary times."""
    naive = local.replace(tzinfo=None)
    if is_nonexistent(naive, tz):
        raise NonexistentTime(nonexistent_message(naive, tz))
    if is_ambiguous(naive, tz):
        if fold not in (EARLIER, LATER):
            raise AmbiguousTime(ambiguous_message(naive, tz))
        return naive.replace(tzinfo=tz, fold=1 if fold == LATER else 0).astimezone(UTC)
    return naive.replace(tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Resolution:
    """How ``rfc5545_instant`` read a local time: ``moved`` (it was in a gap) or ``ambiguous``."""

    instant: datetime  # UTC
    moved: bool = False
    ambiguous: bool = False


def rfc5545_instant(local: datetime, tz: ZoneInfo) -> Resolution:
    """The instant RFC 5545 (3.3.5) gives a local time, for code that cannot ask a person: in a gap the
    offset from before the gap (02:30 on the spring-forward day is 03:30 summer time), when it happens
    twice the first occurrence (summer time)."""
    naive = local.replace(tzinfo=None)
    instant = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if is_nonexistent(naive, tz):
        return Resolution(instant=instant, moved=True)
    return Resolution(instant=instant, ambiguous=is_ambiguous(naive, tz))


def moved_message(local: datetime, tz: ZoneInfo) -> str:
    """For a series: '02:30 bestaat niet op 28 maart 2027 (...): die bijeenkomst begint om 03:30.'"""
    change = transition_at(local, tz)
    assert change is not None
    moved_to = rfc5545_instant(local, tz).instant.astimezone(tz)
    return _(
        "%(time)s bestaat niet op %(day)s (de klok gaat dan van %(from)s naar %(to)s): die bijeenkomst "
        "begint om %(moved)s en duurt even lang."
    ) % {
        "time": _clock(local),
        "day": _day(local.date()),
        "from": _clock(change.clock_from),
        "to": _clock(change.clock_to),
        "moved": _clock(moved_to),
    }


def first_occurrence_message(local: datetime, tz: ZoneInfo) -> str:
    """For a series: '02:30 komt op 31 oktober 2027 twee keer voor: die bijeenkomst begint de eerste keer
    (zomertijd, UTC+02:00).'"""
    first, second = _offsets(local, tz)
    return _(
        "%(time)s komt op %(day)s twee keer voor: die bijeenkomst begint de eerste keer "
        "(%(season)s, %(offset)s)."
    ) % {
        "time": _clock(local),
        "day": _day(local.date()),
        "season": _season(first, second),
        "offset": _offset_text(first),
    }


def earliest_day(today: date | None = None) -> date:
    return (today or timezone.localdate()) - relativedelta(years=YEARS_BACK)


def latest_day(today: date | None = None) -> date:
    return (today or timezone.localdate()) + relativedelta(years=YEARS_AHEAD)


def check_day(day: date, today: date | None = None) -> None:
    """``DayOutOfRange`` for a date more than ``YEARS_AHEAD`` years ahead or ``YEARS_BACK`` years back."""
    if day > latest_day(today):
        raise DayOutOfRange(
            _(
                "%(day)s ligt meer dan %(years)s jaar vooruit. Controleer het jaartal; "
                "plannen kan tot en met %(latest)s."
            )
            % {"day": _day(day), "years": YEARS_AHEAD, "latest": _day(latest_day(today))}
        )
    if day < earliest_day(today):
        raise DayOutOfRange(
            _(
                "%(day)s ligt meer dan %(years)s jaar terug. Controleer het jaartal; "
                "de vroegste datum is %(earliest)s."
            )
            % {"day": _day(day), "years": YEARS_BACK, "earliest": _day(earliest_day(today))}
        )
