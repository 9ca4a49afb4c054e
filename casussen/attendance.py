"""Attendance registration: the facilitator's record of who was there, which makes a session *held*.

Dashboards, alerts and accreditation exports read what this writes (sessions.Attendance and the
Session's actual times), and apps further up hear about it through ``sessions.signals.session_held``.
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groups.models import Membership
from sessions.models import RSVP, Attendance, Session
from sessions.signals import session_held

from .services import CasusError

RSVP_TO_STATUS = {
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
            initial[person.pk] = RSVP_TO_STATUS.get(answers.get(person.pk), Attendance.Status.ABSENT)
    return initial


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
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status == Session.Status.CANCELLED:
        raise CasusError(_("Een geannuleerde bijeenkomst heeft geen aanwezigheid."))
    if ended_at <= started_at:
        raise CasusError(_("Het einde moet na het begin liggen."))
    if started_at > timezone.now():
        raise CasusError(_("Je registreert aanwezigheid pas als de bijeenkomst begonnen is."))
    if break_minutes * 60 >= (ended_at - started_at).total_seconds():
        raise CasusError(_("De pauze is langer dan de bijeenkomst."))
    allowed = {person.pk for person in attendance_people(session)}
    valid_statuses = set(Attendance.Status.values)
    now = timezone.now()
    for user_id, status in statuses.items():
        if user_id not in allowed or status not in valid_statuses:
            raise CasusError(_("Onbekende deelnemer of status."))
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
