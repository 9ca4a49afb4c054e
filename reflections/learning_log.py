"""My learning log: a member's own reflections, follow-ups (and casussen) over time, and its CSV rows.

Only the user's own records: this module never reads anyone else's reflection.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import SCALES, FollowUp, Reflection


@dataclass(frozen=True)
class Entry:
    when: datetime
    kind: str  # "reflection" | "followup"
    item: object

    @property
    def session(self):
        return self.item.session


def entries(user) -> list[Entry]:
    """Newest first. Two queries whatever the number of entries."""
    reflections = Reflection.objects.filter(author=user).select_related("session__group")
    followups = FollowUp.objects.filter(presenter=user).select_related("session__group")
    items = [Entry(r.session.starts_at, "reflection", r) for r in reflections]
    items += [Entry(f.answered_at, "followup", f) for f in followups]
    items.sort(key=lambda entry: entry.when, reverse=True)
    return items


def _cell(value) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def csv_rows(user):
    yield [
        _("datum"),
        _("groep"),
        _("soort"),
        *(str(label) for _name, label in SCALES),
        _("wat neem ik mee"),
        _("gedeeld met de groep"),
        _("advies paste bij mijn vraag"),
        _("vraag die mijn ogen opende"),
        _("follow-up"),
        _("wat is er veranderd"),
    ]
    for entry in entries(user):
        session = entry.session
        common = [timezone.localtime(session.starts_at).date().isoformat(), _cell(session.group.name)]
        if entry.kind == "reflection":
            r = entry.item
            yield [
                *common,
                _("reflectie"),
                *(getattr(r, name) for name, _label in SCALES),
                _cell(r.takeaway),
                _("ja") if r.share_takeaway else _("nee"),
                r.advice_fit if r.advice_fit is not None else "",
                _cell(r.eye_opener),
                "",
                "",
            ]
        else:
            f = entry.item
            yield [
                *common,
                _("follow-up"),
                *([""] * len(SCALES)),
                "",
                "",
                "",
                "",
                f.get_outcome_display(),
                _cell(f.what_changed),
            ]
