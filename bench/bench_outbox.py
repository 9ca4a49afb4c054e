"""Benchmark: the notification outbox sweep and the attendance-alert scan.

In a throwaway database (created on DATABASE_URL's server, dropped afterwards):

1. Sweep: 100,000 due reminder e-mails (2,000 groups × 10 members × 5 upcoming sessions). One Celery
   worker (``--concurrency=2``: this machine has 2 cores) on the real Redis broker gets one ``sweep`` task,
   which fans out senders that claim batches with SKIP LOCKED. E-mail goes to Django's locmem backend
   (wrapped to log each delivered outbox id, so duplicates can be counted).   target: all sent <= 60 s, 0 dup.
   Then, in the same run, the same sweep over ``BENCH_SMTP_MESSAGES`` (default 5,000) of those rows through
   Django's SMTP backend to a real SMTP server on this machine (``bench/smtp_server.py``, aiosmtpd in this
   process, which writes each message to disk before it answers): the path production takes. Both report
   messages per second and the worker's CPU per message.
2. Scan: the alert scan over 10,000 groups × 8 members with two years of fortnightly held sessions
   (520,000 sessions, 4,160,000 attendance rows, decline reasons, presenters) plus planned sessions. The
   first scan opens the alerts and queues their e-mails; the second is the steady state.   target <= 5 s.

Run (PostgreSQL and Redis, as in production):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/intervisie_bench REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/bench_outbox.py
"""

import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intervisie.settings")
os.environ.setdefault("DEBUG", "1")

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend  # noqa: E402

# BENCH_SWEEP_SCALE / BENCH_SCAN_SCALE < 1 for a quick trial run (the targets are for 1).
SWEEP_SCALE = float(os.environ.get("BENCH_SWEEP_SCALE", "1"))
SCAN_SCALE = float(os.environ.get("BENCH_SCAN_SCALE", "1"))
# BENCH_PARTS=scan: the alert scan only (no sweep), e.g. to compare two versions of the scan.
PARTS = set(os.environ.get("BENCH_PARTS", "sweep,scan").split(","))
# BENCH_SCAN_COMPARE=/other/checkout/notifications/alerts.py: time that version's scan and this one's on the
# same seeded data, alternately (before, after, before, after).
COMPARE_WITH = os.environ.get("BENCH_SCAN_COMPARE", "")
PROFILE = os.environ.get("BENCH_SCAN_PROFILE") == "1"  # also time each rule's query on its own
# Pool processes of the one worker node, and sender tasks the sweep fans out (one per process).
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "2"))
SWEEP_GROUPS, SWEEP_MEMBERS, SWEEP_SESSIONS = int(2_000 * SWEEP_SCALE), 10, 5
MESSAGES = SWEEP_GROUPS * SWEEP_MEMBERS * SWEEP_SESSIONS
SCAN_GROUPS, SCAN_MEMBERS, SCAN_HELD = int(10_000 * SCAN_SCALE), 8, 52
SMTP_MESSAGES = int(os.environ.get("BENCH_SMTP_MESSAGES", "5000"))
START = "(n * INTERVAL '14 days') + (g.id %% 7) * INTERVAL '1 hour'"


class CountingLocmemBackend(LocmemBackend):
    """Django's locmem backend (builds every message), plus one line per delivered outbox id in the file
    named by BENCH_MAIL_LOG (kept open per process, written through at once); the in-memory outbox is
    trimmed so 50,000 messages fit in a worker."""

    log = None

    def send_messages(self, messages):
        from django.core import mail

        sent = super().send_messages(messages)
        if CountingLocmemBackend.log is None:
            CountingLocmemBackend.log = open(os.environ["BENCH_MAIL_LOG"], "a", buffering=1)  # noqa: SIM115
        CountingLocmemBackend.log.writelines(f"{m.extra_headers['X-Intervisie-Outbox']}\n" for m in messages)
        if len(mail.outbox) > 1000:
            del mail.outbox[:]
        return sent


def insert_select(model, given: dict, tail: str, tail_params=()) -> int:
    """INSERT … SELECT: ``given`` maps column → SQL expression, or (expression, params); every other column
    gets its field default as a parameter (so the bench keeps working when apps add columns)."""
    from django.db import connection

    columns, exprs, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        value = given.get(field.column)
        if value is None:
            exprs.append("%s")
            params.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            sql, extra = value if isinstance(value, tuple) else (value, [])
            exprs.append(sql)
            params.extend(extra)
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} {tail}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *tail_params])
        return cursor.rowcount


