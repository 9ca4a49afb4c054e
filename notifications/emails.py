"""Rendering outbox rows as multipart e-mails in the recipient's language.

No casus content goes into a message: only group, session time and place, and links.

The sweep renders thousands of near-identical messages (a reminder for one session to its members), so the
work is shared within a batch (``Shared``): the templates are rendered once per language, kind, session and
alert with placeholders for the per-recipient parts (name and one-click links), which are then filled in
(HTML-escaped in the HTML part, as autoescaping would). ``OutboxEmail`` builds exactly the MIME that Django's
``EmailMultiAlternatives`` builds, but parses a header value that repeats from message to message (From,
Subject, content types) once instead of for every message.
"""

import copy
import email.policy
import uuid
from datetime import UTC, datetime
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.utils import format_datetime
from functools import cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, translation
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode

from sessions.models import installation

from . import kinds, mailtemplates
from .models import Kind, Outbox
from .tokens import Action, link_url

RSVP_KINDS = kinds.values(lambda entry: entry.rsvp)
CALENDAR_KINDS = kinds.values(lambda entry: bool(entry.calendar_method))
TEXT_TEMPLATE = f"{kinds.MESSAGE_TEMPLATE}.txt"
HTML_TEMPLATE = f"{kinds.MESSAGE_TEMPLATE}.html"


@cache
def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@cache
def _mail_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "intervisie.local"


def message_id(pk: int) -> str:
    """The Message-ID of an outbox row's e-mail: the same at every attempt (what to look for in the mail
    server's log when the row is in doubt), and never the same in another installation or after a database
    rebuild (the installation's random key, ``sessions.models.Installation``)."""
    key, _legacy = installation()
    return f"<outbox-{pk}.{key}@{_mail_domain()}>"


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
    entry = kinds.spec(row.kind)
    if entry.open_group_view and row.group_id:
        return settings.SITE_URL + reverse(entry.open_group_view, kwargs={"group_id": row.group_id})
    if row.session_id:
        url = _reverse_first(entry.open_view, [row.session_id])
        if url:
            return url
    if row.group_id:
        return settings.SITE_URL + reverse("groups:detail", kwargs={"group_id": row.group_id})
    return settings.SITE_URL + reverse("home")


# Invites and cancellations carry the iTIP message twice, as calendar clients expect (what Google Calendar
# sends): inline, as the last alternative of the body (``text/calendar; method=...``: mail clients show a
# meeting request or remove the event), and as a file to open by hand, typed ``application/ics`` so no
# client takes it for a second request. Which kinds, their METHOD and file name: ``kinds.REGISTRY``.


def _follows_feed(row: Outbox) -> bool:
    """The recipient chose the subscription feed as their calendar path (the sweep annotates it)."""
    from .models import CalendarPath
    from .selectors import calendar_path_of

    feed = getattr(row, "calendar_feed", None)
    if feed is None:
        feed = calendar_path_of(row.recipient_id) == CalendarPath.FEED
    return feed


def _answer(row: Outbox) -> tuple[str | None, datetime | None]:
    """The recipient's current RSVP to the row's session and when they gave it (the sweep annotates it)."""
    if hasattr(row, "rsvp_answer"):
        return row.rsvp_answer, row.rsvp_answered_at
    from sessions.models import RSVP

    found = (
        RSVP.objects.filter(session_id=row.session_id, user_id=row.recipient_id)
        .values_list("answer", "answered_at")
        .first()
    )
    return found or (None, None)


def _ics(row: Outbox, *, cancel: bool, organizers: dict) -> bytes:
    """The invite or cancellation for the row's recipient, with their current answer as PARTSTAT; the
    group's organizer looked up once per batch (``organizers``)."""
    from sessions.calendar import session_invite_ics, session_organizer

    session, user = row.session, row.recipient
    organizer = organizers.get(session.group_id)
    if organizer is None:
        organizer = organizers[session.group_id] = session_organizer(session)
    answer, answered_at = _answer(row)
    return session_invite_ics(
        session,
        cancel=cancel,
        attendee_email=user.email,
        attendee_name=user.display_name,
        answer=answer,
        answered_at=answered_at,
        organizer=organizer,
    )


def _attach_calendar(message: EmailMultiAlternatives, row: Outbox, organizers: dict) -> None:
    """The iTIP message, inline and as a file whose name says what it is (in the recipient's language)."""
    entry = kinds.spec(row.kind)
    method = entry.calendar_method
    ics = _ics(row, cancel=method == "CANCEL", organizers=organizers)
    message.attach_alternative(ics.decode(), f"text/calendar; method={method}; charset=UTF-8")
    message.attach(f"{entry.calendar_filename}.ics", ics, "application/ics")


