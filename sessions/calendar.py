"""iCalendar output, always built with the ``icalendar`` library: the per-session download, the personal
subscription feed and the invites that e-mails carry (``session_invite_ics``).

An event names the group, time, place and a link to the session page; never a casus (not even its title).
Every event of a session has the same UID (``Session.ical_uid``) and its ``SEQUENCE``, so calendars update
the existing event instead of adding a second one.

The feed is the hottest URL of the product. Its ETag comes from what it depends on (``feedcache``: a
per-reader version kept in the cache, invalidated by every change that touches the feed, else two small
queries, ``selectors.feed_version``), so a conditional GET is answered 304 without reading any session; the
whole feed is cached under its ETag, so a poll after which nothing changed is one cache read. Below that,
events are cached one by one, as the bytes the library produced, keyed on what they depend on (session
pk + updated_at + sequence, the reader's RSVP answer and when they gave it, the reader (their ATTENDEE),
zone, group name and organizer, whether the session has begun, language and site URL), so a change
rebuilds only the events it touches. What an event tells the reader (ATTENDEE/PARTSTAT, ORGANIZER,
LAST-MODIFIED, METHOD of downloads and invites) is explained in ``docs/notifications.md``, "Calendars".
One query (``selectors.feed_rows``) gives every event's key and content (no second query, no model instances).
The feed itself is the library's VCALENDAR (with VTIMEZONE) with those event bytes placed before its
``END:VCALENDAR`` line.
"""

import hashlib
from datetime import UTC, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import RSVP, Session
from .selectors import FeedRow, Organizer, feed_rows, group_organizer, reader_groups

PRODID = "-//Intervisie//Intervisie//NL"
CACHE_VERSION = 3
EVENT_CACHE_SECONDS = 60 * 60 * 24 * 7
FEED_CACHE_SECONDS = 60 * 60 * 24
ALARM_BEFORE = timedelta(hours=1)
END_CALENDAR = b"END:VCALENDAR\r\n"


def group_zone(group) -> ZoneInfo:
    """The group's schedule time zone (the wall clock its sessions are planned in), else TIME_ZONE."""
    try:
        name = group.schedule.timezone
    except ObjectDoesNotExist:
        name = None
    return ZoneInfo(_usable_zone(name))


def session_zone(session: Session) -> ZoneInfo:
    return group_zone(session.group)


def _usable_zone(name: str | None) -> str:
    if name:
        try:
            ZoneInfo(name)
            return name
        except (KeyError, ValueError):
            pass
    return settings.TIME_ZONE


def _vtimezone(tzid: str):
    """The zone's VTIMEZONE: yearly rules, right for every date (``sessions/vtimezone.py``); built once
    per zone and process."""
    from .vtimezone import vtimezone

    return vtimezone(tzid)


PARTSTAT = {
    RSVP.Answer.ATTEND: "ACCEPTED",
    RSVP.Answer.DECLINE: "DECLINED",
    RSVP.Answer.MAYBE: "TENTATIVE",
}
NO_ANSWER_PARTSTAT = "NEEDS-ACTION"


class Reader(NamedTuple):
    """The member a calendar is made for: its ATTENDEE (with their answer as PARTSTAT)."""

    email: str
    name: str


class _Texts:
    """The event texts in the active language, looked up once per build instead of once per event."""

    def __init__(self):
        # The group's name usually names the kind of meeting already ("Intervisie Wijkteam Noord").
        self.summary = _("Intervisie · %(group)s")
        self.word = _("Intervisie").casefold()
        self.cancelled = _("Geannuleerd: %(summary)s")
        self.answer = _("Jouw antwoord: %(answer)s")
        self.reason = _("Reden van annulering: %(reason)s")
        self.online = _("Online: %(link)s")
        self.labels = {
            RSVP.Answer.ATTEND: _("je komt"),
            RSVP.Answer.DECLINE: _("je hebt je afgemeld"),
            RSVP.Answer.MAYBE: _("misschien"),
        }
        self.no_answer = _("nog niet gereageerd")
        # The session page's URL, reversed once: the part before and after the session id.
        path = reverse("sessions:detail", kwargs={"session_id": _URL_SENTINEL})
        self.url_head, self.url_tail = path.split(str(_URL_SENTINEL), 1)
        self.url_head = settings.SITE_URL + self.url_head


_URL_SENTINEL = 2_147_483_647


