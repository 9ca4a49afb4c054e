"""Group health: the one definition of each attendance signal (docs/product.md, "Gezondheid van de groep").

The dashboard, the health page and the daily alert scan all decide with these functions; change a window
or threshold here (or in the group's settings) and all three follow. The module is plain Python over
per-session figures (``SessionFigures``) and knows no models but ``Group`` (for its thresholds), so it
sits low in the stack.

Each rule has two steps:

1. *figures*: the windows of sessions and their sums (``trend_figures``, ``member_misses``,
   ``busy_figures``, ``pipeline_figures``), computed from a group's sessions;
2. *verdict*: whether the signal is on, from those figures and the group's thresholds (``trend_verdict``,
   ``fading_verdict``, ``busy_verdict``, ``pipeline_verdict``, ``quorum_verdict``).

The alert scan computes step 1 for all groups at once in SQL (for speed) and then calls the same step-2
functions; a property-based test (``tests/notifications/test_alerts_rules.py``) feeds random histories to
both the SQL and step 1 here and requires the same verdicts. All sums are integers, so both agree exactly.
"""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Group

# --- the rules, their names and their fixed windows --------------------------------------------------

TREND = "trend"
FADING = "fading"
QUORUM = "quorum"
BUSY = "busy"
PIPELINE = "pipeline"

# One word per concept, on the dashboard, the health page and in the alert e-mail (``Alert.Rule``).
NAMES: dict[str, Promise] = {
    TREND: _("opkomst daalt"),
    FADING: _("deelnemer haakt af"),
    QUORUM: _("quorum in gevaar"),
    BUSY: _("'te druk' is de meest gegeven afmeldreden"),
    PIPELINE: _("geen casus op tijd"),
}

TREND_RECENT = 3  # opkomst: the group's last 3 held sessions ...
TREND_BASELINE = 6  # ... against its first 6 held sessions (its own baseline)
FADING_WINDOW = 5  # afhaker: counted over the group's last 5 held sessions
BUSY_WINDOW = 5  # 'te druk': the declines of the group's last 5 held sessions ...
BUSY_MIN_DECLINES = 2  # ... at least this many 'te druk', and more than any other reason
PIPELINE_WINDOW = 2  # casus op tijd: the last 2 sessions whose preparation deadline has passed


def trend_relative_min_held() -> int:
    """The relative trend needs this many held sessions, so that its two windows do not overlap."""
    return TREND_RECENT + TREND_BASELINE


class Thresholds(NamedTuple):
    """The group's own thresholds (group settings). A value of 0 switches that part of a rule off."""

    trend_relative: int  # % of the group's baseline
    trend_absolute: int  # %
    fading_in_a_row: int
    fading_of_last_five: int
    quorum_days: int
    casus_prep_days: int

    @classmethod
    def of(cls, group: Group) -> "Thresholds":
        return cls(**{name: getattr(group, setting) for name, setting in GROUP_SETTINGS.items()})

    @classmethod
    def from_row(cls, values: Sequence[int]) -> "Thresholds":
        """From the values of ``GROUP_SETTINGS``' columns, in that order (the alert scan selects them)."""
        return cls(*values)


# Each threshold and the group setting (``Group`` field) it comes from, in the order of ``Thresholds``.
GROUP_SETTINGS = {
    "trend_relative": "alert_trend_relative",
    "trend_absolute": "alert_trend_absolute",
    "fading_in_a_row": "alert_fading_in_a_row",
    "fading_of_last_five": "alert_fading_of_last_five",
    "quorum_days": "alert_quorum_days",
    "casus_prep_days": "casus_prep_days",
}


# --- per-session figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionFigures:
    """What the rules need to know of one held or planned session (not cancelled)."""

    session_id: int
    starts_at: datetime
    held: bool  # False: planned
    attended: frozenset[int] = frozenset()  # users registered present or late
    missed: frozenset[int] = frozenset()  # users registered excused or absent
    busy_declines: int = 0  # RSVP declines giving 'te druk'
    other_declines: Mapping[str, int] = field(default_factory=dict)  # the other declines, by reason
    attending: int = 0  # RSVP "attend" answers
    quorum: int = 0
    casus_on_time: bool = False  # a casus was booked onto it by its preparation deadline


