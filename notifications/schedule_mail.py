"""What the one "rooster gewijzigd" message of a schedule change lists (``Kind.SCHEDULE_CHANGED``): its
sessions in time order, in words in the recipient's language, from the row's ``details`` written when it
was planned (``planning.plan_schedule_changed``); and, for a member on the invite path, the calendar file of
each of those sessions (``calendar_sessions``; ``emails`` attaches them).

One e-mail per member per change, also on the invite path: the message carries one iTIP file per session
(METHOD:REQUEST for a planned one, METHOD:CANCEL for a cancelled one, each with its own UID and SEQUENCE,
exactly what the session's own invite or cancellation would carry), not one calendar with several
sessions: iTIP gives one scheduling message one UID (Cyrus refuses several as iTIP; Outlook takes the
first event only; Thunderbird reads several as a PUBLISH). A change of one session is also the inline
``text/calendar`` part mail clients show as a meeting request. See docs/notifications.md, "Schedule
changes"."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sessions.models import Session

from .models import Kind, Outbox

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


def calendar_sessions(row: Outbox) -> list[tuple[Session, str]]:
    """The sessions of the change whose calendar file the message carries, in time order, each with its
    iTIP METHOD as the session is now (at send time: a session restored or cancelled again since is sent
    as it is): REQUEST for a planned one, CANCEL for a cancelled one; none for a session that has ended or
    was held, nor of a kind the group or the member switched off (invites or cancellations). Three queries,
    once per row."""
    cached = row.__dict__.get("_calendar_sessions")
    if cached is not None:
        return cached
    from .models import NotificationPreference
    from .planning import disabled_group_kinds

    ids = [change["session"] for change in row.details.get("changes", [])]
    off = disabled_group_kinds(row.group_id) if ids and row.group_id else set()
    if ids and row.recipient_id:
        mine = NotificationPreference.objects.filter(user_id=row.recipient_id).values_list(
            "disabled_kinds", flat=True
        )
        off |= set(mine.first() or [])
    methods: dict[str, str] = {
        Session.Status.PLANNED: "REQUEST" if Kind.INVITE not in off else "",
        Session.Status.CANCELLED: "CANCEL" if Kind.CANCELLATION not in off else "",
    }
    now = timezone.now()
    if not ids or row.group_id is None:
        row.__dict__["_calendar_sessions"] = []
        return []
    sessions = Session.objects.filter(pk__in=ids, group_id=row.group_id).select_related("group__schedule")
    result = [
        (session, methods[session.status])
        for session in sorted(sessions, key=lambda s: (s.starts_at, s.pk))
        if session.ends_at > now and methods.get(session.status)
    ]
    row.__dict__["_calendar_sessions"] = result
    return result


def _invite_path_note(count: int) -> str:
    if count == 0:
        return ""
    if count == 1:
        return _("De bijlage zet de wijziging in je agenda.")
    return _(
        "Open de bijlagen, één per bijeenkomst, om je agenda bij te werken. Met een agenda-abonnement gaat "
        "dat vanzelf."
    )


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
            else _invite_path_note(len(calendar_sessions(row)))
        )
    return {"schedule_changes": changes, "calendar_note": calendar_note}
