"""iCalendar output, always built with the ``icalendar`` library: the per-session download, the personal
subscription feed and the invites that e-mails carry (``session_invite_ics``).

An event names the group, time, place and a link to the session page; never a casus (not even its title).
Every event of a session has the same UID (``Session.ical_uid``) and its ``SEQUENCE``, so calendars update
the existing event instead of adding a second one.

The feed is the hottest URL of the product. One query gives what it depends on (``selectors.feed_rows``),
which fixes its ETag: a conditional GET is answered 304 from that alone; the whole feed is cached under
its ETag, so a poll after which nothing changed is one cache read. Below that, events are cached one by
one, as the bytes the library produced, keyed on what they depend on (session pk + updated_at + sequence,
the reader's RSVP answer, zone and language; shared by all readers with the same answer), so a change
rebuilds only the events it touches. The feed itself is the library's VCALENDAR (with VTIMEZONE) with
those event bytes placed before its ``END:VCALENDAR`` line.
"""

import hashlib
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import RSVP, Session
from .selectors import FeedRow, feed_rows, feed_sessions, feed_version

PRODID = "-//Intervisie//Intervisie//NL"
CACHE_VERSION = 1
EVENT_CACHE_SECONDS = 60 * 60 * 24 * 7
FEED_CACHE_SECONDS = 60 * 60 * 24
ALARM_BEFORE = timedelta(hours=1)
END_CALENDAR = b"END:VCALENDAR\r\n"

PARTSTAT = {
    RSVP.Answer.ATTEND: "ACCEPTED",
    RSVP.Answer.DECLINE: "DECLINED",
    RSVP.Answer.MAYBE: "TENTATIVE",
    None: "NEEDS-ACTION",
}


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


@lru_cache(maxsize=16)
def _vtimezone(tzid: str):
    from icalendar import Timezone

    today = date.today()  # noqa: DTZ011 - a range of years, the zone does not matter
    return Timezone.from_tzid(
        tzid, first_date=date(today.year - 2, 1, 1), last_date=date(today.year + 3, 1, 1)
    )


def session_url(session: Session) -> str:
    return f"{settings.SITE_URL}{reverse('sessions:detail', kwargs={'session_id': session.pk})}"


def _answer_label(answer: str | None) -> str:
    return {
        RSVP.Answer.ATTEND: _("je komt"),
        RSVP.Answer.DECLINE: _("je hebt je afgemeld"),
        RSVP.Answer.MAYBE: _("misschien"),
    }.get(answer, _("nog niet gereageerd"))


def session_event(session: Session, *, answer: str | None = None, stamp: datetime | None = None, alarm=True):
    """The VEVENT of a session (no casus content). ``answer`` is the reader's RSVP (feed and download)."""
    from icalendar import Alarm, Event

    tz = session_zone(session)
    cancelled = session.status == Session.Status.CANCELLED
    summary = _("Intervisie %(group)s") % {"group": session.group.name}
    if cancelled:
        summary = _("Geannuleerd: %(summary)s") % {"summary": summary}
    lines = []
    if answer is not None or not cancelled:
        lines.append(_("Jouw antwoord: %(answer)s") % {"answer": _answer_label(answer)})
    if cancelled and session.cancellation_reason:
        lines.append(_("Reden van annulering: %(reason)s") % {"reason": session.cancellation_reason})
    if session.online_link:
        lines.append(_("Online: %(link)s") % {"link": session.online_link})
    lines.append(session_url(session))  # (no URL property: one line less per event in the hot feed)
    event = Event.new(
        uid=session.ical_uid,
        sequence=session.sequence,
        stamp=(stamp or session.updated_at).astimezone(UTC),
        start=session.starts_at.astimezone(tz),
        end=session.ends_at.astimezone(tz),
        summary=summary,
        description="\n".join(lines),
        location=session.location or session.online_link or None,
        # Defaults (CONFIRMED, OPAQUE) are left out: every line counts in a 500-event feed.
        status="CANCELLED" if cancelled else None,
        transparency="TRANSPARENT" if cancelled or answer == RSVP.Answer.DECLINE else None,
    )
    if alarm and not cancelled and answer != RSVP.Answer.DECLINE:
        reminder = Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("description", summary)
        reminder.add("trigger", -ALARM_BEFORE)
        event.add_component(reminder)
    return event


def _calendar(*, name=None, method=None, tzids=(), uid=None, refresh_interval=None):
    from icalendar import Calendar

    calendar = Calendar.new(
        prodid=PRODID, name=name, method=method, uid=uid, refresh_interval=refresh_interval
    )
    for tzid in sorted(set(tzids)):
        calendar.add_component(_vtimezone(tzid))
    return calendar