def _ordered(sessions: Iterable[SessionFigures]) -> list[SessionFigures]:
    """Oldest first (ties by id), as every window counts them."""
    return sorted(sessions, key=lambda s: (s.starts_at, s.session_id))


def held_sessions(sessions: Iterable[SessionFigures]) -> list[SessionFigures]:
    return [s for s in _ordered(sessions) if s.held]


def percent(part: int, whole: int) -> int:
    """``part / whole`` in whole percent, halves rounded up (integers only: exact everywhere)."""
    return (200 * part + whole) // (2 * whole)


@dataclass(slots=True)
class Verdict:
    """One signal of one group: ``on`` when the rule fires. ``detail`` holds the figures in words."""

    rule: str
    on: bool
    detail: dict[str, Any]
    user_id: int | None = None
    session_id: int | None = None
    starts_at: datetime | None = field(default=None, compare=False)  # of the session, for its date in words

    @property
    def subject_key(self) -> str:
        return subject_key(self.user_id, self.session_id)


def subject_key(user_id: int | None = None, session_id: int | None = None) -> str:
    """What a signal is about within its group: "" (the group), "user:<id>" or "session:<id>"."""
    if user_id is not None:
        return f"user:{user_id}"
    if session_id is not None:
        return f"session:{session_id}"
    return ""


# --- opkomst (trend) ---------------------------------------------------------------------------------


class TrendFigures(NamedTuple):
    held: int  # held sessions of the group
    recent_attended: int  # present or late, summed over the last TREND_RECENT held sessions
    recent_registered: int  # registrations (any status) over those sessions
    base_attended: int  # the same over the group's first TREND_BASELINE held sessions
    base_registered: int


def trend_figures(sessions: Iterable[SessionFigures]) -> TrendFigures:
    held = held_sessions(sessions)
    recent, base = held[-TREND_RECENT:], held[:TREND_BASELINE]
    return TrendFigures(
        held=len(held),
        recent_attended=sum(len(s.attended) for s in recent),
        recent_registered=sum(len(s.attended) + len(s.missed) for s in recent),
        base_attended=sum(len(s.attended) for s in base),
        base_registered=sum(len(s.attended) + len(s.missed) for s in base),
    )


def trend_verdict(f: TrendFigures, t: Thresholds) -> Verdict | None:
    """Opkomst: the share present (or late) of all registrations over the last 3 held sessions is below
    the group's absolute floor, or (with at least 9 held sessions) below its relative share of the same
    figure over the group's first 6 held sessions. None: too few sessions to say."""
    if f.held < TREND_RECENT or not f.recent_registered:
        return None
    below_absolute = 100 * f.recent_attended < t.trend_absolute * f.recent_registered
    below_relative = (
        f.held >= trend_relative_min_held()
        and f.base_registered > 0
        # recent / recent_registered < relative / 100 × base / base_registered, in integers
        and 100 * f.recent_attended * f.base_registered
        < t.trend_relative * f.base_attended * f.recent_registered
    )
    detail = {
        "recent": percent(f.recent_attended, f.recent_registered),
        "baseline": percent(f.base_attended, f.base_registered) if f.base_registered else 0,
        "held": f.held,
        "window": TREND_RECENT,
        "base_window": TREND_BASELINE,
    }
    return Verdict(TREND, below_absolute or below_relative, detail)


# --- afhaker (fading) --------------------------------------------------------------------------------


class MemberMisses(NamedTuple):
    missed: int  # sessions missed (excused or absent) of the group's last FADING_WINDOW held sessions
    missed_latest: int  # of those, missed among the group's latest ``fading_in_a_row`` held sessions
    registered: int  # sessions of that window the member has a registration for


