"""The VTIMEZONE of a zone, built from the zone database (``zoneinfo``) with the icalendar library's own
component classes, so that every calendar program reads a session at the same instant.

A zone with daylight saving time gets the form calendar programs know best: one ``DAYLIGHT`` and one
``STANDARD`` sub-component, each with a yearly rule (``RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`` for
Europe/Amsterdam). The rule has no end, so the VTIMEZONE is right for every future date, however far ahead
a session is planned. Parsers that read the file's own VTIMEZONE (Mozilla's ical.js, vobject and with it
CalDAV servers such as Radicale, Outlook) understand it; the library's ``Timezone.from_tzid`` instead lists
the transitions as one comma-separated ``RDATE`` of which several of them read only the first value, and it
stops after a few years.

How it is derived: every change of the zone's offset, DST flag or abbreviation from ``FIRST_YEAR`` to
``LAST_YEAR`` is found (a daily scan, then a bisection to the second). Each change is described by a key:
the month, the weekday of the month (``-1SU`` for "last Sunday", ``2SU`` for "second Sunday"), the local time
(in the offset before the change, as RFC 5545 wants for ``DTSTART``), both offsets, the name and whether it
is daylight time. The first sub-component is the state on 1 January of ``FIRST_YEAR`` (the same offset
before and after). Changes with the same key in consecutive years are one sub-component with a yearly rule:
open-ended when the run reaches ``LAST_YEAR`` (the zone's current rule), else closed by ``COUNT``. A change
that does not repeat (a rule changed, a zone that gave up DST, a rule like "the Friday before the last
Sunday" whose weekday of the month moves) is a sub-component of its own, with its ``DTSTART`` only (one
onset per sub-component, never a list). A zone that never changes (UTC, Asia/Kolkata) is one ``STANDARD``.

Sessions before ``FIRST_YEAR`` do not exist (the product is younger); for them parsers use the first
sub-component's offset. Built once per zone per process (``lru_cache``): the feed reuses it.
"""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard
from icalendar.prop import vDatetime, vInt, vRecur, vText, vUTCOffset

FIRST_YEAR = 2000
# Far enough that the zone database's explicit list of future changes has ended and its standing rule
# (the POSIX rule at the end of each zone's data) is what the last years show.
LAST_YEAR = 2060
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = timedelta(days=1)


class _State(NamedTuple):
    offset: timedelta
    dst: bool
    name: str


RuleKey = tuple[int, str, time, _State, _State]


class Change(NamedTuple):
    """One change of a zone's offset (or DST flag or name), as a VTIMEZONE describes it."""

    local: datetime  # naive: the wall-clock time just before the change, in the offset before it
    before: _State
    after: _State

    @property
    def byday(self) -> str:
        """The weekday of the month: ``-1SU`` when it is the last such weekday, else ``1SU`` to ``4SU``."""
        weekday = WEEKDAYS[self.local.weekday()]
        days_in_month = calendar.monthrange(self.local.year, self.local.month)[1]
        if self.local.day > days_in_month - 7:
            return f"-1{weekday}"
        return f"{(self.local.day - 1) // 7 + 1}{weekday}"

    @property
    def key(self) -> RuleKey:
        """What a yearly rule repeats: equal keys in consecutive years are one rule."""
        return (self.local.month, self.byday, self.local.time(), self.before, self.after)


def _state(zone: ZoneInfo, moment: datetime) -> _State:
    local = moment.astimezone(zone)
    return _State(local.utcoffset() or timedelta(0), bool(local.dst()), local.tzname() or "")


def _bisect(zone: ZoneInfo, low: datetime, high: datetime) -> datetime:
    """The first second in (low, high] with the state at ``high`` (the state at ``low`` differs)."""
    target = _state(zone, high)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            middle = low + timedelta(seconds=1)
        if _state(zone, middle) == target:
            high = middle
        else:
            low = middle
    return high


