"""Daily digests: a user who chose the digest gets one e-mail with everything held for it; organisation
admins get one e-mail listing the open attendance alerts across their organisation."""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from groups.models import OrganisationAdmin

from .models import Kind, Outbox, Status


@transaction.atomic
def digests_build(*, now: datetime | None = None) -> list[int]:
    """Create today's digest rows (due now) and bundle the held rows into them. Idempotent per day:
    rows held after today's digest went out wait for tomorrow's. Returns the new digest row ids."""
    now = now or timezone.now()
    day = timezone.localdate(now).isoformat()
    key, admin_key = f"digest:{day}", f"admin-digest:{day}"
    users = set(Outbox.objects.filter(status=Status.HELD).values_list("recipient_id", flat=True))
    admins = set(
        OrganisationAdmin.objects.filter(
            organisation__groups__attendance_alerts__closed_at__isnull=True,
            organisation__groups__is_active=True,
        ).values_list("user_id", flat=True)
    )
    Outbox.objects.bulk_create(
        [Outbox(kind=Kind.DIGEST, recipient_id=uid, subject_key=key, due_at=now) for uid in users]
        + [
            Outbox(kind=Kind.ADMIN_DIGEST, recipient_id=uid, subject_key=admin_key, due_at=now)
            for uid in admins
        ],
        ignore_conflicts=True,
    )
    todays = Outbox.objects.filter(
        kind=Kind.DIGEST, subject_key=key, status=Status.PENDING, recipient_id=OuterRef("recipient_id")
    )
    Outbox.objects.filter(Exists(todays), status=Status.HELD).update(
        digest_id=Subquery(todays.values("pk")[:1]), status=Status.BUNDLED
    )
    return list(
        Outbox.objects.filter(
            kind__in=[Kind.DIGEST, Kind.ADMIN_DIGEST], subject_key__in=[key, admin_key], status=Status.PENDING
        ).values_list("pk", flat=True)
    )
