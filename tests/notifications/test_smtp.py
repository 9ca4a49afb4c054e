"""The sweep against a real SMTP server (aiosmtpd, bench/smtp_server.py) through Django's SMTP backend: what
arrives on the wire, and what each fault of a mail server leaves in the outbox (slow, refusing, dropping the
connection after the data, gone)."""

import re
import signal
from datetime import timedelta
from email import message_from_bytes

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from bench.smtp_server import MailServer
from notifications import sweep
from notifications.emails import message_id
from notifications.models import Doubt, Kind, MailOutage, Outbox, Status
from sessions.models import Installation, session_uid

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def this_installation():
    """The installation key read afresh from this test's database (another test may have emptied it)."""
    from sessions import models as session_models

    session_models._installation = None
    session_models.installation()
    yield
    session_models._installation = None


@pytest.fixture
def smtp(tmp_path, settings):
    server = MailServer(spool=tmp_path / "mail.log").start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    yield server
    server.stop()


def due_reminders(members: int) -> list[int]:
    group, _, _ = group_with_members(members=members - 1)
    session = plan_session(group)
    Outbox.objects.exclude(session=session, kind=Kind.REMINDER_SECOND).delete()
    rows = Outbox.objects.all()
    rows.update(due_at=timezone.now() - timedelta(minutes=1))
    return sorted(rows.values_list("pk", flat=True))


def make_due():
    Outbox.objects.filter(status=Status.PENDING).update(due_at=timezone.now() - timedelta(seconds=1))


def status_of(pks) -> dict[int, str]:
    return dict(Outbox.objects.filter(pk__in=pks).values_list("pk", "status"))


def test_headers_arrive_unencoded_and_unique(smtp):
    (pk,) = due_reminders(1)
    assert sweep.sweep_once() == 1
    raw = smtp.received[-1]
    head = raw.split(b"\r\n\r\n", 1)[0] if b"\r\n\r\n" in raw else raw.split(b"\n\n", 1)[0]
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    unsubscribe = [line for line in lines if line.lower().startswith(b"list-unsubscribe:")]
    # One line, the link as it stands: no RFC 2047 encoded word, no folding (RFC 8058).
    assert len(unsubscribe) == 1 and re.fullmatch(rb"List-Unsubscribe: <https?://[!-~]+>", unsubscribe[0])
    assert b"=?" not in unsubscribe[0]
    assert b"List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    parsed = message_from_bytes(raw)
    assert parsed["Auto-Submitted"] == "auto-generated" and parsed["Date"]
    key = Installation.objects.get().key
    assert (
        parsed["Message-ID"] == message_id(pk) == f"<outbox-{pk}.{key}@{parsed['Message-ID'].split('@')[1]}"
    )
    assert Outbox.objects.get(pk=pk).status == Status.SENT


def test_session_uid_has_the_installation_key_and_old_sessions_keep_theirs(monkeypatch):
    from sessions import models as session_models

    key = Installation.objects.get().key
    assert session_uid(7) == f"session-7.{key}@intervisie"
    monkeypatch.setattr(session_models, "_installation", (key, 8))  # sessions 1-7 existed before the key
    assert session_uid(7) == "session-7@intervisie" and session_uid(8) == f"session-8.{key}@intervisie"


def test_no_answer_after_the_data_is_in_doubt_and_never_sent_again(smtp):
    pks = due_reminders(5)
    smtp.drop_next = 1  # the first message is stored, then the connection drops before the answer
    sweep.sweep_once()
    first = Outbox.objects.get(pk=pks[0])
    assert (first.status, first.doubt) == (Status.DOUBT, Doubt.NO_REPLY)
    assert first.handed_over_at and first.attempts == 1
    # The rest went back without losing an attempt and went out over a new connection.
    assert status_of(pks[1:]) == dict.fromkeys(pks[1:], Status.SENT)
    assert set(Outbox.objects.filter(pk__in=pks[1:]).values_list("attempts", flat=True)) == {1}
    make_due()
    sweep.sweep_once()
    assert smtp.deliveries() == dict.fromkeys(pks, 1)  # the doubtful one reached the server once
    out = call_command_output("outbox_status")
    assert message_id(first.pk) in out


def call_command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_refused_recipient_counts_an_attempt_for_that_message_only(smtp):
    pks = due_reminders(3)
    refused = Outbox.objects.select_related("recipient").get(pk=pks[1])
    smtp.refuse = {refused.recipient.email}
    sweep.sweep_once()
    refused.refresh_from_db()
    assert refused.status == Status.PENDING and refused.attempts == 1 and refused.due_at > timezone.now()
    assert "450" in refused.last_error
    assert status_of([pks[0], pks[2]]) == {pks[0]: Status.SENT, pks[2]: Status.SENT}
    smtp.refuse = set()
    Outbox.objects.filter(pk=refused.pk).update(due_at=timezone.now())
    sweep.sweep_once()
    refused.refresh_from_db()
    assert (refused.status, refused.last_error) == (Status.SENT, "")  # the old error is gone once sent
    assert smtp.deliveries() == dict.fromkeys(pks, 1)


