"""Group health: a small set of signals in words, each with its trend over the last sessions.

Every signal is computed from data the facilitator may see anyway: attendance, decline reasons, published
reflection aggregates (whole sessions with at least 3 answers, see ``selectors``), werkoverleg drift,
the casus pipeline and the follow-up rate. No single opaque score.

The attendance signals (opkomst, afhakers, 'te druk', quorum, casus op tijd) are the rules of
``groups/health.py``, decided over the figures ``session_figures`` loads: the same verdicts as the
dashboard (which calls ``attendance_verdicts``) and the alert e-mails.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casussen import selectors as casus_selectors
from groups import health as rules
from groups.models import Group, Membership
from sessions.models import RSVP, Attendance, Session

from . import selectors

TREND_POINTS = 4  # "over de laatste 4 bijeenkomsten"
LOOKBACK = 12  # held sessions searched for published aggregates
SCORE_STEP = 0.3  # a change in a 1-5 mean that counts as a trend

OK, WARN, INFO = "ok", "warn", "info"


@dataclass(frozen=True)
class HealthSignal:
    key: str
    level: str  # ok / warn / info
    text: str
    name: str = ""  # an attendance rule that is on: its name (groups.health.NAMES), as on the dashboard


def _score(value: float) -> str:
    return formats.number_format(round(value, 1), 1, use_l10n=True)


def _direction(first: float, last: float, step: float) -> int:
    if last - first <= -step:
        return -1
    if last - first >= step:
        return 1
    return 0


def _trend_text(subject: str, first: str, last: str, direction: int, points: int) -> str:
    verb = {-1: _("daalt"), 0: _("blijft gelijk"), 1: _("stijgt")}[direction]
    return ngettext(
        "%(subject)s %(verb)s: %(first)s → %(last)s over de laatste %(n)d bijeenkomst",
        "%(subject)s %(verb)s: %(first)s → %(last)s over de laatste %(n)d bijeenkomsten",
        points,
    ) % {"subject": subject, "verb": verb, "first": first, "last": last, "n": points}


def _scale_subjects() -> dict[str, str]:
    return {
        "usefulness": _("het nut voor de deelnemers"),
        "depth": _("de diepgang van de vragen"),
        "candor": _("de openheid (zeggen wat je echt denkt)"),
        "safety": _("de veiligheid"),
        "time_well_used": _("het gebruik van de tijd"),
        "stayed_intervision": _("het bij intervisie blijven (geen werkoverleg)"),
    }


@dataclass(frozen=True)
class AttendanceFacts:
    """What the attendance rules read of one group (``session_figures``), plus what the pages say with
    them: when the first casus was booked, and the active members' names."""

    figures: list[rules.SessionFigures]
    first_booked: dict[int, datetime]  # session id → when its first casus was booked (sessions with one)
    active: dict[int, str]  # user id → display name


def session_figures(group: Group) -> AttendanceFacts:
    """The figures the attendance rules read, for every held or planned session of the group. Four
    queries, whatever the number of sessions. A casus is on time when the session's first booking is by
    its deadline (one booking by then is enough, so the earliest one decides)."""
    sessions = list(
        Session.objects.filter(group=group, status__in=[Session.Status.HELD, Session.Status.PLANNED])
        .annotate(first_booked=Min("casussen__booked_at"))
        .values_list("pk", "starts_at", "status", "quorum_override", "first_booked")
    )
    ids = [pk for pk, *_ in sessions]
    attended, missed = defaultdict(set), defaultdict(set)
    for session_id, user_id, status in Attendance.objects.filter(session_id__in=ids).values_list(
        "session_id", "user_id", "status"
    ):
        (attended if status in selectors.WAS_THERE else missed)[session_id].add(user_id)
    declines: dict[int, dict[str, int]] = defaultdict(dict)
    attending: dict[int, int] = defaultdict(int)
    for session_id, answer, reason, n in (
        RSVP.objects.filter(session_id__in=ids, answer__in=[RSVP.Answer.DECLINE, RSVP.Answer.ATTEND])
        .values("session_id", "answer", "decline_reason")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("session_id", "answer", "decline_reason", "n")
    ):
        if answer == RSVP.Answer.ATTEND:
            attending[session_id] += n
        else:
            declines[session_id][reason] = declines[session_id].get(reason, 0) + n
    first_booked = {pk: booked_at for pk, *_, booked_at in sessions if booked_at is not None}
    thresholds = rules.Thresholds.of(group)
    figures = []
    for pk, starts_at, status, quorum_override, booked_at in sessions:
        others = dict(declines[pk])
        deadline = rules.pipeline_deadline(starts_at, thresholds)
        figures.append(
            rules.SessionFigures(
                session_id=pk,
                starts_at=starts_at,
                held=status == Session.Status.HELD,
                attended=frozenset(attended[pk]),
                missed=frozenset(missed[pk]),
                busy_declines=others.pop(RSVP.Reason.BUSY, 0),
                other_declines=others,
                attending=attending[pk],
                quorum=group.quorum if quorum_override is None else quorum_override,
                casus_on_time=booked_at is not None and booked_at <= deadline,
            )
        )
    active = dict(
        Membership.objects.filter(group=group, status=Membership.Status.ACTIVE).values_list(
            "user_id", "user__display_name"
        )
    )
    return AttendanceFacts(figures=figures, first_booked=first_booked, active=active)