def zone_changes(zone: ZoneInfo, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> list[Change]:
    """Every change of ``zone`` from the start of ``first_year`` to the end of ``last_year``."""
    changes = []
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    state = _state(zone, moment)
    while moment < end:
        following = moment + _DAY
        new = _state(zone, following)
        if new != state:
            instant = _bisect(zone, moment, following)
            before = _state(zone, instant - timedelta(seconds=1))
            local = (instant + before.offset).replace(tzinfo=None)
            changes.append(Change(local, before, new))
            state = new
        moment = following
    return changes


def _runs(changes: list[Change]) -> list[list[Change]]:
    """Changes grouped into runs: the same key in consecutive years (at most one of a key per year)."""
    runs: list[list[Change]] = []
    open_runs: dict[RuleKey, list[Change]] = {}
    for change in changes:
        run = open_runs.get(change.key)
        if run is not None and run[-1].local.year == change.local.year - 1:
            run.append(change)
        else:
            run = [change]
            runs.append(run)
            open_runs[change.key] = run
    return runs


def _component(run: list[Change], *, open_ended: bool) -> TimezoneStandard | TimezoneDaylight:
    first = run[0]
    component = TimezoneDaylight() if first.after.dst else TimezoneStandard()
    component["DTSTART"] = vDatetime(first.local)
    component["TZOFFSETFROM"] = vUTCOffset(first.before.offset)
    component["TZOFFSETTO"] = vUTCOffset(first.after.offset)
    if first.after.name:
        component["TZNAME"] = vText(first.after.name)
    if open_ended or len(run) > 1:
        rule = vRecur(freq="YEARLY", bymonth=first.local.month, byday=first.byday)
        if not open_ended:
            rule["COUNT"] = vInt(len(run))
        component["RRULE"] = rule
    return component


def _fixed(zone: ZoneInfo, first_year: int) -> TimezoneStandard | TimezoneDaylight:
    """The zone's state at the start of ``first_year``: the same offset before and after (for a zone that
    never changes, the whole VTIMEZONE)."""
    state = _state(zone, datetime(first_year, 1, 1, tzinfo=UTC))
    component = TimezoneDaylight() if state.dst else TimezoneStandard()
    component["DTSTART"] = vDatetime(datetime(first_year, 1, 1))  # noqa: DTZ001 - local, as RFC 5545 wants
    component["TZOFFSETFROM"] = vUTCOffset(state.offset)
    component["TZOFFSETTO"] = vUTCOffset(state.offset)
    if state.name:
        component["TZNAME"] = vText(state.name)
    return component


def build_vtimezone(tzid: str, first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> Timezone:
    """A fresh VTIMEZONE for ``tzid`` (see the module docstring)."""
    zone = ZoneInfo(tzid)
    timezone = Timezone()
    timezone["TZID"] = vText(tzid)
    # The state at the start: without it, ical.js reads times before the first change as UTC.
    timezone.add_component(_fixed(zone, first_year))
    for run in _runs(zone_changes(zone, first_year, last_year)):
        # A run is the zone's standing rule when it lasts to the end of the scan (and is not one change
        # in the last year, which says nothing about the years after).
        open_ended = len(run) > 1 and run[-1].local.year >= last_year
        timezone.add_component(_component(run, open_ended=open_ended))
    return timezone


def event_time(instant: datetime, zone: ZoneInfo) -> datetime:
    """How an event writes ``instant``: as the wall-clock time in ``zone`` (with its TZID), except when that
    wall-clock time happens twice (the hour the clock goes back): then in UTC, because parsers disagree
    which of the two a local time means (RFC 5545 and vobject: the first; ical.js: the second)."""
    local = instant.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return instant.astimezone(UTC)
    return local


@lru_cache(maxsize=32)
def vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE of ``tzid``, built once per process and shared: callers add it to a calendar and
    serialise it, and never change it."""
    return build_vtimezone(tzid)
