"""My learning log: a member's own reflections, follow-ups and casussen over time, and its CSV rows.

Only the user's own records: this module never reads anyone else's reflection. Casussen follow the casussen
rule (visible while the author is a member of the casus's group; purged ones are gone).
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from casussen.models import AdvanceContribution, Casus
from groups.selectors import user_groups
from sessions.models import Session

from .models import SCALES, FollowUp, Reflection


@dataclass(frozen=True)
class Entry:
    when: datetime
    kind: str  # "reflection" | "followup" | "casus" | "advance" (written in advance)
    item: object

    @property
    def group(self):
        return self.item.group if self.kind == "casus" else self.item.session.group


def entries(user) -> list[Entry]:
    """Newest first. Four queries whatever the number of entries. A session the member could not come to
    but wrote questions or advice for in advance counts here ("schriftelijk bijgedragen"), never as
    attendance (the accreditation exports read only ``Attendance``)."""
    reflections = Reflection.objects.filter(author=user).select_related(
        "session__group", "eye_opener_question"
    )
    followups = FollowUp.objects.filter(presenter=user).select_related("session__group")
    casussen = (
        Casus.objects.filter(author=user, group__in=user_groups(user))
        .exclude(status=Casus.Status.PURGED)
        .select_related("group", "session")
    )
    advance = (
        AdvanceContribution.objects.filter(author=user, session__group__in=user_groups(user))
        .exclude(casus__status=Casus.Status.PURGED)
        .exclude(session__status=Session.Status.CANCELLED)  # nothing to contribute to
        .select_related("session__group")
    )
    items = [Entry(r.session.starts_at, "reflection", r) for r in reflections]
    items += [Entry(a.session.starts_at, "advance", a) for a in advance]
    items += [Entry(f.session.starts_at, "followup", f) for f in followups]
    items += [Entry(c.session.starts_at if c.session else c.created_at, "casus", c) for c in casussen]
    items.sort(key=lambda entry: entry.when, reverse=True)
    return items


def csv_rows(user):
    """The rows of the CSV download (formulas are defused by the writer, ``intervisie.csv_safe``)."""
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
        _("casus"),
        _("kernvraag"),
    ]
    blank_scales = [""] * len(SCALES)
    for entry in entries(user):
        common = [timezone.localtime(entry.when).date().isoformat(), entry.group.name]
        item = entry.item
        if entry.kind == "reflection":
            yield [
                *common,
                _("reflectie"),
                *(getattr(item, name) for name, _label in SCALES),
                item.takeaway,
                _("ja") if item.share_takeaway else _("nee"),
                "" if item.advice_fit is None else item.advice_fit,
                item.eye_opener_text,
                "",
                "",
                "",
                "",
            ]
        elif entry.kind == "advance":
            yield [*common, _("schriftelijk bijgedragen"), *blank_scales, "", "", "", "", "", "", "", ""]
        elif entry.kind == "followup":
            yield [
                *common,
                _("follow-up"),
                *blank_scales,
                "",
                "",
                "",
                "",
                item.get_outcome_display(),
                item.what_changed,
                "",
                "",
            ]
        else:
            yield [
                *common,
                _("casus"),
                *blank_scales,
                item.takeaways,
                "",
                "",
                "",
                "",
                "",
                item.title,
                item.kernvraag,
            ]
