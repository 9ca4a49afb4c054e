"""Rendering one outbox row as a multipart e-mail in the recipient's language.

No casus content goes into a message: only group, session time and place, and links.
"""

from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from .models import Kind, Outbox
from .tokens import Action, link_url

SUBJECTS = {
    Kind.INVITE: _("Uitnodiging: %(group)s op %(when)s"),
    Kind.CANCELLATION: _("Afgelast: %(group)s op %(when)s"),
    Kind.REMINDER_FIRST: _("Herinnering: %(group)s op %(when)s"),
    Kind.REMINDER_SECOND: _("Morgen: %(group)s op %(when)s"),
    Kind.RSVP_NUDGE: _("Kom je naar %(group)s op %(when)s?"),
    Kind.CASUS_PREP: _("Je casus voor %(group)s op %(when)s"),
    Kind.NO_CASUS: _("Nog geen casus voor %(group)s op %(when)s"),
    Kind.QUORUM_RISK: _("Te weinig aanmeldingen voor %(group)s op %(when)s"),
    Kind.REFLECTION_REQUEST: _("Hoe was %(group)s op %(when)s?"),
    Kind.REFLECTION_REMINDER: _("Nog twee dagen: je reflectie op %(group)s van %(when)s"),
    Kind.FOLLOWUP: _("Wat heeft je casus opgeleverd? (%(group)s, %(when)s)"),
    Kind.ATTENDANCE_ALERT: _("Signaal voor %(group)s: %(rule)s"),
    Kind.DIGEST: _("Je dagelijkse overzicht van Intervisie"),
    Kind.ADMIN_DIGEST: _("Signalen in je intervisiegroepen"),
}
LEADS = {
    Kind.INVITE: _(
        "Je bent uitgenodigd voor de bijeenkomst van %(group)s op %(when)s. De afspraak zit als bijlage bij "
        "deze e-mail, zodat je hem in je eigen agenda kunt zetten."
    ),
    Kind.CANCELLATION: _(
        "De bijeenkomst van %(group)s op %(when)s gaat niet door. De bijlage haalt de afspraak uit je agenda."
    ),
    Kind.REMINDER_FIRST: _("Over een week: de bijeenkomst van %(group)s op %(when)s."),
    Kind.REMINDER_SECOND: _("Binnenkort: de bijeenkomst van %(group)s op %(when)s."),
    Kind.RSVP_NUDGE: _(
        "Je hebt nog niet laten weten of je komt naar de bijeenkomst van %(group)s op %(when)s. "
        "Eén klik is genoeg."
    ),
    Kind.CASUS_PREP: _(
        "Jij brengt een casus in bij de bijeenkomst van %(group)s op %(when)s. Is je casus al ingediend? "
        "Zo kan de groep zich voorbereiden."
    ),
    Kind.NO_CASUS: _(
        "Voor de bijeenkomst van %(group)s op %(when)s is nog geen casus ingebracht. Heb jij een situatie "
        "uit je werk die je wilt bespreken?"
    ),
    Kind.QUORUM_RISK: _(
        "Voor de bijeenkomst van %(group)s op %(when)s hebben zich minder deelnemers aangemeld dan het "
        "quorum. Overweeg de deelnemers te benaderen of de bijeenkomst te verzetten."
    ),
    Kind.REFLECTION_REQUEST: _(
        "Dank voor je deelname aan %(group)s op %(when)s. Wil je in twee minuten een korte reflectie geven?"
    ),
    Kind.REFLECTION_REMINDER: _(
        "Je hebt nog geen reflectie gegeven op de bijeenkomst van %(group)s op %(when)s. "
        "Over twee dagen sluit de reflectieronde; het kost je twee minuten."
    ),
    Kind.FOLLOWUP: _(
        "Een paar weken geleden bracht je een casus in bij %(group)s (%(when)s). Wat is er met de adviezen "
        "gebeurd?"
    ),
    Kind.ATTENDANCE_ALERT: _("Er is een nieuw signaal over de aanwezigheid in %(group)s."),
    Kind.DIGEST: _("Dit is wat er vandaag voor jou klaarstaat."),
    Kind.ADMIN_DIGEST: _("Open signalen in de intervisiegroepen van je organisatie."),
}
RSVP_KINDS = frozenset({Kind.INVITE, Kind.REMINDER_FIRST, Kind.REMINDER_SECOND, Kind.RSVP_NUDGE})


@cache
def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@cache
def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "intervisie.local"


def when(moment) -> str:
    """A moment in local time, in the active language ("dinsdag 3 maart 2026, 14:00")."""
    return formats.date_format(moment.astimezone(_zone()), "l j F Y, H:i")


def _reverse_first(candidates, args) -> str | None:
    for name in candidates:
        try:
            return settings.SITE_URL + reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def session_url(row: Outbox) -> str:
    if row.session_id:
        names = {
            Kind.REFLECTION_REQUEST: ("reflections:write", "sessions:detail"),
            Kind.REFLECTION_REMINDER: ("reflections:write", "sessions:detail"),
            Kind.FOLLOWUP: ("reflections:followup", "sessions:detail"),
        }.get(row.kind, ("sessions:detail",))
        url = _reverse_first(names, [row.session_id])
        if url:
            return url
    if row.group_id:
        return settings.SITE_URL + reverse("groups:detail", kwargs={"group_id": row.group_id})
    return settings.SITE_URL + reverse("home")


def _ics(session, *, cancel: bool, email: str) -> bytes:
    from sessions.calendar import session_invite_ics

    return session_invite_ics(session, cancel=cancel, attendee_email=email)


def build_message(row: Outbox, *, extra: dict | None = None) -> EmailMultiAlternatives:
    """The e-mail for ``row`` (recipient, group, session, alert loaded). ``extra`` adds template context
    (digest items, alert texts) computed by the caller."""
    user = row.recipient
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        values = {
            "group": row.group.name if row.group_id else "",
            "when": when(row.session.starts_at) if row.session_id else "",
            "rule": row.alert.get_rule_display() if row.alert_id else "",
        }
        unsubscribe = link_url(row.pk, Action.UNSUBSCRIBE)
        context = {
            "row": row,
            "user": user,
            "lead": LEADS[row.kind] % values,
            "session": row.session,
            "group": row.group,
            "when": values["when"],
            "open_url": session_url(row),
            "unsubscribe_url": unsubscribe,
            "kind_label": row.get_kind_display(),
            "site_url": settings.SITE_URL,
            **(extra or {}),
        }
        if row.kind in RSVP_KINDS:
            context["attend_url"] = link_url(row.pk, Action.ATTEND)
            context["decline_url"] = link_url(row.pk, Action.DECLINE)
        subject = str(SUBJECTS[row.kind] % values)
        text = render_to_string("notifications/email/message.txt", context)
        html = render_to_string("notifications/email/message.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Message-ID": f"<outbox-{row.pk}@{_mail_domain()}>",
            "X-Intervisie-Outbox": str(row.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    if row.kind in (Kind.INVITE, Kind.CANCELLATION) and row.session_id:
        cancel = row.kind == Kind.CANCELLATION
        method = "CANCEL" if cancel else "REQUEST"
        message.attach(
            "uitnodiging.ics",
            _ics(row.session, cancel=cancel, email=user.email),
            f"text/calendar; method={method}; charset=UTF-8",
        )
    return message
