"""``Outbox.cancel_reason``: migration 0012 turns the free-text notes of cancelled rows into reasons, and the
admin shows a reason in words."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import CancelReason, Kind, Outbox, Status
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("notifications.migrations.0012_outbox_cancel_reason")


def _row(user, n, *, status=Status.CANCELLED, last_error=""):
    return Outbox.objects.create(
        kind=Kind.DIGEST,
        recipient=user,
        subject_key=f"digest:{n}",
        due_at=timezone.now(),
        status=status,
        last_error=last_error,
    )


def test_the_migration_maps_each_old_note_to_its_reason_and_keeps_real_errors():
    user = UserFactory()
    notes = list(migration.NOTES)
    rows = {note: _row(user, n, last_error=note) for n, note in enumerate(notes)}
    error = _row(user, 100, last_error="SMTPRecipientsRefused: 550 no such user")
    failed = _row(user, 101, status=Status.FAILED, last_error="superseded")  # not cancelled: untouched

    migration.notes_to_reasons(apps, None)

    for note, row in rows.items():
        row.refresh_from_db()
        assert (row.cancel_reason, row.last_error) == (migration.NOTES[note], "")
        assert row.cancel_reason in CancelReason.values
    error.refresh_from_db()
    failed.refresh_from_db()
    assert (error.cancel_reason, error.last_error) == ("", "SMTPRecipientsRefused: 550 no such user")
    assert (failed.cancel_reason, failed.last_error) == ("", "superseded")

    migration.reasons_to_notes(apps, None)
    assert {row.last_error for row in Outbox.objects.filter(pk__in=[r.pk for r in rows.values()])} == set(
        notes
    )


def test_the_notes_planning_and_the_sweep_wrote_are_all_mapped():
    """Every reason but the ones newer than the notes (the invitation's) had a note before."""
    assert set(CancelReason.values) - set(migration.NOTES.values()) == {CancelReason.INVITATION_CLOSED}


def test_only_a_cancelled_row_has_a_reason():
    user = UserFactory()
    pending = _row(user, 1, status=Status.PENDING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outbox.objects.filter(pk=pending.pk).update(cancel_reason=CancelReason.SUPERSEDED)
    row = _row(user, 2)
    Outbox.objects.filter(pk=row.pk).update(cancel_reason=CancelReason.SUPERSEDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outbox.objects.filter(pk=row.pk).update(cancel_reason="because")


def test_the_admin_list_shows_the_reason_in_words(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    user = UserFactory()
    row = _row(user, 1)
    Outbox.objects.filter(pk=row.pk).update(cancel_reason=CancelReason.LEFT)
    client.force_login(admin)
    page = client.get(reverse("admin:notifications_outbox_changelist"), {"cancel_reason__exact": "left"})
    assert page.status_code == 200
    cells = page.content.decode().split('class="field-cancel_reason">')[1:]
    with translation.override(admin.preferred_language or "nl"):
        assert [cell.split("<")[0] for cell in cells] == [str(CancelReason.LEFT.label)]
