"""The sessions app's part of the home page (``groups/todo.py``): the next session of each of the person's
groups (the headline) and the sessions they have not answered yet. One query."""

from collections.abc import Iterable
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups import health, todo

from .models import RSVP, DatePoll, Presenter, Session


def quorum_matters(session: Session, now) -> bool:
    """Whether a session's quorum is worth a warning now: inside the group's quorum check
    (``alert_quorum_days`` before it, the same window as the quorum alert) and not reached. Further ahead
    the count is shown calmly."""
    in_window = health.in_quorum_window(session.starts_at, now, health.Thresholds.of(session.group))
    return in_window and session.attend_count < session.quorum


# A planned session that has begun asks its group's facilitators for the attendance this long after its end.
ATTENDANCE_DUE_FOR = timedelta(days=14)


def _upcoming(person: todo.Person) -> list[Session]:
    """The person's planned sessions still to come or under way, and those that ended in the last
    ``ATTENDANCE_DUE_FOR`` without their attendance registered (still planned)."""
    mine = RSVP.objects.filter(session=OuterRef("pk"), user=person.user)
    presenting = Presenter.objects.filter(session=OuterRef("pk"), user=person.user)
    return list(
        Session.objects.filter(
            group_id__in=person.group_ids,
            status=Session.Status.PLANNED,
            ends_at__gt=person.now - ATTENDANCE_DUE_FOR,
        )
        .annotate(
            attend_count=Count("rsvps", filter=Q(rsvps__answer=RSVP.Answer.ATTEND)),
            answered=Exists(mine),
            presenting=Exists(presenting),
            open_poll=Exists(DatePoll.objects.filter(session=OuterRef("pk"), closed_at__isnull=True)),
        )
        .order_by("starts_at", "pk")
    )


def _headline(session: Session, person: todo.Person) -> todo.TodoItem:
    session.group = person.groups[session.group_id]
    details = []
    if session.starts_at <= person.now:
        details.append(_("nu bezig"))
    if session.presenting:
        details.append(_("jij brengt in"))
    if session.facilitator_id == person.user.pk:
        details.append(_("jij begeleidt"))
    warn = quorum_matters(session, person.now)
    count = _("%(count)s van %(quorum)s nodig") if warn else _("%(count)s van %(quorum)s aangemeld")
    details.append(count % {"count": session.attend_count, "quorum": session.quorum})
    return todo.TodoItem(
        kind="next",
        text=session.group.name,
        url=reverse("sessions:detail", args=[session.pk]),
        action=_("Naar de bijeenkomst"),
        group=session.group,
        when=session.starts_at,
        details=details,
        warn=warn,
        headline=True,
    )


def _rsvp(open_sessions: list[Session], person: todo.Person) -> todo.TodoItem:
    first = open_sessions[0]
    group = person.groups[first.group_id]
    details = [group.name]
    if len(open_sessions) > 1:
        more = len(open_sessions) - 1
        details.append(ngettext("en nog %(n)s bijeenkomst", "en nog %(n)s bijeenkomsten", more) % {"n": more})
    return todo.TodoItem(
        kind="rsvp",
        text=_("Laat weten of je komt"),
        url=reverse("sessions:detail", args=[first.pk]),
        action=_("Aan- of afmelden"),
        group=group,
        when=first.starts_at,
        details=details,
        warn=first.starts_at <= person.now + timedelta(days=group.rsvp_nudge_days),
    )


def _attendance(session: Session, person: todo.Person) -> todo.TodoItem:
    group = person.groups[session.group_id]
    return todo.TodoItem(
        kind="attendance",
        text=_("Registreer wie er was"),
        url=reverse("sessions:attendance", args=[session.pk]),
        action=_("Aanwezigheid registreren"),
        group=group,
        when=session.starts_at,
        details=[group.name],
        warn=session.ends_at <= person.now,
    )


def _propose_dates(session: Session, person: todo.Person) -> todo.TodoItem:
    """For a facilitator: the session is at risk (``quorum_matters``) and no date poll runs for it."""
    group = person.groups[session.group_id]
    url = reverse("sessions:poll_new", kwargs={"group_id": group.pk})
    return todo.TodoItem(
        kind="poll_propose",
        text=_("Bijeenkomst van %(date)s haalt het quorum niet — stel andere data voor")
        % {"date": formats.date_format(timezone.localtime(session.starts_at), "j F")},
        url=f"{url}?sessie={session.pk}",
        action=_("Andere data voorstellen"),
        group=group,
        when=session.starts_at,
        details=[group.name],
        warn=True,
    )


def _vote(poll: DatePoll, person: todo.Person) -> todo.TodoItem:
    group = person.groups[poll.group_id]
    return todo.TodoItem(
        kind="poll_vote",
        text=_("Stem over een nieuwe datum") if poll.session_id else _("Stem over de vaste dag van de groep"),
        url=reverse("sessions:poll", kwargs={"group_id": group.pk, "poll_id": poll.pk}),
        action=_("Naar de datumprikker"),
        group=group,
        when=poll.session.starts_at if poll.session_id else poll.created_at,
        details=[group.name],
        warn=True,
    )


def poll_items(person: todo.Person) -> Iterable[todo.TodoItem]:
    """Open date polls the person has not answered in full (one query)."""
    from .polls import open_polls_for

    if not person.groups:
        return []
    return [_vote(poll, person) for poll in open_polls_for(person.user, person.group_ids)]


def session_items(person: todo.Person) -> Iterable[todo.TodoItem]:
    if not person.groups:
        return []
    sessions = _upcoming(person)
    items = []
    seen: set[int] = set()
    unanswered: dict[int, list[Session]] = {}
    for session in sessions:
        if session.starts_at <= person.now and session.group_id in person.facilitated:
            items.append(_attendance(session, person))
        if session.ends_at <= person.now:
            continue
        if session.group_id not in seen:
            seen.add(session.group_id)
            items.append(_headline(session, person))
        session.group = person.groups[session.group_id]
        facilitates = session.group_id in person.facilitated
        if facilitates and not session.open_poll and quorum_matters(session, person.now):
            items.append(_propose_dates(session, person))
        if not session.answered and session.starts_at > person.now:
            unanswered.setdefault(session.group_id, []).append(session)
    items += [_rsvp(open_sessions, person) for open_sessions in unanswered.values()]
    return items


def register() -> None:
    todo.register(name="sessions", order=10, build=session_items)
    from . import load  # the prompt to present, with the rest of who carries the group

    todo.register(name="sessions_presenting", order=12, build=load.presenting_items)
    todo.register(name="date_polls", order=11, build=poll_items)
