"""State changes of the live session guide. Every change members must see bumps ``LiveRun.version`` and
the session's poll stamp (``live_stamp.stamp_bump``), so an unchanged poll is answered from the cache."""

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from sessions import services as session_services
from sessions.models import Method, Schedule, Session
from sessions.services import SessionError

from . import advance, live_stamp, permissions, services
from .models import Advice, Casus, LiveRun, ParkedItem, Question
from .services import CasusError

MAX_EXTRA_MINUTES = 60


def session_method(session: Session) -> Method | None:
    """The session's werkvorm, else the group's default (Schedule.default_method)."""
    if session.method_id:
        return session.method
    try:
        return session.group.schedule.default_method
    except Schedule.DoesNotExist:
        return None


def _bump(run: LiveRun, **fields) -> LiveRun:
    LiveRun.objects.filter(pk=run.pk).update(version=F("version") + 1, **fields)
    live_stamp.stamp_bump(run.session_id)
    run.refresh_from_db()
    return run


@transaction.atomic
def live_start(*, session: Session, casus: Casus) -> LiveRun:
    session = (
        Session.objects.select_for_update(of=("self",)).select_related("group", "method").get(pk=session.pk)
    )
    if casus.session_id != session.pk or casus.status != Casus.Status.BOOKED:
        raise CasusError(_("Kies een casus die op deze bijeenkomst is ingepland."))
    try:
        session_services.live_start_check(session=session)  # the session's day, not cancelled
    except SessionError as error:
        raise CasusError(error.message) from error
    method = session_method(session)
    if method is None or not method.phases.exists():
        raise CasusError(_("Kies eerst een werkvorm voor deze bijeenkomst."))
    if LiveRun.objects.filter(session=session, finished_at__isnull=True).exists():
        raise CasusError(_("Er loopt al een bespreking; rond die eerst af."))
    first = method.phases.order_by("position").values_list("position", flat=True).first()
    now = timezone.now()
    try:
        with transaction.atomic():
            run = LiveRun.objects.create(
                session=session,
                casus=casus,
                presenter_id=casus.author_id,
                method=method,
                phase_position=first,
                phase_started_at=now,
                started_at=now,
            )
    except IntegrityError as error:
        raise CasusError(_("Deze casus is al besproken of wordt al besproken.")) from error
    advance.deliver(run=run)  # what members who declined wrote in advance, in its phase
    live_stamp.stamp_bump(session.pk)
    return run


@transaction.atomic
def live_step(*, run: LiveRun, action: str) -> LiveRun:
    """``next`` / ``back`` move a phase (its clock restarts), ``extend`` adds 5 minutes to the current
    phase, ``finish`` ends the run and moves the casus to the group's history."""
    run = LiveRun.objects.select_for_update().get(pk=run.pk)
    if run.finished_at is not None:
        raise CasusError(_("Deze bespreking is al afgerond."))
    positions = list(run.method.phases.order_by("position").values_list("position", flat=True))
    now = timezone.now()
    index = positions.index(run.phase_position) if run.phase_position in positions else 0
    if action == "next":
        if index + 1 >= len(positions):
            raise CasusError(_("Dit is de laatste fase; rond de bespreking af."))
        run = _bump(run, phase_position=positions[index + 1], phase_started_at=now, extra_minutes=0)
        return advance.deliver(run=run)
    if action == "back":
        if index == 0:
            raise CasusError(_("Dit is de eerste fase."))
        run = _bump(run, phase_position=positions[index - 1], phase_started_at=now, extra_minutes=0)
        return advance.deliver(run=run)
    if action == "extend":
        if run.extra_minutes + 5 > MAX_EXTRA_MINUTES:
            raise CasusError(_("Deze fase is al een uur verlengd."))
        return _bump(run, extra_minutes=F("extra_minutes") + 5)
    if action == "finish":
        run = advance.deliver(run=_bump(run, finished_at=now))
        if run.casus_id:
            services.casus_mark_discussed(casus=run.casus)
        return run
    raise CasusError(_("Onbekende stap."))


@transaction.atomic
def question_add(*, run: LiveRun, author: User, text: str) -> Question:
    if run.finished_at is not None:
        raise CasusError(_("Deze bespreking is al afgerond."))
    question = Question(run=run, author=author, text=text.strip())
    question.full_clean()
    question.save()
    _bump(run)
    return question


@transaction.atomic
def question_mark(*, question: Question, by: User, opened_eyes: bool) -> Question:
    """Only the presenter marks the questions that opened their eyes."""
    run = question.run
    if not permissions.is_presenter(by, run):
        raise PermissionError("only the presenter marks questions")
    Question.objects.filter(pk=question.pk).update(opened_eyes=opened_eyes)
    question.opened_eyes = opened_eyes
    _bump(run)
    return question


@transaction.atomic
def advice_set(*, run: LiveRun, author: User, text: str) -> Advice:
    """One concrete advice per member (a second submission replaces the first while the run is open)."""
    if run.finished_at is not None:
        raise CasusError(_("Deze bespreking is al afgerond."))
    if permissions.is_presenter(author, run):
        raise CasusError(_("De inbrenger luistert in de adviesronde."))
    advice = Advice.objects.filter(run=run, author=author).first() or Advice(run=run, author=author)
    advice.text = text.strip()
    advice.written_in_advance = False  # said live now
    advice.full_clean(validate_unique=False)
    advice.save()
    _bump(run)
    return advice


@transaction.atomic
def parked_add(*, session: Session, author: User, text: str) -> ParkedItem:
    item = ParkedItem(session=session, author=author, text=text.strip())
    item.full_clean()
    item.save()
    run = LiveRun.objects.filter(session=session, finished_at__isnull=True).first()
    if run is not None:
        _bump(run)
    else:
        live_stamp.stamp_bump(session.pk)
    return item
