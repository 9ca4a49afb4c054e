"""Attendance registration: the facilitator's record of who was there, which makes a session *held*.

Dashboards, alerts and accreditation exports read what this writes (``Attendance`` and the Session's actual
times), and apps further up hear about it through ``signals.session_held``. The register's page is
``sessions:attendance`` (``attendance_views.py``, ``AttendanceForm``); the rules are all here.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groups.models import Membership

from .models import RSVP, Attendance, Session
from .roles import roles_settle
from .services import SessionError
from .signals import session_held

# The register's first guess from the facts it has, for someone not registered yet. "Misschien" says
# nothing about whether someone came: no status is chosen, the facilitator picks one.
RSVP_TO_STATUS: dict[str, str | None] = {
    RSVP.Answer.ATTEND: Attendance.Status.PRESENT,
    RSVP.Answer.MAYBE: None,
    RSVP.Answer.DECLINE: Attendance.Status.EXCUSED,
}
NO_ANSWER_STATUS = Attendance.Status.ABSENT  # did not answer: absent without notice, unless they ran it
RUNNER_STATUS = Attendance.Status.PRESENT  # who runs the session was there, unless they declined


def _members_at(session: Session):
    """The memberships active at the session: joined before it ended, not left before it started."""
    return Membership.objects.filter(group_id=session.group_id, joined_at__lt=session.ends_at).filter(
        Q(left_at__isnull=True) | Q(left_at__gt=session.starts_at)
    )


def attendance_people(session: Session) -> list[User]:
    """Who the register lists: members active at the session plus anyone already registered."""
    registered = Attendance.objects.filter(session=session).values("user_id")
    return list(
        User.objects.filter(Q(pk__in=_members_at(session).values("user_id")) | Q(pk__in=registered)).order_by(
            "display_name", "pk"
        )
    )


def session_runners(session: Session) -> set[int]:
    """Who runs the session: its own facilitator, else the group's facilitators at the time."""
    if session.facilitator_id:
        return {session.facilitator_id}
    return set(
        _members_at(session).filter(role=Membership.Role.FACILITATOR).values_list("user_id", flat=True)
    )


def initial_status(answer: str | None, *, runs_session: bool) -> str | None:
    """The guess for one person not registered yet, from their RSVP (``None`` when there is none): see
    ``RSVP_TO_STATUS``; the one who runs the session is present unless they declined. ``None``: no guess."""
    if runs_session and answer != RSVP.Answer.DECLINE:
        return RUNNER_STATUS
    if answer is None:
        return NO_ANSWER_STATUS
    return RSVP_TO_STATUS[answer]


def attendance_initial(session: Session, people: list[User]) -> dict[int, str | None]:
    """The current registration, else ``initial_status``'s guess (``None``: no status chosen)."""
    existing = dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))
    answers = dict(RSVP.objects.filter(session=session).values_list("user_id", "answer"))
    runners = session_runners(session)
    return {
        person.pk: existing[person.pk]
        if person.pk in existing
        else initial_status(answers.get(person.pk), runs_session=person.pk in runners)
        for person in people
    }


def attendance_times_check(*, started_at: datetime, ended_at: datetime, break_minutes: int) -> None:
    """The actual times' rules, each reported at its argument (the register's field of the same name). The
    register's form asks this too, so these errors show next to its other ones."""
    errors = {}
    if ended_at <= started_at:
        errors["ended_at"] = _("Het einde moet na het begin liggen.")
    if started_at > timezone.now():
        errors["started_at"] = _("Dit begin ligt in de toekomst.")
    if ended_at > started_at and break_minutes * 60 >= (ended_at - started_at).total_seconds():
        errors["break_minutes"] = _("De pauze is langer dan de bijeenkomst.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def attendance_register(
    *,
    session: Session,
    statuses: dict[int, str],
    started_at: datetime,
    ended_at: datetime,
    break_minutes: int,
    registered_by: User,
) -> Session:
    """Register who was there and the actual times; the session is then held (``session_held`` is sent
    the first time). Registering again updates. A cancelled session: ``SessionError``; bad times: a
    ``ValidationError`` naming ``started_at``, ``ended_at`` or ``break_minutes``."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        raise SessionError(_("Een geannuleerde bijeenkomst heeft geen aanwezigheid."))
    attendance_times_check(started_at=started_at, ended_at=ended_at, break_minutes=break_minutes)
    allowed = {person.pk for person in attendance_people(session)}
    valid_statuses = set(Attendance.Status.values)
    if any(user_id not in allowed or status not in valid_statuses for user_id, status in statuses.items()):
        raise ValidationError(_("Onbekende deelnemer of status."))
    now = timezone.now()
    Attendance.objects.bulk_create(
        [
            Attendance(
                session=session,
                user_id=user_id,
                status=status,
                registered_by=registered_by,
                registered_at=now,
            )
            for user_id, status in statuses.items()
        ],
        update_conflicts=True,
        unique_fields=["session", "user"],
        update_fields=["status", "registered_by", "registered_at"],
    )
    became_held = session.status != Session.Status.HELD
    if became_held:
        roles_settle(session=session)  # the proposed roles that stood become the record
    session.status = Session.Status.HELD
    session.actual_started_at = started_at
    session.actual_ended_at = ended_at
    session.break_minutes = break_minutes
    session.full_clean()
    session.save(
        update_fields=["status", "actual_started_at", "actual_ended_at", "break_minutes", "updated_at"]
    )
    if became_held:
        session_held.send(sender=Session, session=session)
    return session