def _attach_schedule_calendars(message: EmailMultiAlternatives, row: Outbox, organizers: dict) -> None:
    """A schedule change's message to a member on the invite path: each session's iTIP file
    (``schedule_mail.calendar_sessions``), as its own invite or cancellation would carry it, named by what
    it does and the session's day (in the recipient's language); a change of one session also inline, as
    the meeting request mail clients show."""
    from sessions.calendar import session_invite_ics, session_organizer, session_zone
    from sessions.models import RSVP

    from .schedule_mail import calendar_sessions

    items = calendar_sessions(row)
    if not items:
        return
    user = row.recipient
    answers = {
        session_id: (answer, answered_at)
        for session_id, answer, answered_at in RSVP.objects.filter(
            user_id=user.pk, session_id__in=[session.pk for session, _ in items]
        ).values_list("session_id", "answer", "answered_at")
    }
    names: set[str] = set()
    for session, method in items:
        organizer = organizers.get(session.group_id)
        if organizer is None:
            organizer = organizers[session.group_id] = session_organizer(session)
        answer, answered_at = answers.get(session.pk, (None, None))
        ics = session_invite_ics(
            session,
            cancel=method == "CANCEL",
            attendee_email=user.email,
            attendee_name=user.display_name,
            answer=answer,
            answered_at=answered_at,
            organizer=organizer,
        )
        base = kinds.spec(Kind.CANCELLATION if method == "CANCEL" else Kind.INVITE).calendar_filename
        name = f"{base}-{session.starts_at.astimezone(session_zone(session)):%Y-%m-%d}"
        name = name if name not in names else f"{name}-{session.pk}"
        names.add(name)
        if len(items) == 1:
            message.attach_alternative(ics.decode(), f"text/calendar; method={method}; charset=UTF-8")
        message.attach(f"{name}.ics", ics, "application/ics")


# --- MIME: Django's message, with repeating header values parsed once ---------------------------------


class _OneLineHeader(UnstructuredHeader):
    """A header mail providers read as it stands: ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` (RFC
    8058; Gmail's and Yahoo's one-click unsubscribe). Folded at 998 characters, the line limit of RFC 5322,
    instead of 78: the long signed link is one word, which the library would otherwise RFC 2047-encode
    (``=?utf-8?q?=3Chttps…``) to fold it."""

    def fold(self, *, policy):
        return super().fold(policy=policy.clone(max_line_length=998))