def session_ics(session: Session, *, answer: str | None = None) -> bytes:
    """The .ics download of one session (METHOD:PUBLISH), with the reader's answer."""
    event = session_event(session, answer=answer)
    calendar = _calendar(method="PUBLISH", tzids=[session_zone(session).key])
    calendar.add_component(event)
    return calendar.to_ical()


def session_invite_ics(session: Session, *, cancel: bool, attendee_email: str | None = None) -> bytes:
    """The iTIP invite an e-mail carries: METHOD:REQUEST when planned or changed, METHOD:CANCEL when
    cancelled. Same UID every time; SEQUENCE is the session's, which goes up on every change."""
    from icalendar import vCalAddress

    event = session_event(session, stamp=timezone.now(), alarm=not cancel)
    if cancel:
        event["STATUS"] = "CANCELLED"
    organizer = vCalAddress(f"mailto:{_from_address()}")
    organizer.params["CN"] = "Intervisie"
    event.add("organizer", organizer)
    if attendee_email:
        attendee = vCalAddress(f"mailto:{attendee_email}")
        attendee.params.update({"ROLE": "REQ-PARTICIPANT", "PARTSTAT": "NEEDS-ACTION", "RSVP": "FALSE"})
        event.add("attendee", attendee)
    calendar = _calendar(method="CANCEL" if cancel else "REQUEST", tzids=[session_zone(session).key])
    calendar.add_component(event)
    return calendar.to_ical()


def _from_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@intervisie.local"


# --- the personal feed -------------------------------------------------------------------------------


def _event_key(row: FeedRow, language: str) -> str:
    """What a feed event depends on: the session's version, the reader's answer, zone and language."""
    stamp = f"{row.updated_at.timestamp():.6f}"
    return f"ical:{CACHE_VERSION}:{row.pk}:{stamp}:{row.sequence}:{row.answer or '-'}:{row.tzid}:{language}"


def feed_language(user) -> str:
    return user.preferred_language or settings.LANGUAGE_CODE


def feed_etag(user, version: dict) -> str:
    """From ``selectors.feed_version``, the reader's token and language (and this code's cache version)."""
    parts = [CACHE_VERSION, user.feed_token, feed_language(user), *(version[k] for k in sorted(version))]
    raw = "|".join(v.isoformat() if isinstance(v, datetime) else str(v) for v in parts)
    return f'"{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"'


def feed_last_modified(version: dict) -> datetime | None:
    stamps = [version[k] for k in ("updated", "answered", "schedule_updated") if version[k] is not None]
    return max(stamps, default=None)


def feed_ics(user, *, etag: str | None = None, rows: list[FeedRow] | None = None) -> bytes:
    """The user's subscription feed: their groups' sessions from 3 months back to the horizon, with their
    RSVP status and a reminder. The whole feed is cached under its ETag (a poll after which nothing
    changed is one cache read) and each event on its own (a change rebuilds only the events it touches)."""
    feed_key = f"ical-feed:{CACHE_VERSION}:{user.pk}:{etag or feed_etag(user, feed_version(user))}"
    body = cache.get(feed_key)
    if body is None:
        body = _build_feed(user, feed_rows(user) if rows is None else rows)
        cache.set(feed_key, body, timeout=FEED_CACHE_SECONDS)
    return body


def _build_feed(user, rows: list[FeedRow]) -> bytes:
    language = feed_language(user)
    keys = [_event_key(row, language) for row in rows]
    cached = cache.get_many(keys) if keys else {}
    missing = [row for row, key in zip(rows, keys, strict=True) if key not in cached]
    tzids = {settings.TIME_ZONE}
    tzids.update(_usable_zone(row.tzid) for row in rows)
    with translation.override(language):
        if missing:
            sessions = feed_sessions(row.pk for row in missing)
            built = {}
            for row in missing:
                session = sessions.get(row.pk)
                if session is None:  # deleted between the two queries
                    continue
                built[_event_key(row, language)] = session_event(session, answer=row.answer).to_ical()
            cache.set_many(built, timeout=EVENT_CACHE_SECONDS)
            cached.update(built)
        calendar = _calendar(
            name=_("Intervisie – %(name)s") % {"name": user.display_name},
            tzids=tzids,
            uid=f"intervisie-feed-{user.pk}",
            refresh_interval=timedelta(hours=1),
        )
        head = calendar.to_ical()
    events = b"".join(cached[key] for key in keys if key in cached)
    return head[: -len(END_CALENDAR)] + events + END_CALENDAR
