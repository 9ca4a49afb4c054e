"""Exactly once on a real mail server: a real Celery worker (with its beat) on Redis and PostgreSQL sends
through Django's SMTP backend to an SMTP server started by the test (bench/smtp_server.py), which is slow
(2 s per message, against a 3 s sender deadline), refuses one recipient, drops the connection after the data
twice, goes away for a few seconds, and the worker is killed (SIGKILL) inside an SMTP exchange. At the end
no message reached the server twice, none is lost or failed, and every message in doubt is listed by
``outbox_status`` with the Message-ID the server logged."""

import contextlib
import os
import signal
import socket
import subprocess
import time
import uuid
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from bench.smtp_server import MailServer
from notifications.emails import message_id
from notifications.models import Doubt, MailOutage, Outbox, Status
from sessions import models as session_models

from .test_integration import CELERY, REDIS_URL, ROOT, _database_url, _redis, due_reminders, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class SmtpWorkers:
    def __init__(self, tmp: Path, broker_url: str, port: int):
        self.tmp, self.broker_url, self.port = tmp, broker_url, port
        self.procs: list[subprocess.Popen] = []

    def start(self, *, queue: str = "celery", wait: bool = True) -> subprocess.Popen:
        """A worker with its beat; on ``queue`` "standby" it takes no task until ``activate`` (so it can
        start up while the first worker sends)."""
        name = f"smtp{len(self.procs)}-{uuid.uuid4().hex[:6]}"
        log = self.tmp / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": self.broker_url,
            "CELERY_BROKER_URL": self.broker_url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "NOTIFICATIONS_BATCH_SIZE": "10",
            "NOTIFICATIONS_SENDER_SECONDS": "3",  # the deadline checked before each hand-over
            "NOTIFICATIONS_SENDING_TIMEOUT": "3",
            "NOTIFICATIONS_SWEEP_SECONDS": "1",
            "NOTIFICATIONS_OUTAGE_PAUSE_SECONDS": "1",
            "NOTIFICATIONS_OUTAGE_PAUSE_MAX_SECONDS": "2",
            "DB_CONN_MAX_AGE": "0",
        }
        command = [CELERY, "-A", "intervisie", "worker", "-n", f"{name}@%h", "--concurrency=2", "-l", "INFO"]
        command += ["-B", "-s", str(self.tmp / f"{name}-beat"), "-Q", queue]
        with open(log, "w") as out:
            proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        proc.name, proc.log = f"{name}@{socket.gethostname()}", log
        self.procs.append(proc)
        if wait:
            self.wait_ready(proc)
        return proc

    def wait_ready(self, proc) -> None:
        wait_until(lambda: "ready." in proc.log.read_text(), timeout=90, what=f"worker ready ({proc.log})")

    def activate(self, proc) -> None:
        from intervisie.celery import app

        app.conf.broker_url = self.broker_url
        replies = app.control.add_consumer("celery", destination=[proc.name], reply=True, timeout=10)
        assert replies, f"worker {proc.name} did not answer"

    def kill(self, proc, sig=signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=20)

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc, signal.SIGTERM)


@pytest.fixture
def broker():
    _redis().flushdb()  # this run's own Redis db number (REDIS_URL): stale task messages out
    return REDIS_URL


@pytest.fixture
def mail_server(tmp_path):
    server = MailServer(spool=tmp_path / "smtp-spool.log").start()
    yield server
    server.stop()


def _open(ids):
    return Outbox.objects.filter(pk__in=ids, status__in=[Status.PENDING, Status.SENDING])


T0 = [0.0]


def _phase(what: str) -> None:
    print(f"{time.monotonic() - T0[0]:6.1f}s {what}", flush=True)


def _status_output() -> str:
    out = StringIO()
    call_command("outbox_status", stdout=out)
    return out.getvalue()


