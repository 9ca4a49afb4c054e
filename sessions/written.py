"""A session held in writing (``Session.Format.WRITTEN``): each phase of its werkvorm gets a deadline
(``PhaseDeadline``). Here: switching a session's format and moving a deadline. What members write and
which phase is open is the casussen app's (``casussen/written.py``); the reminders per phase are the
notifications app's, planned from ``signals.phase_deadlines_changed``."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Method, MethodPhase, PhaseDeadline, Session
from .services import SessionError
from .signals import phase_deadlines_changed


def propose_deadlines(*, phases: list[MethodPhase], start: datetime, end: datetime) -> list[datetime]:
    """Deadlines spread evenly from ``start`` to ``end`` (the last one at ``end``), on whole minutes."""
    count = len(phases)
    span = end - start
    return [(start + span * (index + 1) / count).replace(second=0, microsecond=0) for index in range(count)]


@transaction.atomic
def session_format_set(
    *, session: Session, format: str, method: Method | None, now: datetime | None = None
) -> list[PhaseDeadline]:
    """Switch a planned, coming session to live or written. Switching to written proposes a deadline per
    phase of ``method`` (the session's werkvorm), evenly between now and the session's start; the existing
    deadlines stay when it was written already. Switching to live removes them. Returns the deadlines."""
    now = now or timezone.now()
    session = Session.objects.select_for_update().get(pk=session.pk)
    if format not in Session.Format.values:
        raise ValidationError({"format": _("Kies live of schriftelijk.")})
    if session.status != Session.Status.PLANNED or session.starts_at <= now:
        raise SessionError(_("Alleen een komende bijeenkomst kan van vorm veranderen."), field="format")
    deadlines = list(PhaseDeadline.objects.filter(session=session).select_related("phase"))
    if format == Session.Format.LIVE:
        PhaseDeadline.objects.filter(session=session).delete()
        deadlines = []
    else:
        phases = list(MethodPhase.objects.filter(method=method).order_by("position")) if method else []
        if not phases:
            raise SessionError(_("Kies eerst een werkvorm voor deze bijeenkomst."), field="format")
        have = {deadline.phase_id for deadline in deadlines}
        if have != {phase.pk for phase in phases}:
            PhaseDeadline.objects.filter(session=session).delete()
            if session.starts_at - now < timedelta(hours=len(phases)):
                raise SessionError(
                    _("Er is te weinig tijd tot de bijeenkomst om elke fase een termijn te geven."),
                    field="format",
                )
            dues = propose_deadlines(phases=phases, start=now, end=session.starts_at)
            deadlines = [
                PhaseDeadline(session=session, phase=phase, due_at=due)
                for phase, due in zip(phases, dues, strict=True)
            ]
            for deadline in deadlines:
                deadline.full_clean(validate_unique=False)
            PhaseDeadline.objects.bulk_create(deadlines)
    if session.format != format:
        session.format = format
        session.full_clean()
        session.save(update_fields=["format", "updated_at"])
    phase_deadlines_changed.send(sender=Session, session=session)
    return deadlines


@transaction.atomic
def phase_deadline_move(
    *, deadline: PhaseDeadline, due_at: datetime, now: datetime | None = None
) -> PhaseDeadline:
    """The facilitator moves one phase's deadline: into the future, after the phase before it and before
    the phase after it (a ``ValidationError`` at ``due_at`` otherwise). The reminders follow."""
    now = now or timezone.now()
    deadline = (
        PhaseDeadline.objects.select_for_update().select_related("phase", "session").get(pk=deadline.pk)
    )
    if due_at <= now:
        raise ValidationError({"due_at": _("Kies een moment in de toekomst.")})
    others = PhaseDeadline.objects.filter(session_id=deadline.session_id).exclude(pk=deadline.pk)
    position = deadline.phase.position
    before = others.filter(phase__position__lt=position).order_by("-phase__position").first()
    after = others.filter(phase__position__gt=position).order_by("phase__position").first()
    if before is not None and due_at <= before.due_at:
        raise ValidationError({"due_at": _("Deze termijn moet na die van de fase ervoor liggen.")})
    if after is not None and due_at >= after.due_at:
        raise ValidationError({"due_at": _("Deze termijn moet vóór die van de fase erna liggen.")})
    deadline.due_at = due_at
    deadline.full_clean()
    deadline.save(update_fields=["due_at"])
    phase_deadlines_changed.send(sender=Session, session=deadline.session)
    return deadline