class _SharedHeaders(HeaderRegistry):
    """A header factory that hands out one parsed header object per (name, value) it has seen. Header
    objects are immutable, so messages can share them; the bytes a message produces are unchanged. The
    unsubscribe headers are never folded (``_OneLineHeader``)."""

    LIMIT = 4096
    PER_MESSAGE = frozenset({"to", "cc", "message-id", "list-unsubscribe", "x-intervisie-outbox"})

    def __init__(self):
        super().__init__()
        self.map_to_type("list-unsubscribe", _OneLineHeader)
        self.map_to_type("list-unsubscribe-post", _OneLineHeader)
        self._classes: dict[str, type] = {}
        self._parsed: dict[tuple[str, str], object] = {}

    def __getitem__(self, name):
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls

    def __call__(self, name, value):
        if not isinstance(value, str) or name.lower() in self.PER_MESSAGE:
            return self[name](name, value)
        key = (name, value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= self.LIMIT:
                self._parsed.clear()
            header = self._parsed[key] = self[name](name, value)
        return header


@cache
def _sharing(policy: email.policy.EmailPolicy) -> email.policy.EmailPolicy:
    return policy.clone(header_factory=_SharedHeaders())


class OutboxEmail(EmailMultiAlternatives):
    """``EmailMultiAlternatives`` whose ``message()`` (called by every mail backend) reuses parsed header
    values; the produced MIME is the same (``tests/notifications/test_emails.py`` compares the bytes)."""

    def message(self, *, policy=email.policy.default):
        if isinstance(policy, email.policy.EmailPolicy) and type(policy.header_factory) is HeaderRegistry:
            policy = _sharing(policy)
        return super().message(policy=policy)

    def __deepcopy__(self, memo):
        """As deep a copy as ``copy.deepcopy`` makes (the locmem backend copies every message it keeps), made
        directly: the contents are strings, bytes and tuples of them, so new containers are enough."""
        if not all(isinstance(part, tuple) for part in (*self.attachments, *self.alternatives)):
            clone = copy.copy(self)
            clone.__dict__ = copy.deepcopy(self.__dict__, memo)
            return clone
        clone = copy.copy(self)
        clone.to, clone.cc, clone.bcc = list(self.to), list(self.cc), list(self.bcc)
        clone.reply_to = list(self.reply_to)
        clone.extra_headers = dict(self.extra_headers)
        clone.alternatives, clone.attachments = list(self.alternatives), list(self.attachments)
        return clone


# --- rendering, shared within a batch -----------------------------------------------------------------

_PLACEHOLDER = f"iv{uuid.uuid4().hex}"
# One letter each (so no placeholder is the start of another).
NAME, ATTEND, DECLINE, UNSUBSCRIBE = (f"{_PLACEHOLDER}{code}" for code in "nadu")
GROUP, WHEN, LOCATION, ONLINE, REASON, OPEN = (f"{_PLACEHOLDER}{code}" for code in "gwlorh")
# What the template sees: objects that render as the token and refuse filters and attributes.
_IN_TEMPLATE = dict(
    zip(
        (NAME, GROUP, WHEN, LOCATION, ONLINE, REASON, OPEN, UNSUBSCRIBE, ATTEND, DECLINE),
        mailtemplates.PLACEHOLDER_PATHS,
        strict=True,
    )
)
PLACEHOLDERS = {token: mailtemplates.Placeholder(token, path) for token, path in _IN_TEMPLATE.items()}


class Shared:
    """What the messages of one batch have in common, worked out once. The templates are rendered once per
    language, kind and shape (which optional lines show) with placeholders for everything that varies:
    group and session details (filled in per session and language, also cached here) and the recipient's
    name and links (filled in per message)."""

    def __init__(self):
        self._templates: dict[tuple, tuple[str, str, str]] = {}
        self._values: dict[tuple, tuple[dict[str, str], dict[str, str]]] = {}
        self.organizers: dict[int, object] = {}  # group id → the ORGANIZER of its invites

    def rendered(self, row: Outbox, extra: dict) -> tuple[str, str, str, dict[str, str], dict[str, str]]:
        """Subject, text and HTML templates for ``row`` in the active language, and the values of their
        group and session placeholders: as they are, and HTML-escaped."""
        language, session = translation.get_language(), row.session
        key = (language, row.kind, row.group_id, row.session_id)
        cached = self._values.get(key)
        if cached is None:
            plain = {
                GROUP: row.group.name if row.group_id else "",
                WHEN: when(session.starts_at) if session else "",
                LOCATION: (session.location or "") if session else "",
                ONLINE: (session.online_link or "") if session else "",
                REASON: (session.cancellation_reason or "") if session else "",
                OPEN: session_url(row),
            }
            cached = self._values[key] = (plain, {code: escape(value) for code, value in plain.items()})
        values = cached[0]
        html_lang = row.recipient.preferred_language
        shape = (language, html_lang, row.kind, row.group_id is not None, session is not None, row.alert_id)
        shape += tuple(bool(values[p]) for p in (LOCATION, ONLINE, REASON))
        shape += (repr(sorted(extra.items())),) if extra else ()
        templates = self._templates.get(shape)
        if templates is None:
            templates = self._templates[shape] = _render_shared(row, html_lang, values, extra)
        return (*templates, *cached)


def _render_shared(row: Outbox, html_lang: str, values: dict[str, str], extra: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of ``row`` in the active language, with placeholders for the group and session
    details and for the recipient's name and links. Nothing else may depend on the recipient (beyond their
    language) or the session (beyond which optional lines show)."""

    entry = kinds.spec(row.kind)

    p = PLACEHOLDERS

    def placeholder(code: str) -> mailtemplates.Placeholder | str:
        return p[code] if values[code] else ""

    session = (
        {
            "location": placeholder(LOCATION),
            "online_link": placeholder(ONLINE),
            "cancellation_reason": placeholder(REASON),
        }
        if row.session_id
        else None
    )
    group = {"name": p[GROUP]} if row.group_id else None
    texts = {"group": GROUP if group else "", "when": WHEN if session else ""}
    texts["rule"] = row.alert.get_rule_display() if row.alert_id else ""
    context = {
        "user": {"display_name": p[NAME], "preferred_language": html_lang},
        "lead": (entry.feed_lead if extra.get("calendar_feed") else entry.lead) % texts,
        "session": session,
        "group": group,
        "when": p[WHEN] if session else "",
        "open_url": p[OPEN],
        "unsubscribe_url": p[UNSUBSCRIBE],
        "kind_label": row.get_kind_display(),
        "site_url": settings.SITE_URL,
        **extra,
    }
    if entry.rsvp:
        context["attend_url"], context["decline_url"] = p[ATTEND], p[DECLINE]
    subject = str(entry.subject % texts)
    return (
        subject,
        mailtemplates.render(f"{entry.template}.txt", context),
        mailtemplates.render(f"{entry.template}.html", context),
    )


def _fill(template: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        template = template.replace(placeholder, value)
    return template


def _password_reset_message(row: Outbox) -> OutboxEmail:
    """The reset link, made now: the token (Django's, tied to the current password and last login, valid for
    PASSWORD_RESET_TIMEOUT) is in no database row. No unsubscribe link: the recipient asked for this mail."""
    user = row.recipient
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "reset_url": settings.SITE_URL + path,
            "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600),
            "site_url": settings.SITE_URL,
        }
        entry = kinds.spec(row.kind)
        subject = str(entry.subject)
        text = render_to_string(f"{entry.template}.txt", context)
        html = render_to_string(f"{entry.template}.html", context)
    return _one_to_one(row, subject=subject, text=text, html=html, to=user.email)


def _invitation_language(row: Outbox) -> str:
    """The invited address's own language if it has an account, else the inviter's, else the site's."""
    from accounts.models import User

    invitation = row.invitation
    account = User.objects.filter(email__iexact=row.address).values_list("preferred_language", flat=True)
    inviter = invitation.invited_by.preferred_language if invitation.invited_by_id else ""
    return account.first() or inviter or settings.LANGUAGE_CODE


def _invitation_message(row: Outbox) -> OutboxEmail:
    """The group invitation, to the invited address (who may have no account yet). The accept link is made
    now, like the password reset link: the signed token is in no database row and is valid for
    INVITATION_MAX_AGE from this moment."""
    from groups.services import invitation_url

    invitation, entry = row.invitation, kinds.spec(row.kind)
    language = _invitation_language(row)
    with translation.override(language):
        subject = str(entry.subject % {"group": invitation.group.name})
        context = {
            "group": invitation.group,
            "inviter": invitation.invited_by,
            "url": invitation_url(invitation),
            "language": language,
            "subject": subject,
        }
        text = render_to_string(f"{entry.template}.txt", context)
        html = render_to_string(f"{entry.template}.html", context)
    return _one_to_one(row, subject=subject, text=text, html=html, to=row.address)


def _one_to_one(row: Outbox, *, subject: str, text: str, html: str, to: str) -> OutboxEmail:
    """A message asked for by its one recipient (a reset link, an invitation): no list headers."""
    message = OutboxEmail(
        subject=subject,
        body=text,
        to=[to],
        headers={
            "Auto-Submitted": "auto-generated",
            "Message-ID": message_id(row.pk),
            "X-Intervisie-Outbox": str(row.pk),
            "Date": format_datetime(datetime.now(UTC).replace(microsecond=0)),
        },
    )
    message.attach_alternative(html, "text/html")
    return message


# Kinds whose message is not the shared group/session message: their own context and headers.
OWN_MESSAGES = {Kind.PASSWORD_RESET: _password_reset_message, Kind.INVITATION: _invitation_message}


def build_message(row: Outbox, *, extra: dict | None = None, shared: Shared | None = None) -> OutboxEmail:
    """The e-mail for ``row`` (recipient, group, session, alert loaded). ``extra`` adds template context
    (digest items, alert texts, casus titles) computed by the caller; ``shared`` is the batch's render
    cache (a fresh one when not given)."""
    if row.kind in OWN_MESSAGES:
        return OWN_MESSAGES[row.kind](row)
    user, shared = row.recipient, shared or Shared()
    calendar = row.kind in CALENDAR_KINDS and row.session_id is not None
    if calendar and _follows_feed(row):
        calendar, extra = False, {**(extra or {}), "calendar_feed": True}
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        subject, text, html, session_values, session_html = shared.rendered(row, extra or {})
    unsubscribe = link_url(row.pk, Action.UNSUBSCRIBE)
    personal = {NAME: user.display_name, UNSUBSCRIBE: unsubscribe}
    if row.kind in RSVP_KINDS:
        personal[ATTEND] = link_url(row.pk, Action.ATTEND)
        personal[DECLINE] = link_url(row.pk, Action.DECLINE)
    message = OutboxEmail(
        subject=_fill(subject, session_values),
        body=_fill(text, {**session_values, **personal}),
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
            "Message-ID": message_id(row.pk),
            "X-Intervisie-Outbox": str(row.pk),
            # What Django would add, to the second (so the parsed value is shared within that second).
            "Date": format_datetime(datetime.now(UTC).replace(microsecond=0)),
        },
    )
    html = _fill(html, {**session_html, **{code: escape(value) for code, value in personal.items()}})
    message.attach_alternative(html, "text/html")
    if calendar:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            _attach_calendar(message, row, shared.organizers)
    if row.kind == Kind.SCHEDULE_CHANGED and not _follows_feed(row):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            _attach_schedule_calendars(message, row, shared.organizers)
    return message