def seed_people(tag: str, groups: int, members: int, org_id: int) -> None:
    """Groups named ``<tag> n``, each with ``members`` users (the first a facilitator)."""
    from accounts.models import User
    from groups.models import Group, Membership

    insert_select(
        Group,
        {"organisation_id": ("%s", [org_id]), "name": f"'{tag} ' || g"},
        "FROM generate_series(1, %s) g",
        [groups],
    )
    insert_select(
        User,
        {
            "email": f"'{tag}-' || g || '-' || m || '@bench.example'",
            "display_name": f"'{tag} ' || g || '/' || m",
            "password": "'!'",
            "feed_token": f"md5('{tag}' || g || '-' || m)",
        },
        "FROM generate_series(1, %s) g, generate_series(1, %s) m",
        [groups, members],
    )
    insert_select(
        Membership,
        {
            "user_id": "u.id",
            "group_id": "gr.id",
            "role": "CASE WHEN split_part(u.display_name, '/', 2) = '1' THEN 'facilitator' ELSE 'member' END",
        },
        f"FROM accounts_user u JOIN groups_group gr ON gr.name = split_part(u.display_name, '/', 1) "
        f"WHERE u.email LIKE '{tag}-%%'",
    )


def seed_sweep(org_id: int) -> int:
    from django.utils import timezone

    from notifications.models import Outbox
    from sessions.models import Session

    seed_people("Sweep", SWEEP_GROUPS, SWEEP_MEMBERS, org_id)
    now = timezone.now()
    insert_select(
        Session,
        {
            "group_id": "g.id",
            "starts_at": ("%s + (n * INTERVAL '1 day')", [now]),
            "ends_at": ("%s + (n * INTERVAL '1 day') + INTERVAL '150 minutes'", [now]),
            "created_at": ("%s", [now]),
            "updated_at": ("%s", [now]),
        },
        "FROM groups_group g, generate_series(1, %s) n WHERE g.name LIKE 'Sweep %%'",
        [SWEEP_SESSIONS],
    )
    return insert_select(
        Outbox,
        {
            "kind": "'reminder_second'",
            "recipient_id": "m.user_id",
            "subject_key": "'session:' || s.id",
            "group_id": "s.group_id",
            "session_id": "s.id",
            "due_at": ("%s", [now - timezone.timedelta(minutes=1)]),
            "created_at": ("%s", [now]),
        },
        "FROM meetings_session s JOIN groups_membership m ON m.group_id = s.group_id "
        "JOIN groups_group g ON g.id = s.group_id WHERE g.name LIKE 'Sweep %%'",
    )


