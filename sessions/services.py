"""State changes of sessions, RSVPs and presenter slots. Every function is atomic and sends the signals of
``sessions/signals.py`` inside its transaction (see there for exactly when)."""

from datetime import date, datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groups.models import Group, Membership
from intervisie.errors import DomainError

from . import wallclock
from .models import RSVP, Method, Presenter, Session
from .signals import presenter_changed, rsvp_changed, session_cancelled, session_planned_or_changed

# Changes that move the event in members' calendars: they raise the iCalendar SEQUENCE.
CALENDAR_FIELDS = ("starts_at", "ends_at", "location", "online_link")
EDITABLE_FIELDS = (*CALENDAR_FIELDS, "method", "presenter_slots", "quorum_override", "facilitator")
MIN_PRESENTERS, MAX_PRESENTERS = 1, 6  # as the database's session_presenter_slots_range says

# What a person is told when a row would break one of the model's constraints: the field it concerns and
# a message said for that field. A constraint not listed here shows at the top with its own
# violation_error_message (every constraint has one: tests/test_constraint_messages.py).
_ENDS_AFTER_START = _("De eindtijd moet na de begintijd liggen.")
CONSTRAINT_MESSAGES = {
    "session_ends_after_start": ("ends_at", _ENDS_AFTER_START),
    "session_presenter_slots_range": ("presenter_slots", _("Kies 1 tot en met 6 inbrengers.")),
    "session_reason_only_if_cancelled": (
        "cancellation_reason",
        _("Alleen een geannuleerde bijeenkomst heeft een reden van annulering."),
    ),
    "session_actual_end_after_start": ("actual_ended_at", _("Het einde moet na het begin liggen.")),
    "session_unique_occurrence": (NON_FIELD_ERRORS, _("Deze bijeenkomst van het rooster bestaat al.")),
}


class SessionError(DomainError):
    """A change to a session, an answer or a presenter slot that the rules do not allow."""


def is_active_member(user: User, group_id: int) -> bool:
    return Membership.objects.filter(user=user, group_id=group_id, status=Membership.Status.ACTIVE).exists()


def _require_open(session: Session, now: datetime | None = None) -> None:
    if session.status != Session.Status.PLANNED:
        raise SessionError(_("Deze bijeenkomst is niet meer gepland."))
    if session.starts_at <= (now or timezone.now()):
        raise SessionError(_("Deze bijeenkomst is al begonnen."))


def live_opens_on(session: Session) -> date:
    """The first day the live guide of ``session`` may start: the session's own day, in Europe/Amsterdam."""
    return timezone.localdate(session.starts_at)


def live_start_check(*, session: Session, now: datetime | None = None) -> None:
    """Whether the live guide of ``session`` may start at ``now``: not for a cancelled session, and only on
    the session's day or later ("A session can be run live six days before its date"). SessionError with
    the day in words otherwise."""
    if session.status == Session.Status.CANCELLED:
        raise SessionError(_("Deze bijeenkomst is geannuleerd."))
    opens_on = live_opens_on(session)
    today = timezone.localdate(now or timezone.now())
    if today < opens_on:
        day = formats.date_format(opens_on, "l j F" if opens_on.year == today.year else "l j F Y")
        raise SessionError(_("Je kunt de bespreking starten op %(day)s.") % {"day": day})


def may_start_live(session: Session, now: datetime | None = None) -> bool:
    """``live_start_check`` as a yes or no (for the page that offers the start)."""
    try:
        live_start_check(session=session, now=now)
    except SessionError:
        return False
    return True


