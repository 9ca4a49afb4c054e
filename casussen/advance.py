"""Taking part without being there: a member who declined a session writes, before it, their questions and
one candid advice for a casus booked on it (``AdvanceContribution``), until the end of the day before the
session (Europe/Amsterdam). They read only the casus's title and kernvraag for it.

When the live guide reaches the question phase (the advice phase) the contributions go into the run's
question log (its advice) as ``Question``/``Advice`` rows marked ``written_in_advance``: the live guide
shows them with everything else, in one list (``deliver``, called by ``live.live_start`` and
``live.live_step``). A method without such a phase gets them at the start; a finished run gets whatever was
left. After the session the presenter may share their summary with those who wrote in advance
(``advance_share_summary``): the ``advance_summary_shared`` signal lets the notifications app tell each of
them by e-mail (no casus text in the e-mail; the summary is read in the app). A contribution counts in the
member's own learning log, never as attendance.

Who may write is decided in ``permissions.may_write_in_advance``; this module holds the rules of when and
what. No function here logs casus text.
"""

import logging
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from groups import todo
from sessions.models import RSVP, MethodPhase, Session

from .models import SHORT_MAX, AdvanceContribution, Advice, Casus, LiveRun, Question
from .services import CasusError
from .signals import advance_summary_shared

logger = logging.getLogger(__name__)

MAX_QUESTIONS = 5


def deadline(session: Session) -> datetime:
    """The end of the day before the session, in Europe/Amsterdam (``TIME_ZONE``): local midnight of its
    day, as an aware moment."""
    zone = timezone.get_default_timezone()
    day = timezone.localtime(session.starts_at, zone).date()
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def last_day(session: Session) -> date:
    """The last day on which writing in advance is possible (the day before the session's), for the pages."""
    return (deadline(session) - timedelta(seconds=1)).date()


def is_open(session: Session, *, now: datetime | None = None) -> bool:
    return session.status == Session.Status.PLANNED and (now or timezone.now()) < deadline(session)


def has_declined(user: User, session: Session) -> bool:
    """The user's answer for the session is "ik kan niet" (``session.my_rsvps`` when the page read it)."""
    rsvps = session.__dict__.get("my_rsvps")
    if rsvps is not None:
        return any(r.answer == RSVP.Answer.DECLINE for r in rsvps)
    return RSVP.objects.filter(session=session, user=user, answer=RSVP.Answer.DECLINE).exists()


