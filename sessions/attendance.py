"""Attendance registration: the facilitator's record of who was there, which makes a session *held*.

Dashboards, alerts and accreditation exports read what this writes (``Attendance`` and the Session's actual
times), and apps further up hear about it through ``signals.session_held``. The register's page sits with
the session overview in casussen (``casussen:attendance``); the rules are all here.
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
from .services import SessionError
from .signals import session_held

RSVP_TO_STATUS: dict[str, str] = {
    RSVP.Answer.ATTEND: Attendance.Status.PRESENT,
    RSVP.Answer.MAYBE: Attendance.Status.PRESENT,
    RSVP.Answer.DECLINE: Attendance.Status.EXCUSED,
}


def attendance_people(session: Session) -> list[User]:
    """Who the register lists: members active at the session (joined before it ended, not left before it
    started) plus anyone already registered."""
    members = Membership.objects.filter(group_id=session.group_id, joined_at__lt=session.ends_at).filter(
        Q(left_at__isnull=True) | Q(left_at__gt=session.starts_at)
    )
    registered = Attendance.objects.filter(session=session).values("user_id")
    return list(
        User.objects.filter(Q(pk__in=members.values("user_id")) | Q(pk__in=registered)).order_by(
            "display_name", "pk"
        )
    )


def attendance_initial(session: Session, people: list[User]) -> dict[int, str]:
    """Current registration, else a guess from the RSVPs (yes/maybe → present, no → excused, none →
    absent)."""
    existing = dict(Attendance.objects.filter(session=session).values_list("user_id", "status"))
    answers = dict(RSVP.objects.filter(session=session).values_list("user_id", "answer"))
    initial = {}
    for person in people:
        if person.pk in existing:
            initial[person.pk] = existing[person.pk]
        else:
            initial[person.pk] = RSVP_TO_STATUS.get(answers.get(person.pk, ""), Attendance.Status.ABSENT)
    return initial


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