def run_sweep(db_url: str, redis_url: str, *, smtp=None, expected: int = MESSAGES):
    """One worker sends every due row: to the locmem backend, or with ``smtp`` (a running
    ``bench.smtp_server.MailServer``) over SMTP to it. Returns (seconds, delivered, duplicates, CPU)."""
    from django.db.models import Count

    from notifications.models import Outbox, Status

    log = smtp.spool if smtp is not None else Path(tempfile.mkdtemp()) / "mail.log"
    log.touch()
    backend = {"EMAIL_BACKEND": "bench.bench_outbox.CountingLocmemBackend", "BENCH_MAIL_LOG": str(log)}
    if smtp is not None:
        backend = {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
        }
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        **backend,
        "NOTIFICATIONS_BATCH_SIZE": os.environ.get("BENCH_BATCH", "1000"),  # rows per claim
        "NOTIFICATIONS_PARALLEL_SENDERS": str(CONCURRENCY),
        "LOG_LEVEL": "WARNING",
        # The worker runs with production settings (DEBUG off), like a deployed one.
        "DEBUG": "",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-" + os.urandom(24).hex(),
        "PYTHONPATH": str(ROOT),
    }
    from intervisie.celery import app

    app.conf.broker_url = redis_url
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()  # this run's Redis db: no stale task messages
    celery = str(Path(sys.executable).with_name("celery"))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_before = usage.ru_utime + usage.ru_stime
    worker_log = log.with_name("worker.log")
    with open(worker_log, "w") as out:
        worker = subprocess.Popen(
            [celery, "-A", "intervisie", "worker", "-n", "bench-outbox@%h", f"--concurrency={CONCURRENCY}"]
            + ["-l", "INFO"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    print(f"worker log: {worker_log}")
    try:
        time.sleep(4)  # worker start-up, not part of the measured sweep
        start = time.perf_counter()
        app.send_task("notifications.tasks.sweep")
        # One cheap query per status (each reads its partial index), so polling costs the sweep nothing.
        unfinished = (Status.PENDING, Status.SENDING)
        while any(Outbox.objects.filter(status=status).exists() for status in unfinished):
            time.sleep(0.25)
            if time.perf_counter() - start > 900:
                raise SystemExit("sweep did not finish in 15 minutes")
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    # CPU seconds of the worker and its pool processes (start-up included), to tell work from waiting
    # on a shared, loaded host.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before
    counts = Counter(smtp.deliveries()) if smtp is not None else Counter(log.read_text().split())
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    by_status = dict(Outbox.objects.values_list("status").annotate(n=Count("id")))
    assert by_status.get(Status.SENT) == expected, by_status
    return elapsed, len(counts), duplicates, cpu


def again_due(count: int) -> int:
    """The first ``count`` sent rows due again (the rest deleted), for the SMTP run."""
    from django.utils import timezone

    from notifications.models import Outbox, Status

    keep = list(Outbox.objects.order_by("id").values_list("id", flat=True)[:count])
    Outbox.objects.exclude(pk__in=keep).delete()
    return Outbox.objects.filter(pk__in=keep).update(
        status=Status.PENDING, sent_at=None, attempts=0, due_at=timezone.now() - timezone.timedelta(minutes=1)
    )


def report(label: str, count: int, elapsed: float, delivered: int, duplicates: int, cpu: float) -> float:
    per_message = cpu / count * 1000
    print(
        f"sweep ({label}): {count:,} messages sent in {elapsed:.1f} s ({count / elapsed:,.0f}/s), "
        f"{delivered:,} delivered, duplicates: {duplicates}, worker CPU {cpu:.1f} s "
        f"({per_message:.2f} ms per message)"
    )
    return per_message


def run_smtp_sweep(db_url: str, redis_url: str, locmem_ms: float) -> None:
    """The SMTP leg, in the same run as the locmem one."""
    from bench.smtp_server import MailServer

    smtp = MailServer(spool=Path(tempfile.mkdtemp()) / "smtp-spool.log").start()
    try:
        count = again_due(min(SMTP_MESSAGES, MESSAGES))
        result = run_sweep(db_url, redis_url, smtp=smtp, expected=count)
    finally:
        smtp.stop()
    smtp_ms = report("SMTP to aiosmtpd on 127.0.0.1", count, *result)
    print(f"worker CPU per message, SMTP / locmem: {smtp_ms / locmem_ms:.2f}x")


def seed_scan(org_id: int) -> None:
    """Set-based seeding (INSERT … SELECT generate_series). The foreign-key triggers are off while it runs
    (``session_replication_role = replica``, bench only: the rows reference each other by construction),
    which makes the 4 M attendance rows a matter of a minute or two."""
    with connection_cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    try:
        _seed_scan(org_id)
    finally:
        with connection_cursor() as cursor:
            cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("ANALYZE")


def _seed_scan(org_id: int) -> None:
    from django.utils import timezone

    from sessions.models import RSVP, Attendance, Presenter, Session

    seed_people("Scan", SCAN_GROUPS, SCAN_MEMBERS, org_id)
    now = timezone.now()
    first = now - timezone.timedelta(weeks=2 * SCAN_HELD)
    # Fortnightly held sessions for two years; each group also has two planned ones (in 2 and 16 days).
    insert_select(
        Session,
        {
            "group_id": "g.id",
            "starts_at": (f"%s + {START}", [first]),
            "ends_at": (f"%s + {START} + INTERVAL '150 minutes'", [first]),
            "status": ("CASE WHEN n < %s THEN 'held' ELSE 'planned' END", [SCAN_HELD]),
            "created_at": ("%s", [now]),
            "updated_at": ("%s", [now]),
        },
        "FROM groups_group g, generate_series(0, %s) n WHERE g.name LIKE 'Scan %%'",
        [SCAN_HELD + 1],
    )
    # Attendance fading over time in some groups: 90% early on, lower later for every third group.
    insert_select(
        Attendance,
        {
            "session_id": "s.id",
            "user_id": "m.user_id",
            "status": (
                "CASE WHEN random() < (CASE WHEN g.id %% 3 = 0 AND s.starts_at > %s THEN 0.55 ELSE 0.9 END) "
                "THEN 'present' WHEN random() < 0.5 THEN 'excused' ELSE 'absent' END",
                [now - timezone.timedelta(weeks=8)],
            ),
            "registered_at": "s.ends_at",
        },
        "FROM meetings_session s JOIN groups_group g ON g.id = s.group_id "
        "JOIN groups_membership m ON m.group_id = s.group_id "
        "WHERE s.status = 'held' AND g.name LIKE 'Scan %%' "
        "ORDER BY s.id, m.user_id",  # in index order: the unique (session, user) index grows at its end
    )
    insert_select(
        RSVP,
        {
            "session_id": "a.session_id",
            "user_id": "a.user_id",
            "answer": "'decline'",
            "decline_reason": "CASE WHEN random() < 0.5 THEN 'busy' ELSE 'sick' END",
            "answered_at": "a.registered_at",
        },
        "FROM meetings_attendance a WHERE a.status = 'excused'",
    )
    insert_select(
        Presenter,
        {
            "session_id": "s.id",
            "user_id": "(SELECT m.user_id FROM groups_membership m WHERE m.group_id = s.group_id LIMIT 1)",
            "slot": "1",
            "claimed_at": "s.starts_at - INTERVAL '10 days'",
        },
        "FROM meetings_session s JOIN groups_group g ON g.id = s.group_id "
        "WHERE g.name LIKE 'Scan %%' AND random() < 0.7",
    )


def _scan_from(path: str):
    """``alert_scan`` of another checkout's ``notifications/alerts.py`` (loaded as a module of this
    ``notifications`` package, so its relative imports resolve), to time two versions on one data set."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("notifications.alerts_compared", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _time_rules(label: str, module) -> None:
    """Each rule's query and verdicts on their own (BENCH_SCAN_PROFILE=1)."""
    from django.db import transaction
    from django.utils import timezone

    now = timezone.now()
    timings = []
    for name in ("trend", "fading", "quorum", "busy", "pipeline"):
        function = getattr(module, f"{name}_conditions")
        with transaction.atomic():
            with connection_cursor() as cursor:  # as alert_scan sets them for its transaction
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL random_page_cost = 1.1")
                cursor.execute("SET LOCAL work_mem = '64MB'")
            t0 = time.perf_counter()
            found = function(now) if name in ("quorum", "pipeline") else function()
            timings.append(f"{name} {time.perf_counter() - t0:.2f} s ({len(found):,})")
    print(f"{label}rules: " + ", ".join(timings))


def _time_scan(label: str, module, alert_model) -> None:
    from notifications.models import Outbox

    scan = module.alert_scan
    if PROFILE:
        _time_rules(label, module)
    t0 = time.perf_counter()
    first = scan()
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    second = scan()
    second_s = time.perf_counter() - t0
    print(
        f"{label}alert scan over {SCAN_GROUPS:,} groups: first {first_s:.2f} s "
        f"({len(first.opened):,} alerts opened), "
        f"steady state {second_s:.2f} s ({len(second.opened)} opened, {alert_model.objects.count():,} alerts)"
        "   (target <= 5 s)"
    )
    if COMPARE_WITH:  # the next version starts from the same state
        Outbox.objects.filter(alert__isnull=False).delete()
        alert_model.objects.all().delete()


def connection_cursor():
    from django.db import connection

    return connection.cursor()


def main():
    import django

    sys.stdout.reconfigure(line_buffering=True)

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from groups.models import Organisation
    from notifications.models import Alert

    if connection.vendor != "postgresql":
        raise SystemExit("Run with DATABASE_URL pointing at PostgreSQL.")
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("Run with REDIS_URL pointing at Redis.")
    setup_test_environment()
    base = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{base}_bench_outbox"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        db = connection.settings_dict
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        db_url = f"postgres://{quote(db['USER'] or '')}@{host}/{db['NAME']}"
        org = Organisation.objects.create(name="Bench", slug="bench")
        if "sweep" in PARTS:
            t0 = time.perf_counter()
            created = seed_sweep(org.pk)
            print(f"seeded {created:,} due messages in {time.perf_counter() - t0:.1f} s")
            locmem_ms = report("locmem backend", MESSAGES, *run_sweep(db_url, redis_url))
            print("   (target for the locmem sweep of 100,000: <= 60 s, 0 duplicates)")
            if SMTP_MESSAGES:
                run_smtp_sweep(db_url, redis_url, locmem_ms)
        if "scan" not in PARTS:
            return
        t0 = time.perf_counter()
        seed_scan(org.pk)
        print(f"seeded {SCAN_GROUPS:,} groups with two years of sessions in {time.perf_counter() - t0:.1f} s")
        import notifications.alerts as current

        scans = [("", current)]
        if COMPARE_WITH:
            scans = [("before: ", _scan_from(COMPARE_WITH)), ("after:  ", current)] * 2
        for label, module in scans:
            _time_scan(label, module, Alert)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
