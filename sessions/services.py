"""State changes of sessions, RSVPs and presenter slots. Every function is atomic and sends the signals of
``sessions/signals.py`` inside its transaction (see there for exactly when)."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groups.models import Group, Membership

from .models import RSVP, Method, Presenter, Session
from .signals import presenter_changed, rsvp_changed, session_cancelled, session_planned_or_changed

# Changes that move the event in members' calendars: they raise the iCalendar SEQUENCE.
CALENDAR_FIELDS = ("starts_at", "ends_at", "location", "online_link")
EDITABLE_FIELDS = (*CALENDAR_FIELDS, "method", "presenter_slots", "quorum_override", "facilitator")


class SessionError(Exception):
    """A change the rules do not allow; ``message`` is translated and can be shown to the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def _is_active_member(user: User, group_id: int) -> bool:
    return Membership.objects.filter(user=user, group_id=group_id, status=Membership.Status.ACTIVE).exists()


def _require_open(session: Session, now: datetime | None = None) -> None:
    if session.status != Session.Status.PLANNED:
        raise SessionError(_("Deze bijeenkomst is niet meer gepland."))
    if session.starts_at <= (now or timezone.now()):
        raise SessionError(_("Deze bijeenkomst is al begonnen."))


def _check_presenter_slots(presenter_slots: int, method: Method | None) -> None:
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
    """A one-off session (not from the recurrence rule)."""
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
    _check_presenter_slots(presenter_slots, method)
    session.full_clean()
    session.save()
    session_planned_or_changed.send(sender=Session, session=session, created=True, changed=set())
    return session


@transaction.atomic
def session_update(*, session: Session, **changes) -> set[str]:
    """Change a planned session (reschedule, move, other method, ...). Returns the changed field names.
    A change of time or place raises SEQUENCE so calendars replace the event; members are told through
    ``session_planned_or_changed``."""
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
    _check_presenter_slots(session.presenter_slots, session.method)
    if "presenter_slots" in changed and session.presenters.filter(slot__gt=session.presenter_slots).exists():
        raise ValidationError(
            {"presenter_slots": _("Er zijn al meer inbrengers aangemeld dan dit aantal plaatsen.")}
        )
    if changed & set(CALENDAR_FIELDS):
        session.sequence += 1
    session.full_clean()
    session.save()
    session_planned_or_changed.send(sender=Session, session=session, created=False, changed=changed)
    return changed


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
    session.full_clean()
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
    """Set or change a member's answer, until the session starts. A decline needs a reason."""
    now = now or timezone.now()
    session = Session.objects.select_for_update().get(pk=session.pk)
    _require_open(session, now)
    if not _is_active_member(user, session.group_id):
        raise SessionError(_("Je bent geen deelnemer van deze groep."))
    if answer != RSVP.Answer.DECLINE:
        decline_reason, decline_note = "", ""
    elif not decline_reason:
        raise ValidationError({"decline_reason": _("Kies een reden.")})
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
    if not _is_active_member(user, session.group_id):
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