def facts_verdicts(group: Group, facts: AttendanceFacts, now: datetime) -> list[rules.Verdict]:
    return rules.group_verdicts(facts.figures, list(facts.active), now, rules.Thresholds.of(group))


def attendance_verdicts(group: Group, *, now: datetime | None = None) -> list[rules.Verdict]:
    """Every attendance verdict of the group (on or off), as the alert scan decides them."""
    return facts_verdicts(group, session_figures(group), now or timezone.now())


def verdict_texts(verdicts: list[rules.Verdict], names: dict[int, str]) -> list[tuple[rules.Verdict, str]]:
    """Each verdict with its text in words (``names``: display names of the members in fading verdicts)."""
    return [
        (
            v,
            rules.describe(
                v.rule,
                v.detail,
                on=v.on,
                name=names.get(v.user_id, "") if v.user_id is not None else "",
                date=rules.session_day(v.starts_at) if v.starts_at else "",
            ),
        )
        for v in verdicts
    ]


SHOWN_WHEN_OFF = {rules.TREND, rules.BUSY, rules.PIPELINE}  # figures worth showing when all is well


def attendance_signals(verdicts: list[rules.Verdict], names: dict[int, str]) -> list[HealthSignal]:
    shown = [v for v in verdicts if v.on or v.rule in SHOWN_WHEN_OFF]
    return [
        HealthSignal(
            f"{v.rule}:{v.subject_key}" if v.subject_key else v.rule,
            WARN if v.on else OK,
            text,
            str(rules.NAMES[v.rule]) if v.on else "",
        )
        for v, text in verdict_texts(shown, names)
    ]


def reflection_signals(sessions: list[Session], now: datetime) -> list[HealthSignal]:
    recent = sessions[-LOOKBACK:]
    aggregates = selectors.session_aggregates([s.pk for s in recent], now=now)
    published = [aggregates[s.pk] for s in recent if aggregates.get(s.pk) is not None][-TREND_POINTS:]
    if len(published) < 2:
        return [HealthSignal("reflections", INFO, _("te weinig reflecties om een trend te tonen"))]
    signals = []
    for name, subject in _scale_subjects().items():
        first, last = published[0].mean(name), published[-1].mean(name)
        direction = _direction(first, last, SCORE_STEP)
        text = _trend_text(subject, _score(first), _score(last), direction, len(published))
        level = WARN if direction < 0 or last < 3 else OK
        signals.append(HealthSignal(f"scale_{name}", level, text))
    return signals


def drift_signal(sessions: list[Session]) -> HealthSignal | None:
    """Werkoverleg drift: parkeerplaats items per session (the "stayed with intervision" score is one of
    the reflection signals)."""
    recent = sessions[-TREND_POINTS:]
    if len(recent) < 2:
        return None
    counts = casus_selectors.parked_counts([s.pk for s in recent])
    first, last = counts.get(recent[0].pk, 0), counts.get(recent[-1].pk, 0)
    direction = _direction(first, last, 1)
    text = _trend_text(
        _("het aantal werkoverleg-onderwerpen op de parkeerplaats"),
        str(first),
        str(last),
        direction,
        len(recent),
    )
    return HealthSignal("drift", WARN if direction > 0 else OK, text)


def next_session_signal(facts: AttendanceFacts, now: datetime) -> HealthSignal | None:
    """Information, not a verdict: the next planned session has no casus booked yet (whether it is on
    time is the pipeline rule's, from its preparation deadline on)."""
    planned = [s for s in facts.figures if not s.held and s.starts_at > now]
    if not planned:
        return None
    upcoming = min(planned, key=lambda s: (s.starts_at, s.session_id))
    booked_at = facts.first_booked.get(upcoming.session_id)
    if booked_at is not None and booked_at <= upcoming.starts_at:
        return None
    date = formats.date_format(timezone.localtime(upcoming.starts_at), "j F")
    return HealthSignal(
        "pipeline_next", INFO, _("de volgende bijeenkomst (%(date)s) heeft nog geen casus") % {"date": date}
    )


def followup_signal(group: Group, now: datetime) -> HealthSignal | None:
    summary = selectors.group_yield(group, now=now)
    if not summary.due:
        return None
    text = _(
        "follow-up: %(answered)d van %(due)d inbrengers vertelden wat het advies opleverde; "
        "(deels) toegepast: %(applied)d"
    ) % {"answered": summary.answered, "due": summary.due, "applied": summary.applied}
    return HealthSignal("followup", WARN if summary.rate < 0.5 else OK, text)


def group_health(group: Group, *, now: datetime | None = None) -> list[HealthSignal]:
    """The group's health signals, most telling first. A fixed number of queries."""
    now = now or timezone.now()
    sessions = list(
        Session.objects.filter(group=group, status=Session.Status.HELD, starts_at__lte=now).order_by(
            "-starts_at"
        )[:LOOKBACK]
    )
    sessions.reverse()  # oldest first
    facts = session_figures(group)
    signals = [
        *attendance_signals(facts_verdicts(group, facts, now), facts.active),
        *reflection_signals(sessions, now),
        drift_signal(sessions),
        next_session_signal(facts, now),
        followup_signal(group, now),
    ]
    return [signal for signal in signals if signal is not None]