def test_slow_refusing_dropping_and_vanishing_server_and_a_killed_worker_send_each_message_once(
    broker, mail_server, tmp_path
):
    T0[0] = time.monotonic()
    session_models._installation = None  # this (flushed) database's key, shared with the workers
    session_models.installation()
    ids = due_reminders(60)
    refused = Outbox.objects.select_related("recipient").get(pk=ids[30])
    mail_server.refuse = {refused.recipient.email}
    mail_server.delay = 2.0  # slow: 2 s per message against a 3 s deadline
    workers = SmtpWorkers(tmp_path, broker, mail_server.port)
    try:
        _phase("starting two workers (one on standby); the server is slow")
        standby = workers.start(queue="standby", wait=False)  # starts up while the first one sends
        first = workers.start()
        wait_until(lambda: sum(mail_server.deliveries().values()) >= 2, timeout=30, what="slow deliveries")
        mail_server.data_started.clear()
        wait_until(mail_server.data_started.is_set, timeout=15, what="a message's data to arrive")
        _phase("SIGKILL to the first worker inside an SMTP exchange")
        workers.kill(first)  # SIGKILL inside an SMTP exchange (the server stores it 2 s later)
        assert not Outbox.objects.filter(pk__in=ids, status=Status.FAILED).exists()
        mail_server.delay = 0.02
        mail_server.drop_next = 2  # the next two messages: stored, then the connection drops
        _phase("the standby worker takes over; two replies will be dropped")
        workers.wait_ready(standby)
        workers.activate(standby)
        wait_until(lambda: sum(mail_server.deliveries().values()) >= 25, timeout=40, what="sending to resume")
        _phase("the mail server goes away")
        mail_server.stop()  # the server goes away
        wait_until(
            lambda: MailOutage.objects.filter(failures__gt=0).exists(), timeout=15, what="the outage to show"
        )
        assert "OUTAGE" in _status_output()
        time.sleep(3)
        # Waiting through the outage costs no attempt (only the refused recipient has one).
        waiting = Outbox.objects.filter(pk__in=ids, status=Status.PENDING).exclude(pk=refused.pk)
        assert set(waiting.values_list("attempts", flat=True)) <= {0}
        _phase("the mail server is back")
        mail_server.start()
        wait_until(
            lambda: set(_open(ids).values_list("pk", flat=True)) <= {refused.pk}, timeout=40, what="drain"
        )
        refused.refresh_from_db()
        assert (refused.status, refused.attempts) == (Status.PENDING, 1) and "450" in refused.last_error
        _phase("the refused recipient is accepted again")
        mail_server.refuse = set()
        Outbox.objects.filter(pk=refused.pk).update(due_at=timezone.now() - timedelta(seconds=1))
        wait_until(lambda: not _open(ids).exists(), timeout=20, what="the refused message to go out")
        _phase("all settled; checking nothing is sent again")
        time.sleep(2)  # more beat sweeps: nothing is sent again
    finally:
        workers.stop_all()

    deliveries = mail_server.deliveries()
    assert max(deliveries.values()) == 1, "a message reached the mail server twice"
    rows = {row.pk: row for row in Outbox.objects.filter(pk__in=ids)}
    assert {row.status for row in rows.values()} <= {Status.SENT, Status.DOUBT}  # none lost, none failed
    sent = {pk for pk, row in rows.items() if row.status == Status.SENT}
    assert sent <= set(deliveries), "marked sent but never received"
    doubt = {pk: row for pk, row in rows.items() if row.status == Status.DOUBT}
    assert set(deliveries) - sent <= set(doubt), "received but neither sent nor in doubt"
    # The two dropped replies, and any message the server was storing when it went away.
    assert mail_server.dropped == 2
    assert sum(1 for row in doubt.values() if row.doubt == Doubt.NO_REPLY) >= 2
    stopped = [row for row in doubt.values() if row.doubt == Doubt.WORKER_STOPPED]
    assert 1 <= len(stopped) <= 2  # one per pool process of the killed worker at most
    # Attempts count answers about the message only: one each, two for the refused one.
    assert {row.attempts for pk, row in rows.items() if pk != refused.pk} == {1}
    assert rows[refused.pk].attempts == 2 and rows[refused.pk].last_error == ""
    assert MailOutage.objects.get().failures == 0
    listing = _status_output()
    spool = mail_server.spool.read_text()
    for pk in doubt:
        assert message_id(pk) in listing
        if pk in deliveries:  # what the server's log confirms: the same Message-ID
            assert f"{pk} {message_id(pk)} " in spool