class _Builder:
    """Builds VEVENTs with the icalendar library's own property types (``vText``, ``vDatetime``, ...),
    set directly instead of through ``Event.new``/``add()``, which guess each value's type: same output,
    a third of the work. Shares what events have in common (texts, zones, alarms) within one build."""

    def __init__(self):
        self.texts = _Texts()
        self.zones: dict[str | None, ZoneInfo] = {}
        self.alarms: dict[str, object] = {}
        self.addresses: dict[tuple, object] = {}

    def zone(self, tzid: str | None) -> ZoneInfo:
        zone = self.zones.get(tzid)
        if zone is None:
            zone = self.zones[tzid] = ZoneInfo(_usable_zone(tzid))
        return zone

    def alarm(self, summary: str):
        from icalendar import Alarm
        from icalendar.prop import vDuration, vText

        alarm = self.alarms.get(summary)
        if alarm is None:  # the same for every event with this summary (serialised, never changed)
            alarm = self.alarms[summary] = Alarm()
            alarm["ACTION"] = vText("DISPLAY")
            alarm["DESCRIPTION"] = vText(summary)
            alarm["TRIGGER"] = vDuration(-ALARM_BEFORE)
        return alarm

    def organizer(self, organizer: Organizer):
        """The ORGANIZER property, made once per build (serialised, never changed)."""
        key = ("organizer", *organizer)
        found = self.addresses.get(key)
        if found is None:
            found = self.addresses[key] = _address(organizer.email, organizer.name)
        return found

    def attendee(self, reader: Reader, answer: str | None):
        """The reader's ATTENDEE with their answer as PARTSTAT. Members answer in the app (the links in the
        e-mail, the session page): a reply from a calendar app reaches the organizer, a person, but is not
        asked for (RSVP=FALSE)."""
        key = ("attendee", *reader, answer)
        found = self.addresses.get(key)
        if found is None:
            found = self.addresses[key] = _address(reader.email, reader.name)
            found.params["ROLE"] = "REQ-PARTICIPANT"
            found.params["PARTSTAT"] = PARTSTAT.get(answer, NO_ANSWER_PARTSTAT)
            found.params["RSVP"] = "FALSE"
        return found

    def title(self, group_name: str) -> str:
        """The event's title: the group's name, with the word "Intervisie" before it unless it has it."""
        if self.texts.word in group_name.casefold():
            return group_name
        return self.texts.summary % {"group": group_name}

    def event(
        self,
        row: FeedRow,
        *,
        now: datetime,
        reader: Reader | None = None,
        organizer: Organizer | None = None,
        stamp: datetime | None = None,
        alarm: bool = True,
    ):
        """The VEVENT of one session (no casus content); ``row.answer`` is the reader's RSVP, shown in the
        text and, with ``reader``, as their ATTENDEE's PARTSTAT. LAST-MODIFIED is the last change this
        reader can see (the session's or their own answer's); DTSTAMP is ``stamp`` (when an iTIP message
        is made) or, without a METHOD to answer, that same moment (RFC 5545 3.8.7.2). A session that has
        begun (at ``now``), is cancelled or declined carries no alarm. Properties are set in the library's
        canonical order, so ``to_ical(sorted=False)`` gives the sorted output without sorting each time."""
        from icalendar import Event
        from icalendar.prop import vDatetime, vInt, vText

        from .vtimezone import event_time

        texts = self.texts
        tz = self.zone(row.tzid)
        answer = row.answer
        cancelled = row.status == Session.Status.CANCELLED
        summary = self.title(row.group_name)
        if cancelled:
            summary = texts.cancelled % {"summary": summary}
        lines = []
        if answer is not None or not cancelled:
            lines.append(texts.answer % {"answer": texts.labels.get(answer, texts.no_answer)})
        if cancelled and row.cancellation_reason:
            lines.append(texts.reason % {"reason": row.cancellation_reason})
        if row.online_link:
            lines.append(texts.online % {"link": row.online_link})
        # (no URL property: one line less per event in the hot feed)
        lines.append(f"{texts.url_head}{row.pk}{texts.url_tail}")
        modified = last_modified(row).astimezone(UTC)
        event = Event()
        event["SUMMARY"] = vText(summary)
        event["DTSTART"] = vDatetime(event_time(row.starts_at, tz))  # UTC in the hour that occurs twice
        event["DTEND"] = vDatetime(event_time(row.ends_at, tz))
        event["DTSTAMP"] = vDatetime((stamp or modified).astimezone(UTC))
        event["UID"] = vText(ical_uid(row.pk))
        event["SEQUENCE"] = vInt(row.sequence)
        event["DESCRIPTION"] = vText("\n".join(lines))
        location = row.location or row.online_link
        if location:
            event["LOCATION"] = vText(location)
        # Defaults (CONFIRMED, OPAQUE) are left out: every line counts in a 500-event feed.
        if cancelled:
            event["STATUS"] = vText("CANCELLED")
        if cancelled or answer == RSVP.Answer.DECLINE:
            event["TRANSP"] = vText("TRANSPARENT")
        event["LAST-MODIFIED"] = vDatetime(modified)
        if organizer is not None:
            event["ORGANIZER"] = self.organizer(organizer)
        if reader is not None:
            event["ATTENDEE"] = self.attendee(reader, answer)
        if alarm and not cancelled and answer != RSVP.Answer.DECLINE and row.starts_at > now:
            event.add_component(self.alarm(summary))
        return event


