"""Fault run: kills the Celery worker, restarts Redis and drops the PostgreSQL connections, during an outbox
sweep and during page traffic (logins, RSVPs, reflections against gunicorn), while the mail server is slow,
drops its reply after DATA and goes away; then checks that no e-mail was lost, failed or sent twice, that
every message in doubt is listed, and that no acknowledged RSVP or reflection was lost. Prints the counts.

Seeds its own database (``iv_faults`` on the DATABASE_URL server, dropped and created afresh). The worker
sends through Django's SMTP backend to a real SMTP server in this process (``bench/smtp_server.py``,
aiosmtpd on 127.0.0.1), which writes each message it takes to its spool before it answers: the spool counts
deliveries. Its faults: 2 s per message for the first seconds (against a 5 s sender deadline), the reply
dropped after DATA for three messages, and an outage of ``--outage-seconds``. 127.0.0.1 only; stops
everything it started (Redis is restarted, as the brief says, with the CI command line).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python bench/faults.py [--traffic-seconds 30] [--outage-seconds 20] [--no-redis-restart]
"""

import argparse
import contextlib
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load.run import app_env, free_port, recreate_database, start_gunicorn, stop  # noqa: E402
from bench.smtp_server import MailServer  # noqa: E402

OUT = ROOT / "var" / "faults"
CELERY = str(Path(sys.executable).with_name("celery"))
PASSWORD = "fault-test-password-42"  # noqa: S105
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379", "--save", "",
    "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SCORES = ("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used")

SEED = r"""
import json
from datetime import timedelta
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from accounts.models import User
from groups.models import Group, Membership, Organisation
from sessions import services as session_services
from sessions.models import Attendance, Session
from sessions.signals import session_held
from notifications.models import Outbox

now = timezone.now()
password = make_password("{password}")
org = Organisation.objects.create(name="Faults", slug="faults")
people = []
for g in range({groups}):
    group = Group.objects.create(organisation=org, name=f"Groep {{g}}")
    users = User.objects.bulk_create(
        User(email=f"g{{g}}u{{i}}@faults.test", display_name=f"Deelnemer {{g}}-{{i}}", password=password)
        for i in range({members})
    )
    Membership.objects.bulk_create(
        Membership(group=group, user=u, role="facilitator" if i == 0 else "member",
                   joined_at=now - timedelta(days=90), agreements_accepted_at=now)
        for i, u in enumerate(users)
    )
    upcoming = [
        session_services.session_create(
            group=group, starts_at=now + timedelta(days=d), ends_at=now + timedelta(days=d, hours=2)
        )
        for d in (3, 10, 17)
    ]
    end = now - timedelta(hours=2)
    start = end - timedelta(hours=2)
    held = Session.objects.create(group=group, starts_at=start, ends_at=end, status="held",
                                  actual_started_at=start, actual_ended_at=end)
    Attendance.objects.bulk_create(Attendance(session=held, user=u, status="present") for u in users)
    session_held.send(sender=Session, session=held)
    for u in users:
        people.append({{"email": u.email, "upcoming": [s.pk for s in upcoming], "held": held.pk}})
# Everything planned becomes due now (the clock moved on), so the sweeps below have work to do.
due = Outbox.objects.filter(status="pending").update(due_at=now)
print("SEEDED " + json.dumps({{"people": people, "due": due}}))
"""


