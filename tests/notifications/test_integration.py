"""Exactly once with a real Celery worker (and its embedded beat) on the real Redis broker and PostgreSQL.

The worker runs as a subprocess against the test database; deliveries are counted through
``tests.notifications.mailsink.LogBackend``. Skipped only when Redis or PostgreSQL is unreachable (failed
in CI). Each xdist worker has its own Redis db (intervisie/settings_test.py); the Redis restart test
restarts a server of its own.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import Doubt, Kind, Outbox, Status

from .factories import group_with_members, plan_session

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(settings.BASE_DIR)
CELERY = str(Path(sys.executable).with_name("celery"))
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def _redis():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)


@pytest.fixture
def broker():
    _redis().flushdb()  # this run's own Redis db number (REDIS_URL): stale task messages out
    return REDIS_URL


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Workers:
    def __init__(self, tmp_path: Path, broker_url: str):
        self.tmp = tmp_path
        self.broker_url = broker_url
        self.mail_log = tmp_path / "mail.log"
        self.mail_log.touch()
        self.procs: list[subprocess.Popen] = []

    def start(self, *, delay: float = 0.0, batch: int = 20, beat: bool = True) -> subprocess.Popen:
        name = f"w{len(self.procs)}-{uuid.uuid4().hex[:6]}"
        log = self.tmp / f"{name}.log"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": self.broker_url,
            "CELERY_BROKER_URL": self.broker_url,
            "EMAIL_BACKEND": "tests.notifications.mailsink.LogBackend",
            "NOTIFICATIONS_TEST_MAIL_LOG": str(self.mail_log),
            "NOTIFICATIONS_TEST_MAIL_DELAY": str(delay),
            "NOTIFICATIONS_BATCH_SIZE": str(batch),
            "NOTIFICATIONS_SENDING_TIMEOUT": "3",
            "NOTIFICATIONS_SWEEP_SECONDS": "1",
            "DB_CONN_MAX_AGE": "0",
        }
        command = [CELERY, "-A", "intervisie", "worker", "-n", f"{name}@%h", "--concurrency=2", "-l", "INFO"]
        if beat:
            command += ["-B", "-s", str(self.tmp / f"{name}-beat")]
        with open(log, "w") as out:
            proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        proc.log = log
        self.procs.append(proc)
        wait_until(lambda: "ready." in log.read_text(), timeout=60, what=f"worker {name} ready ({log})")
        return proc

    def kill(self, proc, sig=signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        proc.wait(timeout=20)

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                self.kill(proc, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill(proc)

    def deliveries(self) -> Counter:
        return Counter(int(line.split()[0]) for line in self.mail_log.read_text().splitlines() if line)

    def senders(self) -> set[str]:
        return {line.split()[1] for line in self.mail_log.read_text().splitlines() if line}


@pytest.fixture
def workers(broker, transactional_db, tmp_path):
    pool = Workers(tmp_path, broker)
    yield pool
    pool.stop_all()


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


def due_reminders(count: int) -> list[int]:
    """``count`` due reminder rows (members of a few groups, one upcoming session each)."""
    ids = []
    per_group = 10
    for _ in range(-(-count // per_group)):
        group, _, _ = group_with_members(members=per_group - 1)
        session = plan_session(group)
        rows = Outbox.objects.filter(session=session, kind=Kind.REMINDER_SECOND)
        rows.update(due_at=timezone.now() - timedelta(seconds=5))
        ids += list(rows.values_list("id", flat=True))
    Outbox.objects.exclude(pk__in=ids).delete()  # only the reminders in this test
    return ids[:count] if Outbox.objects.filter(pk__in=ids[count:]).delete() else ids


def settled(ids: list[int]):
    """A condition: none of these rows is pending or being sent any more."""
    return lambda: not Outbox.objects.filter(pk__in=ids, status__in=[Status.PENDING, Status.SENDING]).exists()


def assert_exactly_once(workers: Workers, ids: list[int]) -> None:
    counts = workers.deliveries()
    assert max(counts.values(), default=0) <= 1, {k: v for k, v in counts.items() if v > 1}
    assert set(counts) == set(ids)
    assert Outbox.objects.filter(pk__in=ids, status=Status.SENT).count() == len(ids)


def test_due_reminder_is_sent_once_and_a_planned_session_invites_right_away(workers):
    ids = due_reminders(5)
    workers.start()
    wait_until(settled(ids), timeout=60, what="the reminders to be sent")
    time.sleep(3)  # several more beat sweeps: nothing is sent again
    assert_exactly_once(workers, ids)
    # A change queues its invites after the commit, to the worker directly (no wait for the sweep).
    group, _, _ = group_with_members(members=2)
    session = plan_session(group)
    invites = list(Outbox.objects.filter(session=session, kind=Kind.INVITE).values_list("id", flat=True))
    assert len(invites) == 3
    wait_until(settled(invites), timeout=30, what="the invites to be sent")
    time.sleep(2)
    assert_exactly_once(workers, ids + invites)


def test_two_workers_with_two_beats_racing_send_each_message_once(workers):
    ids = due_reminders(300)
    workers.start(delay=0.005, batch=10)
    workers.start(delay=0.005, batch=10)
    wait_until(settled(ids), timeout=120, what="all messages to be sent")
    time.sleep(2)
    assert_exactly_once(workers, ids)
    assert len(workers.senders()) >= 2, "the senders did not actually race"


def test_worker_killed_mid_batch_then_restarted_sends_every_message_at_most_once(workers):
    ids = due_reminders(200)
    first = workers.start(delay=0.02, batch=20)
    wait_until(lambda: sum(workers.deliveries().values()) >= 30, timeout=60, what="sending to start")
    workers.kill(first)  # SIGKILL to the whole worker (main process and pool children) mid-batch
    in_flight = Outbox.objects.filter(status=Status.SENDING).count()
    assert in_flight > 0, "the kill did not hit a batch in progress"
    workers.start(delay=0.0, batch=20)
    wait_until(settled(ids), timeout=90, what="the restarted worker to finish")
    time.sleep(2)
    counts = workers.deliveries()
    assert max(counts.values()) == 1, "a message was sent twice"
    sent = set(Outbox.objects.filter(pk__in=ids, status=Status.SENT).values_list("id", flat=True))
    interrupted = Outbox.objects.filter(pk__in=ids, status=Status.DOUBT)
    # Every message went out exactly once, except the one in flight per killed sender process: that one
    # went out at most once and is marked for an admin (the documented at-most-once edge).
    assert set(counts) - set(interrupted.values_list("id", flat=True)) == sent
    assert sent | set(interrupted.values_list("id", flat=True)) == set(ids)
    assert interrupted.count() <= 2  # at most one per killed pool process (--concurrency=2)
    assert all(row.doubt == Doubt.WORKER_STOPPED and row.handed_over_at for row in interrupted)


def _start_private_redis(port: int, folder: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    wait_until(lambda: _ping(f"redis://127.0.0.1:{port}/0"), timeout=10, what="the private Redis to start")
    return proc


@pytest.fixture
def private_redis(tmp_path):
    """A Redis server of this test's own on a free port: restarting it disturbs no other test (xdist workers
    and other runs share the machine's Redis)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = SimpleNamespace(port=port, url=f"redis://127.0.0.1:{port}/0")
    server.proc = _start_private_redis(port, tmp_path)
    yield server
    server.proc.terminate()
    server.proc.wait(timeout=20)


def test_redis_restarted_during_a_sweep_loses_nothing(private_redis, transactional_db, tmp_path):
    workers = Workers(tmp_path, private_redis.url)
    try:
        ids = due_reminders(300)
        workers.start(delay=0.01, batch=20)
        wait_until(lambda: sum(workers.deliveries().values()) >= 20, timeout=60, what="sending to start")
        subprocess.run(["redis-cli", "-p", str(private_redis.port), "shutdown", "nosave"], check=False)
        private_redis.proc.wait(timeout=20)
        private_redis.proc = _start_private_redis(private_redis.port, tmp_path)
        assert sum(workers.deliveries().values()) < len(ids), "the restart did not happen during the sweep"
        wait_until(settled(ids), timeout=120, what="all messages to be sent after the restart")
        time.sleep(2)
        assert_exactly_once(workers, ids)
    finally:
        workers.stop_all()


def _ping(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001
        return False


def test_cache_still_works_after_the_redis_restart_test(broker):
    """Runs after the restart test: the Django cache of this process must not hold a dead connection."""
    from django.core.cache import cache

    cache.set("notifications-integration-probe", 1, 5)
    assert cache.get("notifications-integration-probe") == 1
