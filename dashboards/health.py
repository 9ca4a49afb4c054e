"""The group's health signals in words, computed from figures the dashboard already loaded (no queries).

The rules follow the attendance-drop rules in the notification design (thresholds are group settings)."""

from dataclasses import dataclass
from datetime import timedelta
from statistics import mean

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sessions.models import RSVP

from .selectors import GroupDashboard


@dataclass(frozen=True)
class Signal:
    level: str  # "warning" or "ok" (Bootstrap colour names)
    text: str


def _trend(dash: GroupDashboard) -> Signal | None:
    group = dash.group
    rates = [s.stats.attendance_rate for s in dash.held if s.stats.attendance_rate is not None]
    if len(rates) < 3:
        return None
    recent = mean(rates[-3:])
    baseline_rates = [s.attendance_rate for s in dash.baseline]
    baseline = mean(baseline_rates) if len(baseline_rates) >= 3 else None
    if recent * 100 < group.alert_trend_absolute:
        return Signal(
            "warning",
            _("De opkomst van de laatste 3 bijeenkomsten is %(recent)s%%, onder de ondergrens van %(min)s%%.")
            % {"recent": round(recent * 100), "min": group.alert_trend_absolute},
        )
    if baseline and recent < baseline * group.alert_trend_relative / 100:
        return Signal(
            "warning",
            _(
                "De opkomst daalt: %(recent)s%% bij de laatste 3 bijeenkomsten, tegen %(base)s%% in de "
                "eerste bijeenkomsten van de groep."
            )
            % {"recent": round(recent * 100), "base": round(baseline * 100)},
        )
    return None


def _busy(dash: GroupDashboard) -> Signal | None:
    last = dash.held[-5:]
    totals = {reason: sum(getattr(s.stats, f"declines_{reason}") for s in last) for reason in RSVP.Reason}
    if totals[RSVP.Reason.BUSY] and totals[RSVP.Reason.BUSY] == max(totals.values()):
        return Signal(
            "warning",
            ngettext(
                "‘Te druk’ is de meest gegeven afmeldreden van de laatste bijeenkomst (%(n)s keer).",
                "‘Te druk’ is de meest gegeven afmeldreden van de laatste %(count)s bijeenkomsten "
                "(%(n)s keer).",
                len(last),
            )
            % {"count": len(last), "n": totals[RSVP.Reason.BUSY]},
        )
    return None


def _quorum(dash: GroupDashboard) -> list[Signal]:
    soon = timezone.now() + timedelta(days=dash.group.alert_quorum_days)
    signals = []
    for session in dash.upcoming:
        if session.starts_at <= soon and session.stats.rsvp_attend < session.quorum:
            signals.append(
                Signal(
                    "warning",
                    _("Voor %(date)s hebben %(n)s deelnemers zich aangemeld; het quorum is %(quorum)s.")
                    % {
                        "date": timezone.localtime(session.starts_at).strftime("%d-%m-%Y"),
                        "n": session.stats.rsvp_attend,
                        "quorum": session.quorum,
                    },
                )
            )
    return signals


def _fading(dash: GroupDashboard) -> Signal | None:
    names = [row.membership.user.display_name for row in dash.fading]
    if not names:
        return None
    return Signal(
        "warning",
        ngettext(
            "%(names)s haakt af: meerdere bijeenkomsten gemist.",
            "%(names)s haken af: meerdere bijeenkomsten gemist.",
            len(names),
        )
        % {"names": ", ".join(names)},
    )


def _pipeline(dash: GroupDashboard) -> Signal | None:
    empty = [s for s in dash.upcoming[:2] if not s.pipeline_ready]
    if len(empty) == 2:
        return Signal("warning", _("Voor de volgende twee bijeenkomsten is nog geen casus klaar."))
    return None


def health_signals(dash: GroupDashboard) -> list[Signal]:
    found = [_trend(dash), _fading(dash), _busy(dash), *_quorum(dash), _pipeline(dash)]
    signals = [s for s in found if s is not None]
    if not signals and dash.held:
        signals.append(Signal("success", _("Geen signalen: de opkomst is stabiel en niemand haakt af.")))
    return signals
