"""The e-mail kinds: one ``EmailKind`` entry per kind, the only place a kind is declared.

Everything else is derived from ``REGISTRY``: ``models.Kind`` (its choices and the outbox's check
constraint), which kinds a group or a member may switch off, which ones a digest may bundle, the subject
and lead of each message, whether it carries RSVP links, casus titles or a calendar part, the messages
planned before a session (how many days before, to whom) and what cancels them, and the send-time checks
of the sweep. How to add a kind: ``docs/notifications.md`` (section *Adding an e-mail kind*).

This module imports no models: ``models.py`` builds ``Kind`` from it. The send-time checks (``gone``,
``own_rule``) read the annotations of the sweep's claimed rows (``sweep._claimed_rows``).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

Text = str | Promise

# Who gets a message planned before a session (``BeforeSession.to``).
MEMBERS = "members"  # every active member of the group
FACILITATORS = "facilitators"  # the group's facilitators and the session's own facilitator
PRESENTERS = "presenters"  # the session's presenters

# Whom a kind is for, in the order of the preferences page's sections (``EmailKind.audience``).
FOR_SESSIONS = "sessions"  # every member: the sessions themselves
FOR_PRESENTERS = "presenters"  # a member who brings in a casus
FOR_REFLECTION = "reflection"  # every member, after a session
FOR_FACILITATORS = "facilitators"  # the group's facilitators only
FOR_ADMINS = "admins"  # organisation admins only
AUDIENCES = (FOR_SESSIONS, FOR_PRESENTERS, FOR_REFLECTION, FOR_FACILITATORS, FOR_ADMINS)

# The template every kind about a group or session uses (``.txt`` and ``.html``); see ``emails.py``.
MESSAGE_TEMPLATE = "notifications/email/message"


@dataclass(frozen=True)
class BeforeSession:
    """A message planned before each upcoming planned session: ``days`` names the field that holds how many
    days before (a ``Group`` field, or ``no_casus_days`` of ``GroupNotificationSettings``), ``to`` who gets
    it (``MEMBERS``, ``FACILITATORS`` or ``PRESENTERS``). Re-planned whenever the session, the group's
    settings or its members change; cancelled when the session is held, cancelled or begins."""

    days: str
    to: str


@dataclass(frozen=True, kw_only=True)
class EmailKind:
    """One e-mail kind. ``subject`` and ``lead`` may use ``%(group)s``, ``%(when)s`` (the session's start in
    the recipient's language) and ``%(rule)s`` (an alert's rule)."""

    value: str  # stored in Outbox.kind (at most 24 characters); the enum member is its upper case
    label: Text  # its name in the settings pages, the admin and the unsubscribe line
    audience: str = FOR_SESSIONS  # whom it is for (one of ``AUDIENCES``): its section in the preferences
    subject: Text
    lead: Text = ""  # the first paragraph of the message
    # For a calendar kind: the lead for a member who follows the subscription feed (no calendar part).
    feed_lead: Text = ""
    template: str = MESSAGE_TEMPLATE  # ``<template>.txt`` and ``<template>.html``
    # iTIP METHOD of the calendar part ("REQUEST", "CANCEL"); "" for none. With ``calendar_filename``.
    calendar_method: str = ""
    calendar_filename: Text = ""
    rsvp: bool = False  # carries the one-click attend / decline links
    casus_title: bool = False  # names the booked casussen' titles when the group allows it
    digestible: bool = False  # a member who chose the daily digest gets it bundled there
    # Only sent to an active member of the row's group (False: a digest, a mail asked for by its recipient).
    membership: bool = True
    group_opt_out: bool = True  # a group may switch it off (its notification settings)
    user_opt_out: bool = True  # a member may switch it off (their preferences, the unsubscribe link)
    unsubscribe: bool = True  # carries the one-click unsubscribe link and List-Unsubscribe
    before_session: BeforeSession | None = None
    decline_cancels: bool = False  # the member's "ik kan niet" cancels it (restored when they change it)
    answer_cancels: bool = False  # any RSVP answer cancels it (not restored)
    survives_session_cancel: bool = False  # still sent when its session is cancelled
    # The page its "Bekijk in Intervisie" link opens: URL names tried in order with the session id.
    open_view: tuple[str, ...] = ("sessions:detail",)
    # Instead: a page of the row's group (URL name taken with ``group_id``), e.g. the casus queue.
    open_group_view: str = ""
    # At send time: the reason it is no longer wanted is gone (row annotated by the sweep, now) → skip.
    gone: Callable[[Any, datetime], bool] | None = None
    # At send time, for a kind outside a group's life (password reset, invitation): its own check, which
    # replaces the membership and session checks; returns why it must not go out (a ``CancelReason``), or
    # None.
    own_rule: Callable[[Any, datetime], str | None] | None = None

    @property
    def name(self) -> str:
        return self.value.upper()


# --- send-time checks ----------------------------------------------------------------------------------


def _declined(row, now) -> bool:
    return row.declined


def _answered(row, now) -> bool:
    return row.answered


def _casus_prep_done(row, now) -> bool:
    return not row.is_presenter or row.own_casus_booked


def _casus_booked(row, now) -> bool:
    return row.casus_booked


def _quorum_reached(row, now) -> bool:
    return row.attending >= row.session.quorum


def _reflection_done(row, now) -> bool:
    from reflections.selectors import reflection_closes_at

    return row.reflected or row.reflection_round_closed or reflection_closes_at(row.session) <= now


def _written_done(row, now) -> bool:
    from casussen.written import reminder_not_needed

    return reminder_not_needed(
        subject_key=row.subject_key, session=row.session, user_id=row.recipient_id, now=now
    )


def _poll_closed(row, now) -> bool:
    from sessions.models import DatePoll

    return not DatePoll.objects.filter(pk=row.details.get("poll"), closed_at__isnull=True).exists()


def _password_reset_rule(row, now) -> str | None:
    from .models import CancelReason

    if not row.recipient.has_usable_password():
        return CancelReason.NO_PASSWORD
    if row.created_at + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT) <= now:
        return CancelReason.TOO_LATE
    return None


def _invitation_rule(row, now) -> str | None:
    from .models import CancelReason

    return None if row.invitation.is_open else CancelReason.INVITATION_CLOSED


# --- the kinds -----------------------------------------------------------------------------------------

REGISTRY: tuple[EmailKind, ...] = (
    EmailKind(
        value="invite",
        label=_("uitnodiging voor een bijeenkomst"),
        subject=_("Uitnodiging: %(group)s op %(when)s"),
        lead=_(
            "Je bent uitgenodigd voor de bijeenkomst van %(group)s op %(when)s. De afspraak zit als bijlage "
            "bij deze e-mail, zodat je hem in je eigen agenda kunt zetten."
        ),
        feed_lead=_(
            "Je bent uitgenodigd voor de bijeenkomst van %(group)s op %(when)s. Je agenda-abonnement zet hem "
            "vanzelf in je agenda."
        ),
        calendar_method="REQUEST",
        calendar_filename=pgettext_lazy("bestandsnaam, zonder .ics", "uitnodiging"),
        rsvp=True,
        casus_title=True,
    ),
    EmailKind(
        value="cancellation",
        label=_("afgelaste bijeenkomst"),
        subject=_("Afgelast: %(group)s op %(when)s"),
        lead=_(
            "De bijeenkomst van %(group)s op %(when)s gaat niet door. De bijlage haalt de afspraak uit je "
            "agenda."
        ),
        feed_lead=_(
            "De bijeenkomst van %(group)s op %(when)s gaat niet door. Je agenda-abonnement haalt hem vanzelf "
            "uit je agenda."
        ),
        calendar_method="CANCEL",
        calendar_filename=pgettext_lazy("bestandsnaam, zonder .ics", "afzegging"),
        survives_session_cancel=True,
    ),
    EmailKind(
        value="schedule_changed",
        label=_("rooster gewijzigd"),
        subject=_("Het rooster van %(group)s is gewijzigd"),
        lead=_("Het rooster van %(group)s is gewijzigd. Dit verandert er:"),
        # One message per member per confirmed schedule change (``planning.plan_schedule_changed``): the
        # changes are in ``Outbox.details``; to a member on the invite path it carries each changed
        # session's calendar file instead of that session's own invite or cancellation
        # (``schedule_mail.calendar_sessions``; docs/notifications.md, "Schedule changes").
    ),
    EmailKind(
        value="reminder_first",
        label=_("eerste herinnering"),
        subject=_("Herinnering: %(group)s op %(when)s"),
        lead=_("Over een week: de bijeenkomst van %(group)s op %(when)s."),
        rsvp=True,
        casus_title=True,
        digestible=True,
        before_session=BeforeSession(days="reminder_first_days", to=MEMBERS),
        decline_cancels=True,
        gone=_declined,
    ),
    EmailKind(
        value="reminder_second",
        label=_("tweede herinnering"),
        subject=_("Morgen: %(group)s op %(when)s"),
        lead=_("Binnenkort: de bijeenkomst van %(group)s op %(when)s."),
        rsvp=True,
        casus_title=True,
        before_session=BeforeSession(days="reminder_second_days", to=MEMBERS),
        decline_cancels=True,
        gone=_declined,
    ),
    EmailKind(
        value="rsvp_nudge",
        label=_("vraag om je aan of af te melden"),
        subject=_("Kom je naar %(group)s op %(when)s?"),
        lead=_(
            "Je hebt nog niet laten weten of je komt naar de bijeenkomst van %(group)s op %(when)s. "
            "Eén klik is genoeg."
        ),
        rsvp=True,
        casus_title=True,
        digestible=True,
        before_session=BeforeSession(days="rsvp_nudge_days", to=MEMBERS),
        decline_cancels=True,
        answer_cancels=True,
        gone=_answered,
    ),
    EmailKind(
        value="casus_prep",
        label=_("casusvoorbereiding (inbrenger)"),
        audience=FOR_PRESENTERS,
        subject=_("Je casus voor %(group)s op %(when)s"),
        lead=_(
            "Jij brengt een casus in bij de bijeenkomst van %(group)s op %(when)s. Is je casus al ingediend? "
            "Zo kan de groep zich voorbereiden."
        ),
        digestible=True,
        before_session=BeforeSession(days="casus_prep_days", to=PRESENTERS),
        gone=_casus_prep_done,
    ),
    EmailKind(
        value="no_casus",
        label=_("nog geen casus"),
        audience=FOR_PRESENTERS,
        subject=_("Nog geen casus voor %(group)s op %(when)s"),
        lead=_(
            "Voor de bijeenkomst van %(group)s op %(when)s is nog geen casus ingebracht. Heb jij een "
            "situatie uit je werk die je wilt bespreken?"
        ),
        digestible=True,
        before_session=BeforeSession(days="no_casus_days", to=MEMBERS),
        gone=_casus_booked,
    ),
    EmailKind(
        value="casus_requeued",
        label=_("je casus terug in de wachtrij (inbrenger)"),
        audience=FOR_PRESENTERS,
        subject=_("Je casus staat weer in de wachtrij van %(group)s"),
        lead=_(
            "De bijeenkomst van %(group)s op %(when)s gaat niet door. Je casus die daarvoor was ingepland, "
            "staat weer in de wachtrij: je kunt hem op een volgende bijeenkomst inplannen."
        ),
        survives_session_cancel=True,  # it is about the cancelled session
        open_group_view="casussen:queue",  # where the author books it again
    ),
    EmailKind(
        value="quorum_risk",
        label=_("te weinig aanmeldingen (begeleider)"),
        audience=FOR_FACILITATORS,
        subject=_("Te weinig aanmeldingen voor %(group)s op %(when)s"),
        lead=_(
            "Voor de bijeenkomst van %(group)s op %(when)s hebben zich minder deelnemers aangemeld dan het "
            "quorum. Overweeg de deelnemers te benaderen of de bijeenkomst te verzetten."
        ),
        before_session=BeforeSession(days="alert_quorum_days", to=FACILITATORS),
        gone=_quorum_reached,
    ),
    EmailKind(
        value="date_poll",
        label=_("datumprikker: kies mee een datum"),
        subject=_("Kies mee een datum voor %(group)s"),
        lead=_(
            "De begeleider van %(group)s stelt een paar data voor. Geef per datum aan of je kunt: één klik "
            "per datum is genoeg."
        ),
        # One per member when a facilitator opens a date poll (``poll_mail.plan_date_poll``, subject key
        # ``poll:<id>``); the links per date and answer are in the message (``poll_mail.poll_context``).
        # Moving the session on its confirmation is announced by the session's own invite.
        gone=_poll_closed,
    ),
    EmailKind(
        value="reflection_request",
        label=_("verzoek om een reflectie"),
        audience=FOR_REFLECTION,
        subject=_("Hoe was %(group)s op %(when)s?"),
        lead=_(
            "Dank voor je deelname aan %(group)s op %(when)s. Wil je in twee minuten een korte reflectie "
            "geven?"
        ),
        digestible=True,
        open_view=("reflections:write", "sessions:detail"),
    ),
    EmailKind(
        value="reflection_reminder",
        label=_("herinnering: de reflectie sluit bijna"),
        audience=FOR_REFLECTION,
        subject=_("Nog twee dagen: je reflectie op %(group)s van %(when)s"),
        lead=_(
            "Je hebt nog geen reflectie gegeven op de bijeenkomst van %(group)s op %(when)s. "
            "Over twee dagen sluit de reflectieronde; het kost je twee minuten."
        ),
        open_view=("reflections:write", "sessions:detail"),
        gone=_reflection_done,
    ),
    EmailKind(
        value="written_phase",
        label=_("herinnering: schriftelijke intervisie"),
        subject=_("Schrijf je bijdrage voor %(group)s: de fase sluit morgen"),
        lead=_(
            "De schriftelijke intervisie van %(group)s (bijeenkomst van %(when)s) loopt. De fase waarin jij "
            "iets schrijft sluit over een dag, en je hebt nog niets geschreven."
        ),
        # One per member and phase of a written session, a day before the phase's deadline, re-timed when
        # the deadline moves (``planning.plan_written``); not sent once the member wrote their part.
        open_view=("casussen:written", "sessions:detail"),
        gone=_written_done,
    ),
    EmailKind(
        value="followup",
        label=_("follow-up van je casus"),
        audience=FOR_PRESENTERS,
        subject=_("Wat heeft je casus opgeleverd? (%(group)s, %(when)s)"),
        lead=_(
            "Een paar weken geleden bracht je een casus in bij %(group)s (%(when)s). Wat is er met de "
            "adviezen gebeurd?"
        ),
        digestible=True,
        open_view=("reflections:followup", "sessions:detail"),
    ),
    EmailKind(
        value="advance_summary",
        label=_("samenvatting gedeeld met wie vooraf schreef"),
        audience=FOR_REFLECTION,
        subject=_("De inbrenger deelt de samenvatting: %(group)s, %(when)s"),
        lead=_(
            "Je kon niet bij de bijeenkomst van %(group)s op %(when)s zijn, maar schreef vooraf mee. De "
            "inbrenger deelt de samenvatting van de bespreking met je: je leest hem in Intervisie."
        ),
        # One message per member who wrote in advance, when the presenter shares their summary
        # (``planning.plan_advance_summary``, key casus:<id>:advance_summary). No casus text in the e-mail.
        survives_session_cancel=True,  # about a session that was held; nothing to cancel it
    ),
    EmailKind(
        value="attendance_alert",
        label=_("aanwezigheidssignaal (begeleider)"),
        audience=FOR_FACILITATORS,
        subject=_("Signaal voor %(group)s: %(rule)s"),
        lead=_("Er is een nieuw signaal over de aanwezigheid in %(group)s."),
    ),
    EmailKind(
        value="digest",
        label=_("dagelijks overzicht"),
        subject=_("Je dagelijkse overzicht van Intervisie"),
        lead=_("Dit is wat er vandaag voor jou klaarstaat."),
        membership=False,
        group_opt_out=False,
        user_opt_out=False,  # chosen or not with the digest setting itself
    ),
    EmailKind(
        value="admin_digest",
        label=_("dagelijks signalenoverzicht (beheerder)"),
        audience=FOR_ADMINS,
        subject=_("Signalen in je intervisiegroepen"),
        lead=_("Open signalen in de intervisiegroepen van je organisatie."),
        membership=False,
        group_opt_out=False,
    ),
    EmailKind(
        value="password_reset",
        label=_("link om een nieuw wachtwoord te kiezen"),
        subject=_("Nieuw wachtwoord voor Intervisie"),
        template="notifications/email/password_reset",
        membership=False,
        group_opt_out=False,
        user_opt_out=False,  # asked for by the recipient
        unsubscribe=False,
        own_rule=_password_reset_rule,
    ),
    EmailKind(
        value="invitation",
        label=_("uitnodiging voor een intervisiegroep"),
        subject=_("Uitnodiging voor intervisiegroep %(group)s"),
        template="notifications/email/invitation",
        membership=False,
        group_opt_out=False,
        user_opt_out=False,  # sent to an address, maybe without an account: nothing to switch off
        unsubscribe=False,
        own_rule=_invitation_rule,
    ),
)

BY_VALUE: dict[str, EmailKind] = {kind.value: kind for kind in REGISTRY}


def spec(value: str) -> EmailKind:
    """The registry entry of a kind value (``Outbox.kind``)."""
    return BY_VALUE[value]


def values(predicate: Callable[[EmailKind], bool]) -> frozenset[str]:
    """The kind values whose entry satisfies ``predicate``."""
    return frozenset(kind.value for kind in REGISTRY if predicate(kind))