def _address(email: str, name: str):
    from icalendar import vCalAddress

    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    return address


def last_modified(row: FeedRow) -> datetime:
    """The last change a reader of this event can see: the session's own, or their answer's."""
    if row.answered_at is not None and row.answered_at > row.updated_at:
        return row.answered_at
    return row.updated_at


def ical_uid(session_id: int) -> str:
    """``Session.ical_uid`` without the model instance (the feed builds from rows)."""
    from .models import session_uid

    return session_uid(session_id)


def _row(session: Session, answer: str | None, answered_at: datetime | None = None) -> FeedRow:
    return FeedRow(
        pk=session.pk,
        updated_at=session.updated_at,
        sequence=session.sequence,
        answer=answer,
        tzid=session_zone(session).key,
        group_name=session.group.name,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=session.location,
        online_link=session.online_link,
        status=session.status,
        cancellation_reason=session.cancellation_reason,
        group_id=session.group_id,
        answered_at=answered_at,
    )


def session_event(
    session: Session,
    *,
    answer: str | None = None,
    answered_at: datetime | None = None,
    reader: Reader | None = None,
    organizer: Organizer | None = None,
    stamp: datetime | None = None,
    alarm=True,
):
    """The VEVENT of a session (no casus content). ``answer`` is the reader's RSVP (given at
    ``answered_at``), ``reader`` their ATTENDEE."""
    return _Builder().event(
        _row(session, answer, answered_at),
        now=timezone.now(),
        reader=reader,
        organizer=organizer,
        stamp=stamp,
        alarm=alarm,
    )


def _calendar(*, name=None, method=None, tzids=(), uid=None, refresh_interval=None):
    from icalendar import Calendar

    calendar = Calendar.new(
        prodid=PRODID, name=name, method=method, uid=uid, refresh_interval=refresh_interval
    )
    for tzid in sorted(set(tzids)):
        calendar.add_component(_vtimezone(tzid))
    return calendar


def session_ics(
    session: Session,
    *,
    answer: str | None = None,
    answered_at: datetime | None = None,
    reader: Reader | None = None,
) -> bytes:
    """The .ics download of one session: METHOD:PUBLISH (RFC 5546 3.2.1: no ATTENDEE; the ORGANIZER,
    which PUBLISH requires, is the group's facilitator), the reader's answer in the text."""
    event = session_event(
        session, answer=answer, answered_at=answered_at, organizer=session_organizer(session)
    )
    # A calendar UID of its own, stable (the library would draw a random one): the bytes, and so the
    # download's ETag, change only with what it shows.
    calendar = _calendar(method="PUBLISH", tzids=[session_zone(session).key], uid=f"download-{event['UID']}")
    calendar.add_component(event)
    return calendar.to_ical()


def session_invite_ics(
    session: Session,
    *,
    cancel: bool,
    attendee_email: str | None = None,
    attendee_name: str = "",
    answer: str | None = None,
    answered_at: datetime | None = None,
    organizer: Organizer | None = None,
) -> bytes:
    """The iTIP message an e-mail carries (RFC 5546): METHOD:REQUEST when planned or changed, METHOD:CANCEL
    (STATUS:CANCELLED) when cancelled. Same UID every time; SEQUENCE is the session's, which goes up on
    every change of time, place or status. The ATTENDEE is the recipient with their current answer as
    PARTSTAT; the ORGANIZER the group's facilitator (``organizer``, else looked up), or the configured
    ``CALENDAR_ORGANIZER_EMAIL`` for a group without one. DTSTAMP is now (when the message is made)."""
    reader = Reader(attendee_email, attendee_name) if attendee_email else None
    event = session_event(
        session,
        answer=answer,
        answered_at=answered_at,
        reader=reader,
        organizer=organizer or session_organizer(session),
        stamp=timezone.now(),
        alarm=not cancel,
    )
    if cancel:
        event["STATUS"] = "CANCELLED"
    calendar = _calendar(method="CANCEL" if cancel else "REQUEST", tzids=[session_zone(session).key])
    calendar.add_component(event)
    return calendar.to_ical()


def session_organizer(session: Session) -> Organizer:
    """The ORGANIZER of a session's events: the group's facilitator, else the configured address."""
    return group_organizer(session.group_id) or fallback_organizer()


def fallback_organizer() -> Organizer:
    """``CALENDAR_ORGANIZER_EMAIL`` (a mailbox a person reads; by default the sender address) for a group
    without a facilitator."""
    from email.utils import parseaddr

    name, address = parseaddr(settings.CALENDAR_ORGANIZER_EMAIL)
    return Organizer(address or "noreply@intervisie.local", name or "Intervisie")


