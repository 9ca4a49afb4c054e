"""The operations commands: ``outbox_status`` (what is due, sending, held and failed) and ``outbox_sweep``
(one sweep in this process, for cron-only setups)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from notifications import sweep
from notifications.models import Handover, Kind, Outbox, Status

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def reminders():
    group, _, members = group_with_members(members=4)
    plan_session(group)
    Outbox.objects.exclude(kind=Kind.REMINDER_FIRST).delete()
    rows = list(Outbox.objects.order_by("pk"))
    assert len(rows) == 5  # four members and the facilitator
    return rows


def test_status_shows_due_soon_sending_and_failed_messages(reminders):
    now = timezone.now()
    due, soon, later, failed, claimed = reminders
    Outbox.objects.filter(pk=due.pk).update(due_at=now - timedelta(minutes=5))
    Outbox.objects.filter(pk=soon.pk).update(due_at=now + timedelta(hours=3))
    Outbox.objects.filter(pk=later.pk).update(due_at=now + timedelta(days=3))
    Outbox.objects.filter(pk=failed.pk).update(
        status=Status.FAILED, attempts=5, last_error="SMTPRecipientsRefused: mailbox busy", claimed_at=now
    )
    Outbox.objects.filter(pk=claimed.pk).update(
        status=Status.SENDING,
        claimed_at=now - timedelta(hours=2),
        claim_token="00000000-0000-0000-0000-000000000001",
    )
    Handover.objects.create(outbox_id=claimed.pk, sent_at=now - timedelta(hours=2))
    out = run("outbox_status")
    assert "Due now: 1" in out
    assert "Accepted by the mail server, to be marked sent: 1" in out
    assert "reminder_first" in out
    assert "Due within 24 h: 1" in out
    assert "Sending: 1 (of which stale, from a dead worker: 1)" in out
    assert "Failed: 1" in out
    assert f"#{failed.pk}" in out and failed.recipient.email in out and "mailbox busy" in out
    assert "Due within 96 h: 2" in run("outbox_status", "--hours", "96")


def test_sweep_command_recovers_a_dead_claim_then_sends_what_is_due(reminders):
    Outbox.objects.update(due_at=timezone.now() - timedelta(minutes=1))
    token, pks = sweep.claim(limit=2)
    Outbox.objects.filter(claim_token=token).update(claimed_at=timezone.now() - timedelta(hours=1))
    Handover.objects.create(outbox_id=pks[0], sent_at=timezone.now() - timedelta(hours=1))
    out = run("outbox_sweep")
    # The first claimed row had gone out before the sender died, the second was in flight.
    assert "Sent: 3 (dead claims: 1 sent before the sender died, 1 interrupted, 0 released)" in out
    assert len(mail.outbox) == 3
    statuses = dict(Outbox.objects.values_list("pk", "status"))
    assert statuses[pks[0]] == Status.SENT and statuses[pks[1]] == Status.DOUBT
    assert list(statuses.values()).count(Status.SENT) == 4
    assert run("outbox_sweep").startswith("Sent: 0 ")
    assert len(mail.outbox) == 3
