"""Intervision in writing: the live guide's run (``LiveRun``), question log (``Question``) and advice
(``Advice``) for a session whose format is written (``sessions.Session.Format.WRITTEN``). Each phase of the
werkvorm has a deadline (``sessions.PhaseDeadline``); the open phase is the first whose deadline has not
passed, and ``written_sync`` moves the run's ``phase_position`` along (so the live guide's token and poll
see the change). Members write what the open phase asks: questions in a question phase, their one advice in
the advice phase, and the presenter their reflection in the evaluation phase (else the last one). When the
last deadline passes, or the facilitator closes it, the run ends through the live guide's own "Bespreking
afronden" (``live.live_step(action="finish")``), so the casus is discussed as after a live session."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from sessions import written as session_written
from sessions.models import MethodPhase, PhaseDeadline, Presenter, Session

from . import live, live_stamp, permissions
from .models import Advice, Casus, LiveRun, Question
from .services import CasusError

QUESTIONS, ADVICE, REFLECTION = "questions", "advice", "reflection"


@dataclass
class Timeline:
    """The deadlines of a written session in phase order, and which one is open at ``now``."""

    deadlines: list[PhaseDeadline]
    now: datetime
    current: PhaseDeadline | None = field(init=False)

    def __post_init__(self) -> None:
        self.current = next((d for d in self.deadlines if d.due_at > self.now), None)

    @property
    def all_passed(self) -> bool:
        return bool(self.deadlines) and self.current is None

    def asks(self, deadline: PhaseDeadline | None) -> str | None:
        """What a phase asks members to write: questions, advice, the presenter's reflection, or nothing."""
        if deadline is None:
            return None
        kind = deadline.phase.kind
        if kind == MethodPhase.Kind.QUESTIONS:
            return QUESTIONS
        if kind == MethodPhase.Kind.ADVICE:
            return ADVICE
        if deadline is self.reflection_deadline:
            return REFLECTION
        return None

    @property
    def reflection_deadline(self) -> PhaseDeadline | None:
        evaluation = [d for d in self.deadlines if d.phase.kind == MethodPhase.Kind.EVALUATION]
        return evaluation[-1] if evaluation else (self.deadlines[-1] if self.deadlines else None)

    @property
    def current_asks(self) -> str | None:
        return self.asks(self.current)


def timeline(session: Session, now: datetime | None = None) -> Timeline:
    deadlines = list(
        PhaseDeadline.objects.filter(session=session).select_related("phase").order_by("phase__position")
    )
    return Timeline(deadlines=deadlines, now=now or timezone.now())


@transaction.atomic
def written_switch(*, session: Session, format: str, now: datetime | None = None) -> LiveRun | None:
    """The facilitator switches a coming session to written (deadlines proposed per phase) or back to live.
    Switching to written starts the written run of its booked casus, if one is booked and none runs yet;
    switching back is refused once members have written. Returns the run, if any."""
    method = live.session_method(session)
    run = LiveRun.objects.filter(session=session).first()
    if format == Session.Format.LIVE and run is not None:
        if run.questions.exists() or run.advices.exists() or run.finished_at is not None:
            raise CasusError(
                _("Er is al geschreven in deze bespreking; die blijft schriftelijk."), field="format"
            )
        run.delete()
        run = None
    session_written.session_format_set(session=session, format=format, method=method, now=now)
    session.format = format
    if format == Session.Format.WRITTEN and run is None:
        casus = (
            Casus.objects.filter(session=session, status=Casus.Status.BOOKED).order_by("booked_at").first()
        )
        if casus is not None:
            run = written_start(session=session, casus=casus, now=now)
    return run


@transaction.atomic
def written_start(*, session: Session, casus: Casus, now: datetime | None = None) -> LiveRun:
    """Open the written run of a booked casus (the live guide's ``LiveRun``, in its first phase)."""
    now = now or timezone.now()
    if session.format != Session.Format.WRITTEN:
        raise CasusError(_("Deze bijeenkomst is niet schriftelijk."))
    if casus.session_id != session.pk or casus.status != Casus.Status.BOOKED:
        raise CasusError(_("Kies een casus die op deze bijeenkomst is ingepland."))
    if LiveRun.objects.filter(session=session).exists():
        raise CasusError(_("Deze casus is al besproken of wordt al besproken."))
    line = timeline(session, now)
    if not line.deadlines:
        raise CasusError(_("Kies eerst een werkvorm voor deze bijeenkomst."))
    first = line.current or line.deadlines[-1]
    run = LiveRun.objects.create(
        session=session,
        casus=casus,
        presenter_id=casus.author_id,
        method_id=first.phase.method_id,
        phase_position=first.phase.position,
        phase_started_at=now,
        started_at=now,
    )
    live_stamp.stamp_bump(session.pk)
    return run


