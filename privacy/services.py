"""Privacy services: the member's data export (a zip of JSON + CSV), account deletion and the casus
access log.

What account deletion does (the group policy; shown on the delete page too):
- casussen: all of the member's casussen are deleted, drafts and submitted ones alike (the text is theirs;
  ``Casus.author`` cannot be empty). Sessions keep their record; a live run's link to the casus is cleared.
- reflections: kept as anonymous numbers only: the author is cleared and every free-text answer (takeaway,
  eye-opener) is wiped, so group aggregates that were published never change afterwards.
- attendance: the rows go with the account; per session and status the count is kept in
  ``AnonymousAttendance`` first, so attendance figures stay as anonymous numbers.
- everything else of the member (profile, memberships, RSVPs, presenter slots, follow-ups, advice given,
  notification preferences and outbox, feed token) is deleted; questions they asked in a live session stay
  without their name; their openings in the casus access log stay without their name.
- one ``PurgeLog`` row records that an account was deleted and how many records of each kind went,
  without naming the person.
"""

import csv
import io
import json
import zipfile

from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from casussen.models import Casus
from groups.models import Membership
from notifications.models import NotificationPreference
from reflections.models import FollowUp, Reflection
from sessions.models import RSVP, Attendance, Presenter

from .models import AnonymousAttendance, CasusAccess, PurgeLog

PROFILE_FIELDS = ("id", "email", "display_name", "preferred_language", "date_joined", "last_login")


def _rows(queryset, *fields) -> list[dict]:
    return [dict(row) for row in queryset.order_by("pk").values(*fields)]


def _own_fields(model, *skip) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.attname not in skip]


def export_data(user) -> dict[str, list[dict]]:
    """Everything stored about this member, as lists of plain rows per kind (only their own records)."""
    return {
        "profile": [{name: getattr(user, name) for name in PROFILE_FIELDS}],
        "memberships": _rows(
            Membership.objects.filter(user=user),
            *_own_fields(Membership, "user_id"),
            "group__name",
            "group__organisation__name",
        ),
        "rsvps": _rows(
            RSVP.objects.filter(user=user),
            *_own_fields(RSVP, "user_id"),
            "session__starts_at",
            "session__group__name",
        ),
        "presenter_slots": _rows(
            Presenter.objects.filter(user=user),
            *_own_fields(Presenter, "user_id"),
            "session__starts_at",
            "session__group__name",
        ),
        "attendance": _rows(
            Attendance.objects.filter(user=user),
            "id",
            "session_id",
            "status",
            "registered_at",
            "session__starts_at",
            "session__group__name",
        ),
        "casussen": _rows(Casus.objects.filter(author=user), *_own_fields(Casus, "author_id"), "group__name"),
        "reflections": _rows(
            Reflection.objects.filter(author=user),
            *_own_fields(Reflection, "author_id"),
            "session__starts_at",
            "session__group__name",
        ),
        "followups": _rows(
            FollowUp.objects.filter(presenter=user),
            *_own_fields(FollowUp, "presenter_id"),
            "session__starts_at",
        ),
        "notification_preferences": _rows(
            NotificationPreference.objects.filter(user=user), *_own_fields(NotificationPreference, "user_id")
        ),
    }


def export_zip(user) -> bytes:
    """``gegevens.json`` with everything, plus one CSV file per kind (csv module quoting)."""
    data = export_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "gegevens.json", json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        for kind, rows in data.items():
            out = io.StringIO()
            fieldnames = list(rows[0]) if rows else ["id"]
            writer = csv.DictWriter(out, fieldnames=fieldnames)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _csv_value(v) for k, v in row.items()})
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
    user.delete()
    return PurgeLog.objects.create(
        kind=PurgeLog.Kind.ACCOUNT, count=sum(counts.values()), detail=counts, ran_at=timezone.now()
    )


def access_record(*, casus_id: int, user, view: str) -> CasusAccess:
    return CasusAccess.objects.create(casus_id=casus_id, user=user, view=view)


def purge_expired_logged(*, now=None) -> PurgeLog:
    """Run the casussen retention purge and log that it ran and how many casussen it purged."""
    from casussen.services import casus_purge_expired

    count = casus_purge_expired(now=now)
    return PurgeLog.objects.create(kind=PurgeLog.Kind.RETENTION, count=count, ran_at=now or timezone.now())