def _check_times(starts_at: datetime, ends_at: datetime, *, new_start: bool = True) -> None:
    """The end after the start, and for a ``new_start`` a start in the future and within the dates the
    forms accept (``wallclock.check_day``): ValidationError on ``starts_at``/``ends_at`` with a message."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValueError("starts_at and ends_at must be aware datetimes")
    errors: dict[str, object] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _ENDS_AFTER_START
    if new_start:
        try:
            wallclock.check_day(timezone.localdate(starts_at))
        except wallclock.WallClockError as error:
            errors["starts_at"] = error.message
        else:
            if starts_at <= timezone.now():
                errors["starts_at"] = _("Kies een moment in de toekomst.")
    if errors:
        raise ValidationError(errors)


def _full_clean(session: Session) -> None:
    """``full_clean`` with each broken constraint's message at the field of ``CONSTRAINT_MESSAGES``, or
    else its own ``violation_error_message`` above the form."""
    errors: dict = {}
    try:
        session.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for constraint in session._meta.constraints:
        try:
            constraint.validate(Session, session)
        except ValidationError as broken:
            if constraint.name in CONSTRAINT_MESSAGES:
                field, message = CONSTRAINT_MESSAGES[constraint.name]
                errors.setdefault(field, []).append(ValidationError(message))
            else:
                errors.setdefault(NON_FIELD_ERRORS, []).append(broken)
    if errors:
        raise ValidationError(errors)


def _check_presenter_slots(presenter_slots: int, method: Method | None) -> None:
    if not MIN_PRESENTERS <= presenter_slots <= MAX_PRESENTERS:
        raise ValidationError({"presenter_slots": CONSTRAINT_MESSAGES["session_presenter_slots_range"][1]})
    if method is not None and presenter_slots > method.max_presenters:
        raise ValidationError(
            {
                "presenter_slots": _("De werkvorm %(method)s heeft hoogstens %(n)s inbrenger(s).")
                % {"method": method.name, "n": method.max_presenters}
            }
        )


@transaction.atomic
def session_create(
    *,
    group: Group,
    starts_at: datetime,
    ends_at: datetime,
    location: str = "",
    online_link: str = "",
    method: Method | None = None,
    presenter_slots: int = 1,
    quorum_override: int | None = None,
    facilitator: User | None = None,
) -> Session:
    """A one-off session (not from the recurrence rule), starting in the future."""
    session = Session(
        group=group,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        online_link=online_link,
        method=method,
        presenter_slots=presenter_slots,
        quorum_override=quorum_override,
        facilitator=facilitator,
    )
    _check_times(starts_at, ends_at)
    _check_presenter_slots(presenter_slots, method)
    _full_clean(session)
    session.save()
    session_planned_or_changed.send(sender=Session, session=session, created=True, changed=set())
    return session


@transaction.atomic
def session_update(*, session: Session, **changes) -> set[str]:
    """Change a planned session (reschedule, move, other method, ...). Returns the changed field names.
    A new start must lie in the future. A change of time or place raises SEQUENCE so calendars replace
    the event; members are told through ``session_planned_or_changed``."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.PLANNED:
        raise SessionError(_("Alleen een geplande bijeenkomst kan worden gewijzigd."))
    changed = {name for name, value in changes.items() if getattr(session, name) != value}
    if not changed:
        return set()
    for name in changed:
        setattr(session, name, changes[name])
    if changed & {"starts_at", "ends_at"}:
        _check_times(session.starts_at, session.ends_at, new_start="starts_at" in changed)
    _check_presenter_slots(session.presenter_slots, session.method)
    if "presenter_slots" in changed and session.presenters.filter(slot__gt=session.presenter_slots).exists():
        raise ValidationError(
            {"presenter_slots": _("Er zijn al meer inbrengers aangemeld dan dit aantal plaatsen.")}
        )
    if changed & set(CALENDAR_FIELDS):
        session.sequence += 1
    _full_clean(session)
    session.save()
    session_planned_or_changed.send(sender=Session, session=session, created=False, changed=changed)
    return changed


@transaction.atomic
def session_method_set(*, session: Session, method: Method | None) -> set[str]:
    """The facilitator's choice of werkvorm for one session (the group's default lives on its Schedule):
    ``session_update`` of the method alone, so the same rules hold (only a planned session; a werkvorm
    with room for the session's presenter slots) and the same ``session_planned_or_changed`` is sent.
    A werkvorm that is too small is reported at ``method``, the field the caller changed."""
    try:
        return session_update(session=session, method=method)
    except ValidationError as error:
        if "presenter_slots" in getattr(error, "error_dict", {}):
            raise ValidationError({"method": error.error_dict["presenter_slots"]}) from error
        raise