@transaction.atomic
def written_sync(*, run: LiveRun, now: datetime | None = None) -> tuple[LiveRun, Timeline]:
    """Bring the run to the phase its deadlines say; after the last deadline, finish it (the casus is
    discussed). Idempotent: a run that is where its deadlines say changes nothing."""
    run = LiveRun.objects.select_for_update().get(pk=run.pk)
    line = timeline(run.session, now)
    if run.finished_at is not None:
        return run, line
    if line.all_passed:
        return live.live_step(run=run, action="finish"), line
    if line.current is not None and line.current.phase.position != run.phase_position:
        run = live._bump(run, phase_position=line.current.phase.position, phase_started_at=line.now)
    return run, line


def written_close(*, run: LiveRun, now: datetime | None = None) -> LiveRun:
    """The facilitator closes the written round before its last deadline: "Bespreking afronden"."""
    run, _line = written_sync(run=run, now=now)
    if run.finished_at is not None:
        return run
    return live.live_step(run=run, action="finish")


@transaction.atomic
def written_contribute(
    *, run: LiveRun, author: User, text: str, now: datetime | None = None
) -> Question | Advice | Casus:
    """Write what the open phase asks: a question (more than one may be asked), the one advice (a second
    replaces the first) or, for the presenter, the reflection (saved as the casus's "wat neem ik mee")."""
    run, line = written_sync(run=run, now=now)
    if run.finished_at is not None:
        raise CasusError(_("Deze bespreking is al afgerond."))
    asks = line.current_asks
    presenter = permissions.is_presenter(author, run)
    text = text.strip()
    if asks == QUESTIONS:
        if presenter:
            raise CasusError(_("In deze fase stellen de anderen jou vragen."))
        return live.question_add(run=run, author=author, text=text)
    if asks == ADVICE:
        return live.advice_set(run=run, author=author, text=text)
    if asks == REFLECTION:
        if not presenter or run.casus_id is None:
            raise CasusError(_("In deze fase schrijft de inbrenger zijn of haar reflectie."))
        casus = Casus.objects.select_for_update().get(pk=run.casus_id)
        casus.takeaways = text
        casus.full_clean()
        casus.save(update_fields=["takeaways", "updated_at"])
        live._bump(run)
        return casus
    raise CasusError(_("In deze fase hoef je niets te schrijven; lees mee tot de volgende termijn."))


def has_written(*, session_id: int, user_id: int, asks: str) -> bool:
    """Whether the member already wrote what a phase asks (the reminder's send-time check)."""
    if asks == QUESTIONS:
        return Question.objects.filter(run__session_id=session_id, author_id=user_id).exists()
    if asks == ADVICE:
        return Advice.objects.filter(run__session_id=session_id, author_id=user_id).exists()
    if asks == REFLECTION:
        return Casus.objects.filter(session_id=session_id, author_id=user_id).exclude(takeaways="").exists()
    return True


def written_advance_due(*, now: datetime | None = None) -> int:
    """The periodic step: every open written run follows its deadlines (and ends after the last one).
    Returns how many runs changed."""
    changed = 0
    runs = LiveRun.objects.filter(finished_at__isnull=True, session__format=Session.Format.WRITTEN)
    for run in runs.select_related("session"):
        before = (run.phase_position, run.finished_at)
        after, _line = written_sync(run=run, now=now)
        changed += (after.phase_position, after.finished_at) != before
    return changed


def reminder_key(session_id: int, phase_id: int) -> str:
    """The outbox subject of a phase's reminder (``notifications`` kind ``written_phase``)."""
    return f"written:{session_id}:phase:{phase_id}"


def reminder_not_needed(*, subject_key: str, session: Session, user_id: int, now: datetime) -> bool:
    """At send time: the session is no longer written, the phase's deadline passed or is gone, the round
    ended, the phase does not ask this member (the presenter reflects, the others ask and advise), or the
    member already wrote what it asks."""
    try:
        phase_id = int(subject_key.rsplit(":", 1)[1])
    except (IndexError, ValueError):
        return True
    if session.format != Session.Format.WRITTEN:
        return True
    line = timeline(session, now)
    deadline = next((d for d in line.deadlines if d.phase_id == phase_id), None)
    if deadline is None or deadline.due_at <= now:
        return True
    if LiveRun.objects.filter(session=session, finished_at__isnull=False).exists():
        return True
    asks = line.asks(deadline)
    if asks is None:
        return True
    presenter = Presenter.objects.filter(session=session, user_id=user_id).exists()
    if presenter != (asks == REFLECTION):  # the presenter reflects; the others ask and advise
        return True
    return has_written(session_id=session.pk, user_id=user_id, asks=asks)


def written_method_changed(*, session: Session) -> None:
    """A written session got another werkvorm: its deadlines follow the new phases (proposed again), as
    long as its round has not begun; a round under way keeps the phases it began with."""
    if session.format != Session.Format.WRITTEN or LiveRun.objects.filter(session=session).exists():
        return
    session_written.session_format_set(
        session=session, format=Session.Format.WRITTEN, method=live.session_method(session)
    )
