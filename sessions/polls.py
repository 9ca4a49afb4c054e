"""The date poll ("datumprikker", issue 19 part 3): state changes and the reads the pages share.

A session is *at risk* when it is inside its group's quorum check (``alert_quorum_days`` before it, the
window of the quorum alert and the red badge, ``groups.health``) and fewer members said they would come
than its quorum. Its facilitator may then (or whenever they like) propose 2 to 5 other moments; members
answer ja / als het moet / nee per moment. The best moment has the most "ja", then the most "als het
moet", then is the earliest. Confirming it moves the session through ``services.session_update`` (one
change invite per member, SEQUENCE up) and resets the RSVPs to the answers for that moment.

A poll without a session asks a group for its fixed day: its options are a weekday and a time; confirming
one closes the poll and the schedule page takes over (``schedule_views``, prefilled from it)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groups import health
from groups.models import Group, Membership
from intervisie.errors import DomainError

from . import services
from .models import RSVP, DatePoll, DatePollAnswer, DatePollOption, Session
from .signals import date_poll_closed, date_poll_opened, rsvp_removed

MIN_OPTIONS, MAX_OPTIONS = 2, 5
# The decline reason a member gets who answered "nee" for the moment that was chosen (RSVP "anders").
NO_ON_NEW_DATE = _("kan niet op de nieuwe datum")
# What each poll answer becomes as an RSVP for the chosen moment.
RSVP_FOR: dict[str, str] = {
    DatePollAnswer.Answer.YES: RSVP.Answer.ATTEND,
    DatePollAnswer.Answer.IF_NEED_BE: RSVP.Answer.MAYBE,
    DatePollAnswer.Answer.NO: RSVP.Answer.DECLINE,
}


class PollError(DomainError):
    """A date poll change the rules do not allow."""

    CLOSED = "closed"
    NOT_MEMBER = "not_member"
    SESSION_GONE = "session_gone"
    COUNT = "count"
    DUPLICATE = "duplicate"
    PAST = "past"
    RUNNING = "running"

    MESSAGES = {
        CLOSED: _("Deze datumprikker is gesloten."),
        NOT_MEMBER: _("Je bent geen deelnemer van deze groep."),
        SESSION_GONE: _("Deze bijeenkomst is niet meer gepland of al begonnen."),
        COUNT: _("Stel 2 tot en met 5 data voor."),
        DUPLICATE: _("Je hebt hetzelfde voorstel twee keer gedaan."),
        PAST: _("Kies alleen momenten in de toekomst."),
        RUNNING: _("Voor deze bijeenkomst loopt al een datumprikker."),
    }


# --- reads --------------------------------------------------------------------------------------------


def session_at_risk(session: Session, *, attending: int, now: datetime | None = None) -> bool:
    """The quorum rule of the badge and the alert: in the quorum window and too few coming."""
    now = now or timezone.now()
    if session.status != Session.Status.PLANNED:
        return False
    in_window = health.in_quorum_window(session.starts_at, now, health.Thresholds.of(session.group))
    return in_window and attending < session.quorum


@dataclass(frozen=True)
class OptionTally:
    option: DatePollOption
    yes: int
    if_need_be: int
    no: int
    mine: str  # the reader's answer ("" for none)

    @property
    def sort_key(self) -> tuple[int, int, datetime | int, int]:
        return (-self.yes, -self.if_need_be, self.option.starts_at or self.option.position, self.option.pk)


def tallies(poll: DatePoll, user: User | None = None) -> list[OptionTally]:
    """Each option with its counts and the reader's answer, in the options' order. Two queries."""
    options = list(
        poll.options.annotate(
            n_yes=Count("answers", filter=Q(answers__answer=DatePollAnswer.Answer.YES)),
            n_if=Count("answers", filter=Q(answers__answer=DatePollAnswer.Answer.IF_NEED_BE)),
            n_no=Count("answers", filter=Q(answers__answer=DatePollAnswer.Answer.NO)),
        ).order_by("position")
    )
    mine: dict[int, str] = {}
    if user is not None:
        mine = dict(
            DatePollAnswer.objects.filter(option__poll=poll, user=user).values_list("option_id", "answer")
        )
    return [OptionTally(o, o.n_yes, o.n_if, o.n_no, mine.get(o.pk, "")) for o in options]


def best(found: Sequence[OptionTally]) -> OptionTally | None:
    """Most "ja", then most "als het moet"; a tie goes to the earliest moment (for weekdays: the first
    proposed). None when nobody answered yet."""
    answered = [t for t in found if t.yes or t.if_need_be or t.no]
    return min(answered, key=lambda t: t.sort_key) if answered else None


def open_polls_for(user: User, group_ids: Iterable[int]) -> list[DatePoll]:
    """Open polls of these groups the user has not answered in full, one query."""
    unanswered = Count("options", distinct=True) - Count(
        "options__answers", filter=Q(options__answers__user=user), distinct=True
    )
    return list(
        DatePoll.objects.filter(group_id__in=list(group_ids), closed_at__isnull=True)
        .annotate(left=unanswered)
        .filter(left__gt=0)
        .select_related("session")
        .order_by("created_at", "pk")
    )


# --- changes ------------------------------------------------------------------------------------------


def _require_open(poll: DatePoll, now: datetime) -> None:
    if poll.closed_at is not None:
        raise PollError(code=PollError.CLOSED)
    session = poll.session
    if session is not None and (session.status != Session.Status.PLANNED or session.starts_at <= now):
        raise PollError(code=PollError.SESSION_GONE)


@transaction.atomic
def poll_open(
    *,
    group: Group,
    created_by: User,
    session: Session | None = None,
    moments: Sequence[datetime] = (),
    weekdays: Sequence[tuple[int, time]] = (),
    now: datetime | None = None,
) -> DatePoll:
    """Open a poll: for ``session`` the ``moments`` (aware datetimes in the future, other than the
    session's own start), without one the ``weekdays`` (weekday 0 = Monday, local time). 2 to 5 options.
    Sends ``date_poll_opened`` (the members get an e-mail)."""
    now = now or timezone.now()
    count, distinct = (
        (len(moments), len(set(moments))) if session is not None else (len(weekdays), len(set(weekdays)))
    )
    if not MIN_OPTIONS <= count <= MAX_OPTIONS:
        raise PollError(code=PollError.COUNT, field="options")
    if distinct != count:
        raise PollError(code=PollError.DUPLICATE, field="options")
    if session is not None:
        session = Session.objects.select_for_update().get(pk=session.pk)
        planned = session.status == Session.Status.PLANNED and session.starts_at > now
        if session.group_id != group.pk or not planned:
            raise PollError(code=PollError.SESSION_GONE)
        for moment in moments:
            if timezone.is_naive(moment):
                raise ValueError("moments must be aware datetimes")
            if moment <= now:
                raise PollError(code=PollError.PAST, field="options")
    poll = DatePoll(group=group, session=session, created_by=created_by, created_at=now)
    poll.full_clean(exclude=["chosen"])
    try:
        with transaction.atomic():
            poll.save()
    except IntegrityError as error:  # date_poll_one_open_per_session, in a race
        raise PollError(code=PollError.RUNNING) from error
    if session is not None:
        rows = [DatePollOption(poll=poll, position=n, starts_at=m) for n, m in enumerate(moments, start=1)]
    else:
        rows = [
            DatePollOption(poll=poll, position=n, weekday=day, start_time=clock)
            for n, (day, clock) in enumerate(weekdays, start=1)
        ]
    for row in rows:
        row.full_clean(exclude=["poll"], validate_unique=False)
    DatePollOption.objects.bulk_create(rows)
    date_poll_opened.send(sender=DatePoll, poll=poll)
    return poll


@transaction.atomic
def poll_answer(
    *, option: DatePollOption, user: User, answer: str, now: datetime | None = None
) -> DatePollAnswer:
    """A member's ja / als het moet / nee for one option (changing an earlier answer)."""
    now = now or timezone.now()
    poll = (
        DatePoll.objects.select_for_update(of=("self",))
        .select_related("session", "group")
        .get(pk=option.poll_id)
    )
    _require_open(poll, now)
    if not services.is_active_member(user, poll.group_id):
        raise PollError(code=PollError.NOT_MEMBER)
    if answer not in DatePollAnswer.Answer.values:
        raise ValidationError({"answer": _("Kies ja, als het moet of nee.")})
    row = DatePollAnswer.objects.filter(option=option, user=user).first() or DatePollAnswer(
        option=option, user=user
    )
    row.answer, row.answered_at = answer, now
    row.full_clean(validate_unique=False, validate_constraints=False)
    row.save()
    return row


def _reset_rsvps(session: Session, option: DatePollOption) -> None:
    """Every active member's RSVP after the move: their poll answer for the chosen moment, or none."""
    answers = dict(option.answers.values_list("user_id", "answer"))
    members = User.objects.filter(
        memberships__group_id=session.group_id, memberships__status=Membership.Status.ACTIVE
    )
    for member in members:
        answer = answers.get(member.pk)
        if answer is None:
            for rsvp in RSVP.objects.filter(session=session, user=member):
                rsvp.delete()  # through delete(): the feed cache hears it
                rsvp_removed.send(sender=RSVP, session=session, user_id=member.pk)
            continue
        rsvp_answer = RSVP_FOR[answer]
        services.rsvp_set(
            session=session,
            user=member,
            answer=rsvp_answer,
            decline_reason=RSVP.Reason.OTHER if rsvp_answer == RSVP.Answer.DECLINE else "",
            decline_note=str(NO_ON_NEW_DATE) if rsvp_answer == RSVP.Answer.DECLINE else "",
        )


@transaction.atomic
def poll_confirm(*, poll: DatePoll, option: DatePollOption, now: datetime | None = None) -> DatePoll:
    """Close the poll with ``option``. For a session: move it there (``services.session_update``, same
    length; its ValidationError if the moment is no longer possible) and reset the RSVPs
    (``RSVP_FOR``; no answer for that moment: no RSVP)."""
    now = now or timezone.now()
    poll = DatePoll.objects.select_for_update(of=("self",)).select_related("session", "group").get(pk=poll.pk)
    if option.poll_id != poll.pk:
        raise ValidationError({"option": _("Kies een van de voorgestelde data.")})
    _require_open(poll, now)
    if poll.session is not None:
        session = poll.session
        length = session.ends_at - session.starts_at
        assert option.starts_at is not None
        start = option.starts_at
        # The answers first, then the move: the reminders of who is asked again come back (``rsvp_removed``)
        # and the move re-times them with the rest; the invite, sent after the commit, carries the new answer.
        _reset_rsvps(session, option)
        services.session_update(session=session, starts_at=start, ends_at=start + length)
    poll.closed_at, poll.chosen = now, option
    poll.full_clean()
    poll.save(update_fields=["closed_at", "chosen"])
    date_poll_closed.send(sender=DatePoll, poll=poll)
    return poll


@transaction.atomic
def poll_close(*, poll: DatePoll, now: datetime | None = None) -> DatePoll:
    """Close the poll without choosing (the session stays where it is)."""
    poll = DatePoll.objects.select_for_update().get(pk=poll.pk)
    if poll.closed_at is not None:
        raise PollError(code=PollError.CLOSED)
    poll.closed_at = now or timezone.now()
    poll.save(update_fields=["closed_at"])
    date_poll_closed.send(sender=DatePoll, poll=poll)
    return poll


def next_day_for(option: DatePollOption, today: date | None = None) -> date:
    """The first date on or after ``today`` (local) that falls on the option's weekday: where the schedule
    page starts the series when a weekday poll is confirmed."""
    today = today or timezone.localdate()
    assert option.weekday is not None
    return today + timedelta(days=(option.weekday - today.weekday()) % 7)
