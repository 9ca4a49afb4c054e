"""Group health: a small set of signals in words, each with its trend over the last sessions.

Every signal is computed from data the facilitator may see anyway: attendance, decline reasons, published
reflection aggregates (whole sessions with at least 3 answers, see ``selectors``), werkoverleg drift,
the casus pipeline and the follow-up rate. No single opaque score.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casussen import selectors as casus_selectors
from groups.models import Group
from sessions.models import RSVP, Attendance, Session

from . import selectors

TREND_POINTS = 4  # "over de laatste 4 bijeenkomsten"
LOOKBACK = 12  # held sessions searched for published aggregates
DECLINE_WINDOW = 5
SCORE_STEP = 0.3  # a change in a 1-5 mean that counts as a trend
RATE_STEP = 10  # percentage points

OK, WARN, INFO = "ok", "warn", "info"


@dataclass(frozen=True)
class HealthSignal:
    key: str
    level: str  # ok / warn / info
    text: str


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


def attendance_signal(sessions: list[Session]) -> HealthSignal | None:
    recent = sessions[-TREND_POINTS:]
    figures = {
        row["session_id"]: row
        for row in Attendance.objects.filter(session__in=recent)
        .values("session_id")
        .annotate(total=Count("pk"), there=Count("pk", filter=Q(status__in=selectors.WAS_THERE)))
    }
    rates = [
        round(100 * figures[s.pk]["there"] / figures[s.pk]["total"])
        for s in recent
        if s.pk in figures and figures[s.pk]["total"]
    ]
    if len(rates) < 2:
        return None
    direction = _direction(rates[0], rates[-1], RATE_STEP)
    text = _trend_text(_("de opkomst"), f"{rates[0]}%", f"{rates[-1]}%", direction, len(rates))
    return HealthSignal("attendance", WARN if direction < 0 else OK, text)


def decline_signal(sessions: list[Session]) -> HealthSignal | None:
    recent = sessions[-DECLINE_WINDOW:]
    reasons = Counter(
        RSVP.objects.filter(session__in=recent, answer=RSVP.Answer.DECLINE).values_list(
            "decline_reason", flat=True
        )
    )
    total = sum(reasons.values())
    if not total:
        return None
    reason, count = max(reasons.items(), key=lambda item: (item[1], item[0] == RSVP.Reason.BUSY))
    label = RSVP.Reason(reason).label
    text = _(
        "meest genoemde reden van afmelden: ‘%(reason)s’ (%(count)d van %(total)d afmeldingen "
        "in de laatste %(n)d bijeenkomsten)"
    ) % {"reason": label, "count": count, "total": total, "n": len(recent)}
    return HealthSignal("declines", WARN if reason == RSVP.Reason.BUSY else INFO, text)


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


def pipeline_signals(group: Group, sessions: list[Session], now: datetime) -> list[HealthSignal]:
    """Casus pipeline: held sessions that had a casus ready 3 days ahead, and the next planned session."""
    signals = []
    recent = sessions[-TREND_POINTS:]
    upcoming = (
        Session.objects.filter(group=group, status=Session.Status.PLANNED, starts_at__gt=now)
        .order_by("starts_at")
        .first()
    )
    ready = casus_selectors.sessions_with_casus_ready(
        [s.pk for s in recent], days_ahead=group.casus_prep_days
    )
    if recent:
        n_ready = sum(1 for s in recent if s.pk in ready)
        text = ngettext(
            "casus op tijd klaar (%(days)d dagen vooraf): %(ready)d van de laatste %(n)d bijeenkomst",
            "casus op tijd klaar (%(days)d dagen vooraf): %(ready)d van de laatste %(n)d bijeenkomsten",
            len(recent),
        ) % {"days": group.casus_prep_days, "ready": n_ready, "n": len(recent)}
        signals.append(HealthSignal("pipeline", WARN if 2 * n_ready < len(recent) else OK, text))
    if upcoming is not None and upcoming.pk not in casus_selectors.sessions_with_casus_ready(
        [upcoming.pk], days_ahead=0
    ):
        date = formats.date_format(timezone.localtime(upcoming.starts_at), "j F")
        signals.append(
            HealthSignal(
                "pipeline_next",
                WARN,
                _("de volgende bijeenkomst (%(date)s) heeft nog geen casus") % {"date": date},
            )
        )
    return signals


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
    signals = [
        attendance_signal(sessions),
        decline_signal(sessions),
        *reflection_signals(sessions, now),
        drift_signal(sessions),
        *pipeline_signals(group, sessions, now),
        followup_signal(group, now),
    ]
    return [signal for signal in signals if signal is not None]