@transaction.atomic
def session_cancel(*, session: Session, reason: str) -> Session:
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.PLANNED:
        raise SessionError(_("Alleen een geplande bijeenkomst kan worden geannuleerd."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"cancellation_reason": _("Geef een reden voor de annulering.")})
    session.status = Session.Status.CANCELLED
    session.cancellation_reason = reason
    session.sequence += 1
    _full_clean(session)
    session.save()
    session_cancelled.send(sender=Session, session=session, reason=reason)
    return session


@transaction.atomic
def rsvp_set(
    *,
    session: Session,
    user: User,
    answer: str,
    decline_reason: str = "",
    decline_note: str = "",
    now: datetime | None = None,
) -> RSVP:
    """Set or change a member's answer, until the session starts. A decline needs a reason, and the reason
    "anders" a note (ValidationError at ``decline_reason`` / ``decline_note``)."""
    now = now or timezone.now()
    session = Session.objects.select_for_update().get(pk=session.pk)
    _require_open(session, now)
    if not is_active_member(user, session.group_id):
        raise SessionError(_("Je bent geen deelnemer van deze groep."))
    if answer != RSVP.Answer.DECLINE:
        decline_reason, decline_note = "", ""
    elif not decline_reason:
        raise ValidationError({"decline_reason": _("Kies een reden waarom je niet kunt.")})
    elif decline_reason == RSVP.Reason.OTHER and not decline_note.strip():
        raise ValidationError({"decline_note": _("Licht 'anders' kort toe.")})
    rsvp = RSVP.objects.filter(session=session, user=user).first()
    previous = rsvp.answer if rsvp else None
    if rsvp is None:
        rsvp = RSVP(session=session, user=user)
    elif (rsvp.answer, rsvp.decline_reason, rsvp.decline_note) == (answer, decline_reason, decline_note):
        return rsvp
    rsvp.answer = answer
    rsvp.decline_reason = decline_reason
    rsvp.decline_note = decline_note.strip()
    rsvp.answered_at = now
    rsvp.full_clean(validate_unique=False)
    rsvp.save()
    rsvp_changed.send(sender=RSVP, rsvp=rsvp, previous_answer=previous)
    return rsvp


@transaction.atomic
def presenter_claim(*, session: Session, user: User) -> Presenter:
    """Claim the first free presenter slot ("ik breng een casus in"). Two members racing for the last slot:
    the unique constraint on (session, slot) lets exactly one insert win; the other gets SessionError."""
    session = Session.objects.get(pk=session.pk)  # no lock: the database constraint decides the race
    _require_open(session)
    if not is_active_member(user, session.group_id):
        raise SessionError(_("Je bent geen deelnemer van deze groep."))
    if Presenter.objects.filter(session=session, user=user).exists():
        raise SessionError(_("Je brengt al een casus in bij deze bijeenkomst."))
    taken = set(Presenter.objects.filter(session=session).values_list("slot", flat=True))
    for slot in range(1, session.presenter_slots + 1):
        if slot in taken:
            continue
        try:
            with transaction.atomic():
                presenter = Presenter.objects.create(session=session, user=user, slot=slot)
        except IntegrityError:
            continue  # somebody else took this slot (or this user a slot) a moment ago
        presenter_changed.send(sender=Presenter, presenter=presenter, claimed=True)
        return presenter
    raise SessionError(_("Alle inbrengplekken zijn al bezet."))


@transaction.atomic
def presenter_release(*, session: Session, user: User) -> None:
    presenter = Presenter.objects.select_for_update().filter(session=session, user=user).first()
    if presenter is None:
        return
    _require_open(session)
    presenter.delete()
    presenter_changed.send(sender=Presenter, presenter=presenter, claimed=False)