def split_questions(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


@transaction.atomic
def advance_save(
    *, casus: Casus, author: User, questions: str, advice: str, now: datetime | None = None
) -> AdvanceContribution:
    """Save (or replace) the member's questions and advice for a casus booked on a session they declined,
    until the deadline. The caller asked ``permissions.may_write_in_advance``."""
    now = now or timezone.now()
    casus = Casus.objects.select_for_update(of=("self",)).select_related("session").get(pk=casus.pk)
    session = casus.session
    if casus.status != Casus.Status.BOOKED or session is None:
        raise CasusError(gettext_lazy("Deze casus staat niet meer op een bijeenkomst."), code="not_booked")
    if not is_open(session, now=now):
        raise CasusError(
            gettext_lazy(
                "De termijn is voorbij: vooraf schrijven kon tot het eind van de dag voor de bijeenkomst."
            ),
            code="closed",
        )
    if not has_declined(author, session):
        raise CasusError(
            gettext_lazy("Vooraf schrijven is voor wie zich heeft afgemeld."), code="not_declined"
        )
    lines = split_questions(questions)
    if len(lines) > MAX_QUESTIONS:
        raise CasusError(
            gettext_lazy("Schrijf hoogstens %(n)s vragen, één per regel.") % {"n": MAX_QUESTIONS},
            code="too_many",
            field="questions",
        )
    if any(len(line) > SHORT_MAX for line in lines):
        raise CasusError(
            gettext_lazy("Een vraag is hoogstens %(n)s tekens lang.") % {"n": SHORT_MAX},
            code="too_long",
            field="questions",
        )
    advice = (advice or "").strip()
    if not lines and not advice:
        raise CasusError(gettext_lazy("Schrijf een vraag of een advies."), code="empty", field="questions")
    contribution = AdvanceContribution.objects.filter(casus=casus, author=author).first()
    if contribution is None:
        contribution = AdvanceContribution(casus=casus, session=session, author=author, created_at=now)
    contribution.session = session
    contribution.questions = "\n".join(lines)
    contribution.advice = advice
    contribution.updated_at = now
    contribution.full_clean()
    contribution.save()
    logger.info("advance contribution %s saved for casus %s", contribution.pk, casus.pk)
    return contribution


def deliver(*, run: LiveRun) -> LiveRun:
    """Put the contributions written in advance for the run's casus into its question log and advice, each
    once: the questions when the run is in a question phase (``MethodPhase.Kind.QUESTIONS``), the advice in
    an advice phase; a method without such a phase at the start; a finished run all that is left. Called
    inside the live guide's transaction, after its version bump (the change shows with it)."""
    if run.casus_id is None:
        return run
    pending = list(
        AdvanceContribution.objects.filter(casus_id=run.casus_id, session_id=run.session_id).filter(
            Q(questions_delivered_at__isnull=True) | Q(advice_delivered_at__isnull=True)
        )
    )
    if not pending:
        return run
    kinds = dict(MethodPhase.objects.filter(method_id=run.method_id).values_list("position", "kind"))
    current = kinds.get(run.phase_position)
    finished = run.finished_at is not None

    def due(kind: str) -> bool:
        return finished or current == kind or kind not in kinds.values()

    now = timezone.now()
    if due(MethodPhase.Kind.QUESTIONS):
        waiting = [c for c in pending if c.questions_delivered_at is None]
        Question.objects.bulk_create(
            Question(
                run=run, author_id=c.author_id, text=text, written_in_advance=True, created_at=c.updated_at
            )
            for c in waiting
            for text in split_questions(c.questions)
        )
        AdvanceContribution.objects.filter(pk__in=[c.pk for c in waiting]).update(questions_delivered_at=now)
    if due(MethodPhase.Kind.ADVICE):
        waiting = [c for c in pending if c.advice_delivered_at is None]
        live = set(Advice.objects.filter(run=run).values_list("author_id", flat=True))
        Advice.objects.bulk_create(
            Advice(
                run=run,
                author_id=c.author_id,
                text=c.advice,
                written_in_advance=True,
                created_at=c.updated_at,
            )
            for c in waiting
            if c.advice and c.author_id not in live  # what the member said live wins
        )
        AdvanceContribution.objects.filter(pk__in=[c.pk for c in waiting]).update(advice_delivered_at=now)
    return run


@transaction.atomic
def advance_share_summary(*, casus: Casus) -> list[int]:
    """The presenter shares their summary with the members who wrote in advance for the casus: each is
    marked and told once (``advance_summary_shared``; the outbox's unique key makes a repeat a no-op).
    Returns the ids of the members newly shared with."""
    casus = Casus.objects.select_for_update().get(pk=casus.pk)
    if casus.status != Casus.Status.DISCUSSED or not casus.takeaways.strip():
        raise CasusError(
            gettext_lazy("Deel je samenvatting nadat je hem hebt geschreven."), code="no_summary"
        )
    waiting = AdvanceContribution.objects.filter(casus=casus, summary_shared_at__isnull=True)
    user_ids = sorted(set(waiting.values_list("author_id", flat=True)))
    if user_ids:
        waiting.update(summary_shared_at=timezone.now())
        advance_summary_shared.send(sender=Casus, casus=casus, user_ids=user_ids)
        logger.info("casus %s: summary shared with %s advance writers", casus.pk, len(user_ids))
    return user_ids


# --- reads ----------------------------------------------------------------------------------------


def contributors(casus: Casus) -> list[AdvanceContribution]:
    return list(AdvanceContribution.objects.filter(casus=casus).select_related("author"))


def summary_shared(casus: Casus) -> bool:
    return AdvanceContribution.objects.filter(casus=casus, summary_shared_at__isnull=False).exists()


def written_for(casussen: Iterable[Casus]) -> dict[int, list[AdvanceContribution]]:
    """The contributions written in advance for these casussen, by casus id, with authors (one query; none
    without casussen). For their presenter only."""
    ids = [casus.pk for casus in casussen]
    result: dict[int, list[AdvanceContribution]] = {}
    if ids:
        for row in AdvanceContribution.objects.filter(casus_id__in=ids).select_related("author"):
            result.setdefault(row.casus_id, []).append(row)
    return result


def own_contributions(user: User, casussen: Iterable[Casus]) -> dict[int, AdvanceContribution]:
    """The user's contributions for these casussen, by casus id (one query)."""
    ids = [casus.pk for casus in casussen]
    if not ids:
        return {}
    rows = AdvanceContribution.objects.filter(author=user, casus_id__in=ids)
    return {row.casus_id: row for row in rows}


def todo_items(person: todo.Person) -> list[todo.TodoItem]:
    """Home: a casus booked on a coming session the person declined, while they can still write in advance
    and have not yet. One query. Names the session and the group, never the casus."""
    if not person.groups:
        return []
    declined = RSVP.objects.filter(session=OuterRef("session"), user=person.user, answer=RSVP.Answer.DECLINE)
    written = AdvanceContribution.objects.filter(casus=OuterRef("pk"), author=person.user)
    casussen = (
        Casus.objects.filter(
            group_id__in=person.group_ids,
            status=Casus.Status.BOOKED,
            session__status=Session.Status.PLANNED,
            session__starts_at__gt=person.now,
        )
        .exclude(author=person.user)
        .filter(Exists(declined))
        .exclude(Exists(written))
        .select_related("session")
        .order_by("session__starts_at", "pk")
    )
    items = []
    for casus in casussen:
        session = casus.session
        assert session is not None
        closes = deadline(session)
        if person.now >= closes:
            continue
        group = person.groups[casus.group_id]
        items.append(
            todo.TodoItem(
                kind="advance",
                text=_("Kun je niet? Schrijf vooraf je vragen en advies"),
                url=reverse("casussen:advance", args=[casus.pk]),
                action=_("Vooraf schrijven"),
                group=group,
                when=session.starts_at,
                details=[group.name],
                warn=(closes - person.now).days < 1,
            )
        )
    return items
