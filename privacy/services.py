"""Privacy services: the member's data export (a zip of JSON + CSV), account deletion and the casus
access log.

What account deletion does (the group policy; shown on the delete page too):
- casussen: all of the member's casussen are deleted, drafts and submitted ones alike (the text is theirs;
  ``Casus.author`` cannot be empty). Sessions keep their record; a live run's link to the casus is cleared.
- reflections: kept as anonymous numbers only: the author is cleared and every free-text answer (takeaway,
  eye-opener) is wiped, so group aggregates that were published never change afterwards.
- attendance: the rows go with the account; per session and status the count is kept in
  ``AnonymousAttendance`` first, so attendance figures stay as anonymous numbers.
- invitations: the one they accepted and any other sent to their e-mail address are deleted (an accepted
  invitation must name who accepted it, and its address is theirs); invitations they sent stay without
  their name.
- everything else of the member (profile, professional registrations and their numbers, memberships, RSVPs,
  presenter slots, session roles, date-poll answers, follow-ups, advice given, notification preferences
  and outbox, signals about them, feed token, login attempts recorded under their e-mail address, admin
  log lines about their account) is deleted; questions they asked and topics they parked in a live
  session, date polls they proposed and roles they handed out stay without their name; their openings in
  the casus access log stay without their name.
- one ``PurgeLog`` row records that an account was deleted and how many records of each kind went,
  without naming the person.
"""

import io
import json
import zipfile
from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import ProfessionalRegistration
from casussen.models import AdvanceContribution, Advice, Casus, CasusVote, ParkedItem, Question
from groups.models import Invitation, Membership, OrganisationAdmin
from intervisie.csv_safe import SafeWriter
from notifications.models import Alert, NotificationPreference, Outbox
from reflections.models import FollowUp, Reflection
from sessions.models import RSVP, Attendance, DatePoll, DatePollAnswer, Presenter, Session
from sessions.role_models import SessionRole

from .models import AnonymousAttendance, CasusAccess, PurgeLog

PROFILE_FIELDS = ("id", "email", "display_name", "preferred_language", "date_joined", "last_login")


@dataclass(frozen=True)
class Section:
    """One kind of record in the download: the rows of ``model`` whose ``user_field`` is the member, with
    ``fields`` (default: the model's own columns except the reference to the member)."""

    name: str
    model: type[models.Model]
    user_field: str
    fields: tuple[str, ...] = ()
    extra: tuple[str, ...] = ()

    def rows(self, user) -> list[dict]:
        fields = self.fields or tuple(
            f.attname for f in self.model._meta.concrete_fields if f.name != self.user_field
        )
        queryset = self.model._default_manager.filter(**{self.user_field: user}).order_by("pk")
        return [dict(row) for row in queryset.values(*fields, *self.extra)]


AT_SESSION = ("session__starts_at", "session__group__name")
SECTIONS = (
    Section("registrations", ProfessionalRegistration, "user"),
    Section("memberships", Membership, "user", extra=("group__name", "group__organisation__name")),
    Section("organisation_admin", OrganisationAdmin, "user", extra=("organisation__name",)),
    Section(
        "invitation_accepted",
        Invitation,
        "accepted_by",
        ("id", "email", "role", "accepted_at", "group__name"),
    ),
    Section("rsvps", RSVP, "user", extra=AT_SESSION),
    Section("presenter_slots", Presenter, "user", extra=AT_SESSION),
    Section("attendance", Attendance, "user", ("id", "session_id", "status", "registered_at"), AT_SESSION),
    Section("sessions_facilitated", Session, "facilitator", ("id", "starts_at", "status", "group__name")),
    Section(
        "session_roles", SessionRole, "user", ("id", "key", "name_nl", "name_en", "chosen_at"), AT_SESSION
    ),
    Section(
        "date_poll_answers",
        DatePollAnswer,
        "user",
        ("id", "answer", "answered_at", "option__starts_at", "option__weekday", "option__start_time"),
        ("option__poll__group__name",),
    ),
    Section("date_polls_proposed", DatePoll, "created_by", ("id", "created_at", "closed_at", "group__name")),
    Section("casussen", Casus, "author", extra=("group__name",)),
    Section("casus_votes", CasusVote, "voter", extra=AT_SESSION),
    Section(
        "questions",
        Question,
        "author",
        ("id", "text", "opened_eyes", "created_at"),
        ("run__session__starts_at",),
    ),
    Section("advice", Advice, "author", ("id", "text", "created_at"), ("run__session__starts_at",)),
    Section(
        "written_in_advance",
        AdvanceContribution,
        "author",
        ("id", "questions", "advice", "created_at", "updated_at", "summary_shared_at"),
        AT_SESSION,
    ),
    Section("parked_items", ParkedItem, "author", extra=AT_SESSION),
    Section("reflections", Reflection, "author", extra=AT_SESSION),
    Section("followups", FollowUp, "presenter", extra=("session__starts_at",)),
    Section("notification_preferences", NotificationPreference, "user"),
    Section(
        "emails",
        Outbox,
        "recipient",
        ("id", "kind", "group__name", "session__starts_at", "due_at", "status", "sent_at", "created_at"),
    ),
    Section(
        "signals_about_me", Alert, "user", ("id", "rule", "detail", "opened_at", "closed_at", "group__name")
    ),
    Section("casus_openings", CasusAccess, "user"),
)
# References to a member that the download leaves out, and why (tests/privacy checks that every reference
# to the user model is either a section or named here).
NOT_EXPORTED = {
    ("groups.Invitation", "invited_by"): "invitations they sent hold other people's e-mail addresses",
    ("meetings.Attendance", "registered_by"): "whose attendance they registered is other members' data",
    ("meetings.SessionRole", "chosen_by"): "whom they gave a role is other members' data",
    (
        "casussen.LiveRun",
        "presenter",
    ): "the casus and its session are in the download; a run holds the group's notes",
}