# --- the personal feed -------------------------------------------------------------------------------


def _digest(text: str, size: int = 8) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def _event_key_prefix(language: str, reader: Reader) -> str:
    """What every event of a build shares: this code's version, the site URL (in the text), language and
    the reader (their ATTENDEE line)."""
    who = _digest(f"{reader.email}\n{reader.name}")
    return f"ical:{CACHE_VERSION}:{_digest(settings.SITE_URL, 4)}:{language}:{who}"


def _event_key(prefix: str, row: FeedRow, names: dict, organizer: Organizer, now: datetime) -> str:
    """What a feed event depends on: the session's version (pk, updated_at, sequence: every change of a
    session's own fields), the reader's answer and when they gave it (LAST-MODIFIED), the group's zone,
    name and organizer (a rename or a new facilitator changes no session), and whether it has begun (no
    alarm then)."""
    group = names.get((row.group_name, organizer))
    if group is None:
        group = names[(row.group_name, organizer)] = _digest("\n".join((row.group_name, *organizer)))
    stamp = f"{row.updated_at.timestamp():.6f}"
    answered = f"{row.answered_at.timestamp():.6f}" if row.answered_at else "-"
    begun = "b" if row.starts_at <= now else "u"
    answer = f"{row.answer or '-'}:{answered}"
    return f"{prefix}:{row.pk}:{stamp}:{row.sequence}:{answer}:{row.tzid}:{group}:{begun}"


def feed_language(user) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def feed_etag(user, version: dict) -> str:
    """From ``selectors.feed_version``, the reader's token, language and name (the calendar's name) and
    this code's cache version."""
    parts = [
        CACHE_VERSION,
        settings.SITE_URL,
        user.feed_token,
        feed_language(user),
        user.display_name,
        user.email,
        *(version[k] for k in sorted(version)),
    ]
    raw = "|".join(v.isoformat() if isinstance(v, datetime) else str(v) for v in parts)
    return f'"{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"'


def body_etag(body: bytes) -> str:
    """A strong ETag for a calendar whose bytes depend only on what it shows (no DTSTAMP of "now")."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def feed_ics(user, *, etag: str, rows: list[FeedRow] | None = None) -> bytes:
    """The user's subscription feed: their groups' sessions from 3 months back to the horizon, with their
    RSVP status and a reminder. The whole feed is cached under its ETag (a poll after which nothing
    changed is one cache read) and each event on its own (a change rebuilds only the events it touches)."""
    feed_key = f"ical-feed:{CACHE_VERSION}:{user.pk}:{etag}"
    body = cache.get(feed_key)
    if body is None:
        body = _build_feed(user, feed_rows(user) if rows is None else rows)
        cache.set(feed_key, body, timeout=FEED_CACHE_SECONDS)
    return body


def _organizers(user) -> dict[int, Organizer]:
    """The ORGANIZER of each of the reader's groups (one query)."""
    fallback = fallback_organizer()
    return {
        group_id: Organizer(email, name or "") if email else fallback
        for group_id, _name, email, name in reader_groups(user)
    }


def _build_feed(user, rows: list[FeedRow]) -> bytes:
    language = feed_language(user)
    now = timezone.now()
    reader = Reader(user.email, user.display_name)
    organizers = _organizers(user) if rows else {}
    fallback = fallback_organizer()
    row_organizers = [organizers.get(row.group_id, fallback) for row in rows]
    prefix, names = _event_key_prefix(language, reader), {}
    keys = [
        _event_key(prefix, row, names, organizer, now)
        for row, organizer in zip(rows, row_organizers, strict=True)
    ]
    cached = cache.get_many(keys) if keys else {}
    tzids = {settings.TIME_ZONE}
    tzids.update(_usable_zone(tzid) for tzid in {row.tzid for row in rows})
    with translation.override(language):
        missing = [
            (key, row, organizer)
            for key, row, organizer in zip(keys, rows, row_organizers, strict=True)
            if key not in cached
        ]
        if missing:
            builder = _Builder()
            built = {
                key: builder.event(row, now=now, reader=reader, organizer=organizer).to_ical(sorted=False)
                for key, row, organizer in missing
            }
            cache.set_many(built, timeout=EVENT_CACHE_SECONDS)
            cached.update(built)
        calendar = _calendar(
            name=_("Intervisie – %(name)s") % {"name": user.display_name},
            tzids=tzids,
            uid=f"intervisie-feed-{user.pk}",
            refresh_interval=timedelta(hours=1),
        )
        head = calendar.to_ical()
    events = b"".join([cached[key] for key in keys])
    return head[: -len(END_CALENDAR)] + events + END_CALENDAR