def test_an_outage_pauses_the_sweep_with_back_off_and_costs_no_attempt(smtp, settings):
    pks = due_reminders(4)
    smtp.stop()  # connections refused
    assert sweep.sweep_once() == 0
    outage = MailOutage.objects.get()
    assert outage.failures == 1 and outage.paused_until > timezone.now() and "Connection" in outage.last_error
    first_pause = outage.paused_until - outage.updated_at
    assert {(r.status, r.attempts) for r in Outbox.objects.filter(pk__in=pks)} == {(Status.PENDING, 0)}
    # While paused the sweep claims nothing (no second failure counted).
    assert sweep.sweep_once() == 0 and MailOutage.objects.get().failures == 1
    out = call_command_output("outbox_status")
    assert "paused" in out.lower() and "ConnectionRefusedError" in out
    MailOutage.objects.update(paused_until=timezone.now() - timedelta(seconds=1))
    sweep.sweep_once()
    outage = MailOutage.objects.get()
    assert outage.failures == 2 and outage.paused_until - outage.updated_at > first_pause  # doubled
    smtp.start()
    MailOutage.objects.update(paused_until=timezone.now() - timedelta(seconds=1))
    assert sweep.sweep_once() == 4
    assert {(r.status, r.attempts) for r in Outbox.objects.filter(pk__in=pks)} == {(Status.SENT, 1)}
    assert (
        MailOutage.objects.get().failures == 0
        and "paused" not in call_command_output("outbox_status").lower()
    )


def test_the_deadline_ends_a_slow_batch_between_messages(smtp):
    pks = due_reminders(6)
    smtp.delay = 0.4
    sent = sweep.send_due(budget_seconds=0.9)
    assert 1 <= sent < 6
    statuses = status_of(pks)
    sent_pks = {pk for pk, status in statuses.items() if status == Status.SENT}
    assert len(sent_pks) == sent
    # The rest are waiting again, not failed, not in doubt, and have not lost an attempt.
    rest = Outbox.objects.filter(pk__in=set(pks) - sent_pks)
    assert {(r.status, r.attempts) for r in rest} == {(Status.PENDING, 0)}
    assert set(smtp.deliveries()) == sent_pks


def test_the_soft_time_limit_inside_the_exchange_is_no_refusal(smtp):
    """Celery raises SoftTimeLimitExceeded from a signal handler wherever the sender is; here it comes while
    the server is storing the first message (its data sent, the answer not there yet)."""
    pks = due_reminders(3)
    smtp.delay = 0.6

    def soft_limit(signum, frame):
        raise SoftTimeLimitExceeded()

    previous = signal.signal(signal.SIGALRM, soft_limit)
    smtp.data_started.clear()
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        with pytest.raises(SoftTimeLimitExceeded):
            sweep.send_due()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert smtp.data_started.is_set()
    first = Outbox.objects.get(pk=pks[0])
    assert (first.status, first.doubt) == (Status.DOUBT, Doubt.TIME_LIMIT)
    rest = Outbox.objects.filter(pk__in=pks[1:])
    assert {(r.status, r.attempts) for r in rest} == {(Status.PENDING, 0)}  # not taken for a refusal
    smtp.delay = 0
    sweep.sweep_once()
    assert status_of(pks[1:]) == dict.fromkeys(pks[1:], Status.SENT)
    assert smtp.deliveries() == dict.fromkeys(pks, 1)


def test_admin_lists_messages_in_doubt_with_their_message_id_and_says_the_outage_in_words(client, smtp):
    from django.urls import reverse

    from tests.factories import UserFactory

    pks = due_reminders(3)
    later = Outbox.objects.filter(pk=pks[2])
    later.update(due_at=timezone.now() + timedelta(hours=1))
    smtp.drop_next = 1
    sweep.sweep_once()  # the first one in doubt, the second sent
    smtp.stop()
    later.update(due_at=timezone.now() - timedelta(seconds=1))
    sweep.sweep_once()  # the server is gone: an outage
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:notifications_outbox_changelist")
    page = client.get(url, {"doubt__exact": Doubt.NO_REPLY})
    assert page.status_code == 200
    listed = list(page.context["cl"].result_list)
    assert [row.pk for row in listed] == [pks[0]]
    html = page.content.decode()
    assert message_id(pks[0]).strip("<>") in html
    outage = [str(m) for m in page.context["messages"]]
    assert len(outage) == 1 and "ConnectionRefusedError" in outage[0]


class TerminatingBackend:
    """Django's locmem backend that, while handing over the second message, has PostgreSQL terminate every
    other connection of this database: the sender's connection for marking hand-overs among them."""

    handed_over: list[str] = []
    since = None

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self._inner = EmailBackend(alias="default")

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        from django.db import connection

        TerminatingBackend.handed_over += [m.extra_headers["X-Intervisie-Outbox"] for m in messages]
        if len(TerminatingBackend.handed_over) == 2:
            with connection.cursor() as cursor:
                # Only connections opened during this test (the sender's marks): a live server's connection
                # to the same database, kept from an earlier test of this worker, must survive.
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_start >= %s",
                    [TerminatingBackend.since],
                )
        return len(messages)


@pytest.mark.postgres  # the marks' own connection is PostgreSQL only
@pytest.mark.django_db(transaction=True)
def test_a_database_connection_lost_while_marking_is_no_doubt_the_message_was_accepted(settings, caplog):
    pks = due_reminders(4)
    settings.MAILERS = {"default": {"BACKEND": "tests.notifications.test_smtp.TerminatingBackend"}}
    TerminatingBackend.handed_over = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        TerminatingBackend.since = cursor.fetchone()[0]
    assert sweep.send_due() == 4
    # The second message's mark died with its connection; the sender recorded it again over a fresh one.
    assert f"database connection lost while marking message {pks[1]} sent" in caplog.text
    assert status_of(pks) == dict.fromkeys(pks, Status.SENT)
    assert sorted(map(int, TerminatingBackend.handed_over)) == pks  # each handed over once
    assert not Outbox.objects.filter(status=Status.DOUBT).exists() and not sweep._unrecorded