def export_data(user) -> dict[str, list[dict]]:
    """Everything stored about this member, as lists of plain rows per kind (only their own records)."""
    return {
        "profile": [{name: getattr(user, name) for name in PROFILE_FIELDS}],
        **{section.name: section.rows(user) for section in SECTIONS},
    }


def export_zip(user) -> bytes:
    """``gegevens.json`` with everything, plus one CSV file per kind (the shared writer: text that a
    spreadsheet would run as a formula, like a group name ``=HYPERLINK(...)``, is written as text)."""
    data = export_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "gegevens.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        for kind, rows in data.items():
            out = io.StringIO()
            fieldnames = list(rows[0]) if rows else ["id"]
            writer = SafeWriter(out)
            writer.writerow(fieldnames)
            writer.writerows([_csv_value(row[name]) for name in fieldnames] for row in rows)
            archive.writestr(f"{kind}.csv", out.getvalue())
    return buffer.getvalue()


def _csv_value(value):
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


@transaction.atomic
def account_delete(*, user) -> PurgeLog:
    """Delete the member's account following the policy in this module's docstring."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    counts = {}
    attendance = list(Attendance.objects.filter(user=user).values_list("session_id", "status"))
    for session_id, status in attendance:
        anon, _created = AnonymousAttendance.objects.get_or_create(session_id=session_id, status=status)
        AnonymousAttendance.objects.filter(pk=anon.pk).update(count=F("count") + 1)
    counts["attendance_anonymised"] = len(attendance)
    counts["reflections_anonymised"] = Reflection.objects.filter(author=user).update(
        takeaway="", share_takeaway=False, eye_opener="", eye_opener_question=None
    )
    counts["casussen_deleted"] = Casus.objects.filter(author=user).count()
    counts["rsvps_deleted"] = RSVP.objects.filter(user=user).count()
    # delete()'s first figure counts the cascade too (each invitation's outbox rows): count invitations only.
    _, deleted = Invitation.objects.filter(Q(accepted_by=user) | Q(email__iexact=user.email)).delete()
    counts["invitations_deleted"] = deleted.get(Invitation._meta.label, 0)
    _login_records_delete(user)
    user.delete()
    return PurgeLog.objects.create(
        kind=PurgeLog.Kind.ACCOUNT, count=sum(counts.values()), detail=counts, ran_at=timezone.now()
    )


def _login_records_delete(user) -> None:
    """What the login throttle (axes) and the Django admin recorded under the member's e-mail address or
    about their account."""
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username__iexact=user.email).delete()
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(user), object_id=str(user.pk)
    ).delete()


def access_record(*, casus_id: int, user, view: str) -> CasusAccess:
    return CasusAccess.objects.create(casus_id=casus_id, user=user, view=view)


def purge_expired_logged(*, now=None) -> PurgeLog:
    """Run the casussen retention purge and log that it ran and how many casussen it purged."""
    from casussen.services import casus_purge_expired

    count = casus_purge_expired(now=now)
    return PurgeLog.objects.create(kind=PurgeLog.Kind.RETENTION, count=count, ran_at=now or timezone.now())