def member_misses(
    sessions: Iterable[SessionFigures], active_members: Iterable[int], t: Thresholds
) -> dict[int, MemberMisses]:
    """Per active member with a registration in the window. A session without the member's registration
    (not yet a member then, not registered) is not a miss."""
    window = held_sessions(sessions)[-FADING_WINDOW:]
    latest = window[max(0, len(window) - t.fading_in_a_row) :] if t.fading_in_a_row else []
    found = {}
    for user_id in active_members:
        registered = sum(1 for s in window if user_id in s.attended or user_id in s.missed)
        if registered:
            found[user_id] = MemberMisses(
                missed=sum(1 for s in window if user_id in s.missed),
                missed_latest=sum(1 for s in latest if user_id in s.missed),
                registered=registered,
            )
    return found


def is_fading(m: MemberMisses, t: Thresholds) -> bool:
    """Afhaker: an active member missed each of the group's latest ``fading_in_a_row`` held sessions, or
    ``fading_of_last_five`` of its last 5. A setting above 5 cannot be met (the window is 5)."""
    in_a_row = bool(t.fading_in_a_row) and m.missed_latest >= t.fading_in_a_row
    return in_a_row or (bool(t.fading_of_last_five) and m.missed >= t.fading_of_last_five)


def fading_detail(m: MemberMisses, t: Thresholds) -> dict[str, Any]:
    return {"missed": m.missed, "of": m.registered, "in_a_row": t.fading_in_a_row}


def fading_verdict(user_id: int, m: MemberMisses, t: Thresholds) -> Verdict:
    return Verdict(FADING, is_fading(m, t), fading_detail(m, t), user_id=user_id)


# --- 'te druk' (busy) --------------------------------------------------------------------------------


class BusyFigures(NamedTuple):
    busy: int
    others: Mapping[str, int]  # the other declines by reason (a decline without a reason is one reason)


def busy_figures(sessions: Iterable[SessionFigures]) -> BusyFigures:
    window = held_sessions(sessions)[-BUSY_WINDOW:]
    others: Counter[str] = Counter()
    for s in window:
        others.update({reason: n for reason, n in s.other_declines.items() if n})
    return BusyFigures(busy=sum(s.busy_declines for s in window), others=dict(others))


def busy_verdict(f: BusyFigures, t: Thresholds | None = None) -> Verdict | None:
    """'Te druk': over the group's last 5 held sessions, 'te druk' was given at least twice and more often
    than any other reason. None: no declines at all."""
    declines = f.busy + sum(f.others.values())
    if not declines:
        return None
    on = f.busy >= BUSY_MIN_DECLINES and f.busy > max(f.others.values(), default=0)
    return Verdict(BUSY, on, {"busy": f.busy, "declines": declines, "window": BUSY_WINDOW})


# --- casus op tijd (pipeline) ------------------------------------------------------------------------


class PipelineFigures(NamedTuple):
    sessions: int  # sessions (held or planned) in the window: their preparation deadline has passed
    on_time: int  # of those, with a casus booked onto them by that deadline


def pipeline_deadline(starts_at: datetime, t: Thresholds) -> datetime:
    """A session's casus is on time when it is booked by this moment (``casus_prep_days`` before)."""
    return starts_at - timedelta(days=t.casus_prep_days)


def pipeline_figures(sessions: Iterable[SessionFigures], now: datetime, t: Thresholds) -> PipelineFigures:
    due = [s for s in _ordered(sessions) if pipeline_deadline(s.starts_at, t) <= now][-PIPELINE_WINDOW:]
    return PipelineFigures(sessions=len(due), on_time=sum(1 for s in due if s.casus_on_time))


def pipeline_verdict(f: PipelineFigures, t: Thresholds | None = None) -> Verdict | None:
    """Casus op tijd: none of the group's last 2 sessions (held or planned) whose preparation deadline has
    passed had a casus booked onto it by that deadline. None: fewer than 2 such sessions yet."""
    if f.sessions < PIPELINE_WINDOW:
        return None
    detail = {"sessions": f.sessions, "on_time": f.on_time}
    return Verdict(PIPELINE, f.on_time == 0, detail)


# --- quorum ------------------------------------------------------------------------------------------


def in_quorum_window(starts_at: datetime, now: datetime, t: Thresholds) -> bool:
    """A planned session is checked for its quorum from ``alert_quorum_days`` before it starts."""
    return now < starts_at <= now + timedelta(days=t.quorum_days)


