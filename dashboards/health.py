"""The group's health signals on its dashboard: the attendance verdicts of ``groups/health.py`` (the same
rules, thresholds and words as the health page and the alert e-mails) that are on, as Bootstrap alerts."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from groups import health

from . import integrations
from .selectors import GroupDashboard


@dataclass(frozen=True)
class Signal:
    level: str  # "warning" or "success" (Bootstrap colour names)
    text: str
    rule: str = ""
    name: str = ""  # the rule's name (groups.health.NAMES), as in the alert e-mail and the alerts panel


def health_signals(dash: GroupDashboard) -> list[Signal]:
    on = [v for v in dash.verdicts if v.on]
    names = {row.membership.user_id: row.membership.user.display_name for row in dash.rows}
    signals = [
        Signal("warning", text, v.rule, str(health.NAMES[v.rule]))
        for v, text in integrations.health_texts(on, names)
    ]
    if not signals and dash.held:
        signals.append(Signal("success", _("Geen signalen: de opkomst is stabiel en niemand haakt af.")))
    return signals
