"""State changes of reflections and follow-ups."""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intervisie.errors import DomainError
from sessions.models import Presenter, Session

from . import selectors
from .models import SCALE_FIELDS, FollowUp, Reflection, ReflectionClosure
from .signals import reflection_round_closed


class ReflectionError(DomainError):
    """Why a reflection or a follow-up cannot be written now; ``code`` is one of the constants."""

    NOT_HELD = "not_held"
    NOT_ATTENDEE = "not_attendee"
    CLOSED = "closed"
    ALREADY = "already"
    NOT_PRESENTER = "not_presenter"
    NOT_DUE = "not_due"

    MESSAGES = {
        NOT_HELD: _("Deze bijeenkomst is (nog) niet gehouden."),
        NOT_ATTENDEE: _("Alleen wie aanwezig was, kan een reflectie schrijven."),
        CLOSED: _("De reflecties voor deze bijeenkomst zijn gesloten."),
        ALREADY: _("Je hebt je reflectie voor deze bijeenkomst al ingevuld."),
        NOT_PRESENTER: _("Alleen de inbrenger beantwoordt de follow-up."),
        NOT_DUE: _("De follow-up kan pas na de afgesproken termijn worden ingevuld."),
    }


def reflection_write_refusals(
    *, sessions: Iterable[Session], user, now: datetime | None = None
) -> dict[int, str | None]:
    """Per session, why ``user`` may not write a reflection for it now (a ``ReflectionError`` code), or
    None when they may: held, attended, not written yet, round open. Three queries however many sessions
    (the session page asks for one, "Mijn bijeenkomsten" for a page of them)."""
    now = now or timezone.now()
    sessions = list(sessions)
    held = [s.pk for s in sessions if s.status == Session.Status.HELD]
    attended = selectors.attended_session_ids(user, held)
    written = set(
        Reflection.objects.filter(session_id__in=held, author=user).values_list("session_id", flat=True)
    )
    closed_early = set(
        ReflectionClosure.objects.filter(session_id__in=held).values_list("session_id", flat=True)
    )
    refusals: dict[int, str | None] = {}
    for session in sessions:
        if session.status != Session.Status.HELD:
            refusals[session.pk] = ReflectionError.NOT_HELD
        elif session.pk not in attended:
            refusals[session.pk] = ReflectionError.NOT_ATTENDEE
        elif session.pk in written:
            refusals[session.pk] = ReflectionError.ALREADY
        elif session.pk in closed_early or selectors.reflection_closes_at(session) <= now:
            refusals[session.pk] = ReflectionError.CLOSED
        else:
            refusals[session.pk] = None
    return refusals


def reflection_check_can_write(*, session: Session, user, now: datetime | None = None) -> None:
    """Raise ReflectionError when ``user`` may not write a reflection for ``session`` now."""
    refusal = reflection_write_refusals(sessions=[session], user=user, now=now)[session.pk]
    if refusal is not None:
        raise ReflectionError(code=refusal)


@transaction.atomic
def reflection_submit(
    *,
    session: Session,
    author,
    scores: dict[str, int],
    takeaway: str = "",
    share_takeaway: bool = False,
    advice_fit: int | None = None,
    eye_opener: str = "",
    eye_opener_question=None,
    now: datetime | None = None,
) -> Reflection:
    """Store one attendee's reflection. It is final: a second submission raises ``ALREADY`` (the unique
    constraint decides a race). When every attendee has answered, the round closes early."""
    now = now or timezone.now()
    # Lock the session row so concurrent submissions of one session serialise (closure check below).
    Session.objects.select_for_update().filter(pk=session.pk).first()
    reflection_check_can_write(session=session, user=author, now=now)
    if eye_opener_question is not None and eye_opener_question.run.session_id != session.pk:
        raise ValidationError({"eye_opener_question": _("Deze vraag hoort niet bij deze bijeenkomst.")})
    as_presenter = selectors.is_presenter(session, author)
    reflection = Reflection(
        session=session,
        author=author,
        takeaway=takeaway.strip(),
        share_takeaway=share_takeaway and bool(takeaway.strip()),
        as_presenter=as_presenter,
        advice_fit=advice_fit if as_presenter else None,
        eye_opener=eye_opener.strip() if as_presenter else "",
        eye_opener_question=eye_opener_question if as_presenter else None,
        created_at=now,
        **{name: scores.get(name) for name in SCALE_FIELDS},
    )
    try:
        reflection.full_clean()
        with transaction.atomic():
            reflection.save()
    except (ValidationError, IntegrityError) as error:
        # Lost a race with a second submit of the same person: the first one counts.
        if Reflection.objects.filter(session=session, author=author).exists():
            raise ReflectionError(code=ReflectionError.ALREADY) from error
        raise
    written = set(Reflection.objects.filter(session=session).values_list("author_id", flat=True))
    if selectors.attendee_ids(session) <= written:
        closure = ReflectionClosure.objects.get_or_create(session=session, defaults={"closed_at": now})
        if closure[1]:
            reflection_round_closed.send(sender=Reflection, session=session)
    return reflection


def followup_check_can_answer(*, session: Session, user, now: datetime | None = None) -> None:
    now = now or timezone.now()
    if session.status != Session.Status.HELD:
        raise ReflectionError(code=ReflectionError.NOT_HELD)
    if not Presenter.objects.filter(session=session, user=user).exists():
        raise ReflectionError(code=ReflectionError.NOT_PRESENTER)
    if selectors.followup_due_at(session) > now:
        raise ReflectionError(code=ReflectionError.NOT_DUE)


@transaction.atomic
def followup_answer(
    *, session: Session, presenter, outcome: str, what_changed: str = "", now: datetime | None = None
) -> FollowUp:
    """The presenter's answer to "what came of the advice?"; answering again updates it."""
    now = now or timezone.now()
    followup_check_can_answer(session=session, user=presenter, now=now)
    followup = FollowUp.objects.select_for_update().filter(session=session, presenter=presenter).first()
    if followup is None:
        followup = FollowUp(session=session, presenter=presenter)
    followup.outcome = outcome
    followup.what_changed = what_changed.strip()
    followup.answered_at = now
    followup.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            followup.save()
    except IntegrityError:
        # A concurrent first answer won; apply ours as an update.
        FollowUp.objects.filter(session=session, presenter=presenter).update(
            outcome=followup.outcome, what_changed=followup.what_changed, answered_at=now
        )
        followup = FollowUp.objects.get(session=session, presenter=presenter)
    return followup