class Traffic:
    """Members in threads: log in, answer RSVPs, write their reflection. Records what the server
    acknowledged (a redirect after the POST) and what failed."""

    def __init__(self, base: str, people: list[dict]):
        self.base = base
        self.people = people
        self.stop = threading.Event()
        self.rsvps: dict[tuple[str, int], str] = {}  # last acknowledged answer per (user, session)
        # Answers sent after it whose response never came (a timeout, a dropped connection): the server
        # may or may not have stored them, so the stored answer may be one of these.
        self.unacknowledged: dict[tuple[str, int], list[str]] = {}
        self.reflections: set[tuple[str, int]] = set()
        self.status = Counter()
        self.lock = threading.Lock()

    def _client(self, person):
        import requests

        session = requests.Session()
        for _ in range(20):
            try:
                page = session.get(f"{self.base}/account/inloggen/", timeout=10)
                token = CSRF.search(page.text).group(1)
                response = session.post(
                    f"{self.base}/account/inloggen/",
                    data={"username": person["email"], "password": PASSWORD, "csrfmiddlewaretoken": token},
                    allow_redirects=False,
                    timeout=10,
                )
                self._count("login", response.status_code)
                if response.status_code == 302:
                    return session
            except Exception:  # noqa: BLE001
                self._count("login", "conn-error")
            time.sleep(0.5)
        return None

    def _count(self, what, status):
        with self.lock:
            self.status[f"{what} {status}"] += 1

    def _post(self, session, path, data, what):
        try:
            response = session.post(
                self.base + path,
                data={**data, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")},
                headers={"Referer": self.base + path},
                allow_redirects=False,
                timeout=10,
            )
        except Exception:  # noqa: BLE001
            self._count(what, "conn-error")
            return False
        self._count(what, response.status_code)
        return response.status_code == 302

    def member(self, person):
        session = self._client(person)
        if session is None:
            return
        rng = random.Random(person["email"])
        while not self.stop.is_set():
            target = rng.choice(person["upcoming"])
            answer = rng.choice(["attend", "maybe", "decline"])
            data = {"answer": answer, **({"decline_reason": "busy"} if answer == "decline" else {})}
            # Sequential per member: the last acknowledged answer is the one that must be stored.
            acknowledged = self._post(session, f"/bijeenkomsten/{target}/antwoord/", data, "rsvp")
            with self.lock:
                if acknowledged:
                    self.rsvps[(person["email"], target)] = answer
                    self.unacknowledged[(person["email"], target)] = []
                else:
                    self.unacknowledged.setdefault((person["email"], target), []).append(answer)
            key = (person["email"], person["held"])
            if key not in self.reflections and rng.random() < 0.3:
                data = {**dict.fromkeys(SCORES, str(rng.randint(1, 5))), "takeaway": "Doorvragen helpt."}
                if self._post(
                    session, f"/reflecties/bijeenkomst/{person['held']}/invullen/", data, "reflection"
                ):
                    with self.lock:
                        self.reflections.add(key)
            time.sleep(rng.uniform(0.2, 0.8))

    def start(self, n):
        self.threads = [threading.Thread(target=self.member, args=(p,), daemon=True) for p in self.people[:n]]
        for thread in self.threads:
            thread.start()

    def join(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)


class Worker:
    def __init__(self, env):
        self.env = env
        self.proc = None
        self.n = 0

    def start(self):
        self.n += 1
        log = OUT / f"worker{self.n}.log"
        with open(log, "w") as out:
            self.proc = subprocess.Popen(
                [CELERY, "-A", "intervisie", "worker", "-B", "-s", str(OUT / f"beat{self.n}"),
                 "-n", f"faults{self.n}@%h", "--concurrency=2", "-l", "INFO"],
                cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.time() + 60
        while "ready." not in log.read_text() and time.time() < deadline:
            time.sleep(0.2)

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=30)
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def restart_redis():
    subprocess.run(["redis-cli", "-h", "127.0.0.1", "shutdown", "nosave"], check=False, capture_output=True)
    time.sleep(1)
    subprocess.run(REDIS_START, check=True)
    for _ in range(50):
        if (
            subprocess.run(
                ["redis-cli", "-h", "127.0.0.1", "ping"], capture_output=True, text=True
            ).stdout.strip()
            == "PONG"
        ):
            return
        time.sleep(0.2)
    raise RuntimeError("Redis did not come back")


def drop_connections(database_url: str, name: str) -> int:
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return len(rows)


def outbox_state(database_url: str):
    import psycopg

    with psycopg.connect(database_url) as conn:
        counts = dict(
            conn.execute("SELECT status, count(*) FROM notifications_outbox GROUP BY status").fetchall()
        )
        sent = {r[0] for r in conn.execute("SELECT id FROM notifications_outbox WHERE status = 'sent'")}
        stuck = conn.execute(
            "SELECT count(*) FROM notifications_outbox"
            " WHERE status IN ('pending', 'sending') AND due_at <= now()"
        ).fetchone()[0]
        interrupted = {  # in doubt: handed over, the answer never came (Status.DOUBT, with its reason)
            r[0]: r[1]
            for r in conn.execute("SELECT id, doubt FROM notifications_outbox WHERE status = 'doubt'")
        }
        rsvps = {
            (email, session): answer
            for email, session, answer in conn.execute(
                "SELECT u.email, r.session_id, r.answer FROM meetings_rsvp r"
                " JOIN accounts_user u ON u.id = r.user_id"
            )
        }
        reflections = {
            (email, session)
            for email, session in conn.execute(
                "SELECT u.email, r.session_id FROM reflections_reflection r"
                " JOIN accounts_user u ON u.id = r.author_id"
            )
        }
    return counts, sent, stuck, interrupted, rsvps, reflections


def outage_state(database_url: str) -> int:
    """Failed connections in a row the sweep recorded (notifications.MailOutage), while it is paused."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT failures FROM notifications_mailoutage WHERE id = 1").fetchone()
    return row[0] if row else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=25)
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--users", type=int, default=40, help="members sending page traffic")
    parser.add_argument("--traffic-seconds", type=int, default=30)
    parser.add_argument("--drain-seconds", type=int, default=180)
    parser.add_argument("--no-redis-restart", action="store_true")
    parser.add_argument("--outage-seconds", type=int, default=20, help="how long the mail server is away")
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL server (the run creates its own database).", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    mail_log = OUT / "smtp-spool.log"
    mail_log.write_text("")
    smtp = MailServer(spool=mail_log).start()
    database_url = recreate_database(server, "iv_faults")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/8")
    subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=False, capture_output=True)
    env = app_env(database_url, redis_url)
    env.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        NOTIFICATIONS_SENDER_SECONDS="5",  # the deadline, checked before each hand-over
        NOTIFICATIONS_OUTAGE_PAUSE_SECONDS="2",
        NOTIFICATIONS_OUTAGE_PAUSE_MAX_SECONDS="20",
        NOTIFICATIONS_SWEEP_SECONDS="1",
        NOTIFICATIONS_SENDING_TIMEOUT="5",
        NOTIFICATIONS_BATCH_SIZE="20",
        DB_CONN_MAX_AGE="0",
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    seed_env = {**env, "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         SEED.format(groups=args.groups, members=args.members, password=PASSWORD)],
        cwd=ROOT, env=seed_env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    import json

    seeded = json.loads(out.split("SEEDED ", 1)[1])
    print(f"seeded {args.groups} groups x {args.members} members; {seeded['due']} e-mails due", flush=True)

    port = free_port()
    gunicorn = start_gunicorn(env, port, workers=2, threads=4)
    worker = Worker(env)
    traffic = Traffic(f"http://127.0.0.1:{port}", seeded["people"])
    faults = []
    outage_failures = 0
    try:
        smtp.delay = 2.0  # a throttling provider: 2 s per message
        faults.append("mail server slow (2 s per message) for 8 s")
        worker.start()
        traffic.start(args.users)
        t0 = time.time()

        def at(second):
            time.sleep(max(0.0, t0 + second - time.time()))

        at(3)
        worker.kill()
        faults.append("worker SIGKILL (mid-sweep)")
        at(5)
        worker.start()
        at(8)
        smtp.delay = 0.02
        smtp.drop_next = 3
        faults.append("mail server dropped its reply after DATA 3 times (messages stored)")
        at(10)
        if not args.no_redis_restart:
            restart_redis()
            faults.append("Redis restarted (shutdown nosave)")
        at(15)
        faults.append(f"PostgreSQL: {drop_connections(database_url, 'iv_faults')} connections terminated")
        at(20)
        worker.kill()
        faults.append("worker SIGKILL (mid-sweep)")
        worker.start()
        at(25)
        faults.append(f"PostgreSQL: {drop_connections(database_url, 'iv_faults')} connections terminated")
        at(27)
        smtp.stop()
        time.sleep(args.outage_seconds)
        outage_failures = outage_state(database_url)
        smtp.start()
        faults.append(f"mail server away for {args.outage_seconds} s ({outage_failures} failed connections)")
        at(args.traffic_seconds)
        traffic.join()
        deadline = time.time() + args.drain_seconds
        while time.time() < deadline:
            _counts, _sent, stuck, *_ = outbox_state(database_url)
            if stuck == 0:
                break
            time.sleep(2)
        time.sleep(3)  # a last in-flight batch settles
    finally:
        traffic.stop.set()
        worker.kill(signal.SIGTERM)
        stop(gunicorn)
        smtp.stop()

    counts, sent, stuck, interrupted, rsvps, reflections = outbox_state(database_url)
    deliveries = Counter(smtp.deliveries())
    duplicates = sum(1 for n in deliveries.values() if n > 1)
    sent_not_delivered = len(sent - set(deliveries))
    # A worker killed between handing a message to SMTP and marking it sent, or a reply that never came after
    # DATA, leaves the row in doubt (never retried: at most once). Those may or may not have gone out; they
    # are counted apart.
    delivered_not_sent = len(set(deliveries) - sent - set(interrupted))
    interrupted_delivered = len(set(interrupted) & set(deliveries))
    lost_mail = sent_not_delivered + stuck
    rsvp_lost = sum(
        1
        for key, answer in traffic.rsvps.items()
        if rsvps.get(key) not in {answer, *traffic.unacknowledged.get(key, [])}
    )
    rsvp_later = sum(
        1
        for key, answer in traffic.rsvps.items()
        if rsvps.get(key) != answer and rsvps.get(key) in traffic.unacknowledged.get(key, [])
    )
    reflections_lost = len(traffic.reflections - reflections)

    print("\nfaults:", "; ".join(faults))
    print("traffic:", dict(sorted(traffic.status.items())))
    print(f"outbox by status: {counts}")
    print(f"e-mails delivered: {sum(deliveries.values())} (distinct {len(deliveries)})")
    print(f"e-mails sent twice: {duplicates}")
    print(
        f"e-mails lost: {lost_mail} (marked sent but not delivered {sent_not_delivered}, still due {stuck})"
    )
    print(f"delivered but not marked sent: {delivered_not_sent}")
    print(
        f"in doubt (never retried, listed in admin and outbox_status): {len(interrupted)}"
        f" {dict(Counter(interrupted.values()))} (of which the server had stored: {interrupted_delivered})"
    )
    failed = counts.get("failed", 0)
    print(f"failed (attempts used up): {failed}")
    print(
        f"RSVPs acknowledged: {len(traffic.rsvps)}, lost: {rsvp_lost} (stored is a later answer whose "
        f"response never came: {rsvp_later})"
    )
    print(f"reflections acknowledged: {len(traffic.reflections)}, lost: {reflections_lost}")
    ok = (
        duplicates == 0
        and failed == 0
        and lost_mail == 0
        and delivered_not_sent == 0
        and rsvp_lost == 0
        and reflections_lost == 0
    )
    print(f"RESULT {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