def quorum_verdict(
    session_id: int, attending: int, quorum: int, starts_at: datetime | None = None
) -> Verdict:
    """Quorum in gevaar: a planned session in its quorum window (``in_quorum_window``) has fewer "attend"
    answers than its quorum."""
    detail = {"attending": attending, "quorum": quorum}
    return Verdict(QUORUM, attending < quorum, detail, session_id=session_id, starts_at=starts_at)


# --- all rules of one group --------------------------------------------------------------------------


def group_verdicts(
    sessions: Sequence[SessionFigures], active_members: Iterable[int], now: datetime, t: Thresholds
) -> list[Verdict]:
    """Every verdict of one group (on or off), in the order the pages show them: trend, fading (one per
    member), busy, quorum (one per session), pipeline."""
    found = [trend_verdict(trend_figures(sessions), t)]
    found += [fading_verdict(u, m, t) for u, m in member_misses(sessions, active_members, t).items()]
    found.append(busy_verdict(busy_figures(sessions), t))
    found += [
        quorum_verdict(s.session_id, s.attending, s.quorum, s.starts_at)
        for s in _ordered(sessions)
        if not s.held and in_quorum_window(s.starts_at, now, t)
    ]
    found.append(pipeline_verdict(pipeline_figures(sessions, now, t), t))
    return [v for v in found if v is not None]


# --- in words ----------------------------------------------------------------------------------------


def session_day(starts_at: datetime) -> str:
    """A session's date as the signals name it ("3 december 2026", Europe/Amsterdam)."""
    return formats.date_format(timezone.localtime(starts_at), "j F Y")


def describe(rule: str, detail: Mapping[str, Any], *, on: bool = True, name: str = "", date: str = "") -> str:
    """The signal in words, in the active language (no casus content). ``on=False``: the figures of a
    rule that does not fire, as the health page shows them. ``name``: the member of a fading signal;
    ``date``: the session of a quorum signal (``session_day``)."""
    d = dict(detail)
    match rule:
        case "trend" if d.get("held", 0) >= d.get("window", TREND_RECENT) + d.get(
            "base_window", TREND_BASELINE
        ):
            return gettext(
                "De opkomst van de laatste %(window)s bijeenkomsten is %(recent)s%% (in de eerste "
                "%(base_window)s bijeenkomsten: %(baseline)s%%)."
            ) % {"window": TREND_RECENT, "base_window": TREND_BASELINE, **d}
        case "trend":
            return gettext("De opkomst van de laatste %(window)s bijeenkomsten is %(recent)s%%.") % {
                "window": TREND_RECENT,
                **d,
            }
        case "fading":
            return gettext("%(name)s heeft %(missed)s van de laatste %(of)s bijeenkomsten gemist.") % {
                "name": name,
                **d,
            }
        case "quorum":
            return gettext(
                "Voor de bijeenkomst van %(date)s hebben zich %(attending)s deelnemers aangemeld; het quorum "
                "is %(quorum)s."
            ) % {"date": date, **d}
        case "busy" if on:
            return gettext(
                "'Te druk' is de meest gegeven afmeldreden over de laatste %(window)s bijeenkomsten "
                "(%(busy)s van de %(declines)s afmeldingen)."
            ) % {"window": BUSY_WINDOW, **d}
        case "busy":
            return gettext(
                "'Te druk': %(busy)s van de %(declines)s afmeldingen over de laatste %(window)s "
                "bijeenkomsten."
            ) % {"window": BUSY_WINDOW, **d}
        case "pipeline" if on:
            return gettext(
                "De laatste %(sessions)s bijeenkomsten hadden bij de voorbereidingstermijn nog geen casus."
            ) % {"sessions": PIPELINE_WINDOW, **d}
        case "pipeline":
            return gettext(
                "Casus op tijd: %(on_time)s van de laatste %(sessions)s bijeenkomsten hadden bij de "
                "voorbereidingstermijn een casus."
            ) % {"on_time": 0, "sessions": PIPELINE_WINDOW, **d}
    return str(NAMES.get(rule, rule))
