"""The sweep in-process: what it sends, what it skips, retries, the dead-worker edge, query counts."""

import smtplib
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import sweep
from notifications.models import CancelReason, Doubt, Handover, Kind, NotificationPreference, Outbox, Status
from sessions import services as session_services
from sessions.models import RSVP

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db


def make_due(queryset):
    queryset.update(due_at=timezone.now() - timedelta(minutes=1))


class FailingBackend:
    """A mail backend whose server refuses every message (set as the MAILERS backend in a test)."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (450, b"mailbox busy")})


def test_due_reminder_is_sent_once_with_headers_links_and_language():
    group, _, (anna,) = group_with_members(members=1, language="en", name="Noord")
    session = plan_session(group, location="Kamer 2")
    Outbox.objects.exclude(kind=Kind.REMINDER_SECOND, recipient=anna).delete()
    make_due(Outbox.objects.all())
    assert sweep.sweep_once() == 1
    assert sweep.sweep_once() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [anna.email]
    # Rendered in the recipient's language: the date names are English for an English-speaking member.
    weekday = timezone.localtime(session.starts_at).strftime("%A")
    assert "Noord" in message.subject and weekday in message.subject
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0].content
    assert "/meldingen/link/" in html and "Kamer 2" in html
    row = Outbox.objects.get()
    assert row.status == Status.SENT and row.sent_at and row.attempts == 1
    assert message.extra_headers["X-Intervisie-Outbox"] == str(row.pk)


def test_dutch_member_gets_dutch_dates():
    group, _, (anna,) = group_with_members(members=1, language="nl")
    session = plan_session(group)
    Outbox.objects.exclude(kind=Kind.REMINDER_SECOND, recipient=anna).delete()
    make_due(Outbox.objects.all())
    sweep.sweep_once()
    dutch_days = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
    assert any(day in mail.outbox[0].subject for day in dutch_days), mail.outbox[0].subject
    assert session.group.name in mail.outbox[0].body


def test_invite_carries_an_ics_request_and_cancellation_a_cancel():
    from icalendar import Calendar

    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group)
    Outbox.objects.exclude(kind=Kind.INVITE).delete()
    sweep.sweep_once()
    session_services.session_cancel(session=session, reason="Ziekte")
    sweep.sweep_once()
    methods = []
    for message in mail.outbox:
        parsed = message_from_bytes(message.message().as_bytes())
        for part in parsed.walk():
            if part.get_content_type() == "text/calendar":
                methods.append(str(Calendar.from_ical(part.get_payload(decode=True))["METHOD"]))
    assert sorted(methods) == ["CANCEL", "CANCEL", "REQUEST", "REQUEST"]


def test_skips_rows_whose_condition_no_longer_holds_and_respects_preferences():
    group, facilitator, (anna, bram, chantal) = group_with_members(members=3)
    session = plan_session(group)
    session_services.rsvp_set(session=session, user=bram, answer=RSVP.Answer.ATTEND)
    NotificationPreference.objects.create(user=chantal, disabled_kinds=[Kind.RSVP_NUDGE])
    Outbox.objects.exclude(kind=Kind.RSVP_NUDGE).delete()
    # Bram's nudge was cancelled when he answered; a stale one forced back to pending is skipped at send time.
    Outbox.objects.filter(recipient=bram).update(status=Status.PENDING, cancel_reason="")
    make_due(Outbox.objects.all())
    sweep.sweep_once()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([anna.email, facilitator.email])
    assert Outbox.objects.get(recipient=bram).status == Status.CANCELLED
    assert Outbox.objects.get(recipient=chantal).cancel_reason == CancelReason.USER_OFF


def test_digest_users_get_one_daily_email():
    from notifications.digests import digests_build

    group, _, (anna,) = group_with_members(members=1)
    NotificationPreference.objects.create(user=anna, digest=True)
    plan_session(group)
    plan_session(group, starts_at=timezone.now() + timedelta(days=12))
    Outbox.objects.exclude(recipient=anna).delete()
    Outbox.objects.filter(kind__in=[Kind.INVITE, Kind.REMINDER_SECOND, Kind.QUORUM_RISK]).delete()
    make_due(Outbox.objects.all())
    sweep.sweep_once()
    assert mail.outbox == []
    held = Outbox.objects.filter(status=Status.HELD).count()
    assert held == 6  # 2 sessions × (first reminder, nudge, no casus)
    digests_build()
    digests_build()  # twice a day changes nothing
    sweep.sweep_once()
    assert len(mail.outbox) == 1
    assert Outbox.objects.filter(status=Status.BUNDLED).count() == held
    assert mail.outbox[0].body.count("\n- ") == held


def test_smtp_errors_are_retried_with_backoff_then_failed(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_sweep.FailingBackend"}}
    group, _, (anna,) = group_with_members(members=1)
    plan_session(group)
    Outbox.objects.exclude(kind=Kind.REMINDER_FIRST, recipient=anna).delete()
    row = Outbox.objects.get()
    delays = []
    for _attempt in range(5):
        make_due(Outbox.objects.filter(status=Status.PENDING))
        before = timezone.now()
        sweep.sweep_once()
        row.refresh_from_db()
        if row.status == Status.PENDING:
            delays.append(round((row.due_at - before).total_seconds() / 60))
    assert delays == [2, 4, 8, 16]
    assert row.status == Status.FAILED and row.attempts == 5
    assert "SMTPRecipientsRefused" in row.last_error


def test_a_dead_claim_marks_its_in_flight_row_and_releases_the_rest(settings):
    group, _, members = group_with_members(members=4)
    plan_session(group)
    Outbox.objects.exclude(kind=Kind.REMINDER_FIRST).delete()
    make_due(Outbox.objects.all())
    token, pks = sweep.claim(limit=10)
    assert len(pks) == 5
    # The worker sent the first row (its hand-over committed, the batch not settled yet) and died while
    # sending the second one.
    handed_over_at = timezone.now() - timedelta(minutes=50)  # after the claim (an hour ago, below)
    Handover.objects.create(outbox_id=pks[0], sent_at=handed_over_at)
    assert sweep.recover_stale() == (0, 0, 0)  # not stale yet: a live sender is never taken over
    Outbox.objects.filter(claim_token=token).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert sweep.recover_stale() == (1, 1, 3)
    sent = Outbox.objects.get(pk=pks[0])
    assert (sent.status, sent.sent_at, sent.claim_token) == (Status.SENT, handed_over_at, None)
    assert not Handover.objects.exists()
    interrupted = Outbox.objects.get(pk=pks[1])
    assert (interrupted.status, interrupted.doubt) == (Status.DOUBT, Doubt.WORKER_STOPPED)
    # It went to the mail server after the claim's last recorded hand-over: the earliest it can have.
    assert interrupted.handed_over_at == handed_over_at
    assert set(Outbox.objects.filter(status=Status.PENDING).values_list("pk", flat=True)) == set(pks[2:])
    sweep.sweep_once()
    assert len(mail.outbox) == 3
    assert not Handover.objects.exists()  # settled at the end of the batch


def test_a_hand_over_left_behind_without_its_row_is_cleared():
    stale = timezone.now() - timedelta(hours=2)
    Handover.objects.create(outbox_id=10**12, sent_at=stale)  # its row was deleted mid-batch
    Handover.objects.create(outbox_id=10**12 + 1, sent_at=timezone.now())  # a live sender's
    assert sweep.recover_stale() == (0, 0, 0)
    assert list(Handover.objects.values_list("outbox_id", flat=True)) == [10**12 + 1]


def test_two_claims_never_share_a_row():
    group, _, _ = group_with_members(members=4)
    plan_session(group)
    make_due(Outbox.objects.all())
    _, first = sweep.claim(limit=7)
    _, second = sweep.claim(limit=100)
    assert first and second and not set(first) & set(second)


def _queries_for_sweep(groups: int) -> int:
    for _ in range(groups):
        group, _, _ = group_with_members(members=3)
        plan_session(group)
    Outbox.objects.exclude(kind=Kind.REMINDER_FIRST).delete()
    make_due(Outbox.objects.all())
    with CaptureQueriesContext(connection) as queries:
        sent = sweep.send_due()
    assert sent == Outbox.objects.filter(status=Status.SENT).count() == groups * 4
    # Per message: one UPDATE marking it sent (the mark that makes a crash cost at most one message).
    return len(queries) - sent


def test_sweep_queries_do_not_grow_with_the_number_of_groups(settings):
    settings.NOTIFICATIONS_BATCH_SIZE = 1000
    _queries_for_sweep(1)  # warm-up: what a process reads once (the installation's calendar UID key)
    Outbox.objects.all().delete()
    mail.outbox.clear()
    small = _queries_for_sweep(2)
    Outbox.objects.all().delete()
    mail.outbox.clear()
    assert _queries_for_sweep(20) == small


def test_no_casus_is_skipped_once_a_casus_is_booked_and_titles_only_on_opt_in():
    from casussen.models import Casus

    group, _, (anna, bram) = group_with_members(members=2)
    session = plan_session(group)
    Outbox.objects.exclude(kind__in=[Kind.NO_CASUS, Kind.REMINDER_FIRST]).delete()
    Casus.objects.create(
        group=group,
        author=anna,
        title="Lastige overdracht",
        kernvraag="Hoe kan ik grenzen stellen?",
        situatie="VERTROUWELIJK-DETAIL",
        status=Casus.Status.BOOKED,
        session=session,
        booked_at=timezone.now(),
    )
    make_due(Outbox.objects.filter(recipient=bram))
    group.show_casus_title_in_email = False
    group.save()
    sweep.sweep_once()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Herinnering"]
    assert Outbox.objects.get(recipient=bram, kind=Kind.NO_CASUS).status == Status.CANCELLED
    body = mail.outbox[0].body + mail.outbox[0].alternatives[0].content
    assert "Lastige overdracht" not in body and "VERTROUWELIJK" not in body and "grenzen" not in body
    group.show_casus_title_in_email = True
    group.save()
    mail.outbox.clear()
    make_due(Outbox.objects.filter(recipient=anna, kind=Kind.REMINDER_FIRST))
    sweep.sweep_once()
    body = mail.outbox[0].body + mail.outbox[0].alternatives[0].content
    assert "Lastige overdracht" in body and "VERTROUWELIJK" not in body and "grenzen" not in body


def test_reflection_reminder_goes_to_attendees_without_a_reflection_two_days_before_close():
    from reflections.models import Reflection
    from reflections.selectors import reflection_closes_at
    from tests.sessions.factories import held_session

    group, _, (anna, bram, chantal) = group_with_members(members=3)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=1))
    held_session(session=session, present=[anna, bram], absent=[chantal], announce=True)
    reminders = Outbox.objects.filter(session=session, kind=Kind.REFLECTION_REMINDER)
    assert set(reminders.values_list("recipient_id", flat=True)) == {anna.pk, bram.pk}
    assert reminders.first().due_at == reflection_closes_at(session) - timedelta(days=2)
    Reflection.objects.create(
        session=session,
        author=anna,
        usefulness=4,
        depth=4,
        candor=4,
        safety=5,
        stayed_intervision=5,
        time_well_used=4,
    )
    Outbox.objects.exclude(kind=Kind.REFLECTION_REMINDER).delete()
    make_due(reminders)
    sweep.sweep_once()
    assert [m.to[0] for m in mail.outbox] == [bram.email]
    assert reminders.get(recipient=anna).cancel_reason == CancelReason.NOT_NEEDED
    assert "/reflecties/" in mail.outbox[0].body


class ProbeBackend(FailingBackend):
    """Accepts every message; notes how many rows other connections see as sent at each hand-over."""

    seen: list[int] = []

    def send_messages(self, messages):
        ProbeBackend.seen.append(Handover.objects.count())
        return len(messages)


@pytest.mark.postgres  # the helper connection is PostgreSQL only
@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_each_mark_is_committed_on_its_own_connection_before_the_next_send(settings):
    group, _, _ = group_with_members(members=4)
    plan_session(group)
    Outbox.objects.exclude(kind=Kind.REMINDER_FIRST).delete()
    make_due(Outbox.objects.all())
    marks = sweep._Marks()
    assert marks._connection is not None  # the marks go over a connection of their own here
    marks.close()
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_sweep.ProbeBackend"}}
    ProbeBackend.seen = []
    assert sweep.send_due() == 5
    # When a message is handed over, every earlier hand-over is already committed; the batch is settled.
    assert ProbeBackend.seen == [0, 1, 2, 3, 4]
    assert not Handover.objects.exists()
    rows = Outbox.objects.all()
    assert {(r.status, r.claim_token) for r in rows} == {(Status.SENT, None)}
    assert all(r.sent_at for r in rows)
    # A mark the server refuses is an error at the next hand-over, not a silent loss.
    marks = sweep._Marks()
    marks.mark(10**30)  # out of range for an id
    with pytest.raises(DatabaseError):
        marks.wait()
    marks.close()
