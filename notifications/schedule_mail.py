"""What the one "rooster gewijzigd" message of a schedule change lists (``Kind.SCHEDULE_CHANGED``): its
sessions in time order, in words in the recipient's language, from the row's ``details`` written when it
was planned (``planning.plan_schedule_changed``)."""

from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Outbox

LABELS = {
    "created": lambda: _("Nieuw"),
    "moved": lambda: _("Verplaatst"),
    "cancelled": lambda: _("Afgelast"),
    "restored": lambda: _("Gaat toch door"),
}


def _note(change: dict) -> str:
    if change["change"] != "cancelled":
        return ""
    if change["casus"]:
        return _("je casus was hiervoor ingepland; hij staat weer in de wachtrij")
    if change["rsvp"]:
        return _("je had je hiervoor aangemeld")
    return ""


def changes_context(row: Outbox, *, follows_feed: bool) -> dict:
    """The template context of a schedule change's message: ``schedule_changes`` (label, when, note) and
    ``calendar_note`` (how the recipient's calendar follows)."""
    from .emails import when

    language = row.recipient.preferred_language if row.recipient else ""
    with translation.override(language or settings.LANGUAGE_CODE):
        changes = []
        for change in row.details.get("changes", []):
            at = when(datetime.fromisoformat(change["at"]))
            if change["from"]:
                at = f"{when(datetime.fromisoformat(change['from']))} → {at}"
            changes.append({"label": LABELS[change["change"]](), "when": at, "note": _note(change)})
        calendar_note = (
            _("Je agenda-abonnement past je agenda vanzelf aan.")
            if follows_feed
            else _("Voor je agenda krijg je per bijeenkomst een aparte uitnodiging of afzegging.")
        )
    return {"schedule_changes": changes, "calendar_note": calendar_note}
