"""Benchmark: the live guide's poll endpoint (logged in, phase unchanged) against a bare Django "hello"
view, both under gunicorn with 2 workers, measured with wrk in the same run.

Target: poll >= 30% of hello's requests per second, with 0 errors.

Seeds its own PostgreSQL database (``iv_casussen_bench`` on the DATABASE_URL server, dropped and created
afresh): 40 groups of 8 members, each with sessions, a booked casus, a running live session and a question
log. Then starts gunicorn (DEBUG off, production settings with Redis as REDIS_URL says, plus a bench-only
URLconf that adds the hello view) and runs wrk for ~10 s per URL. The unchanged poll is answered from
Redis (the login session and the session's change stamp, see casussen/live_stamp.py); once a minute per
login it takes the full database check.

Run:

    apt-get install -y wrk
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/iv_casussen REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/bench_live_poll.py [--seconds 10] [--connections 16]
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DB = "iv_casussen_bench"
GROUPS = 40
MEMBERS = 8


def _env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.live_poll_settings",
        SECRET_KEY="bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",  # noqa: S105
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DEBUG="",
        PYTHONPATH=str(ROOT),
    )
    env.pop("PYTEST_VERSION", None)
    return env


def _recreate_database(server_url: str) -> str:
    import psycopg

    parsed = urlparse(server_url)
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    return parsed._replace(path=f"/{BENCH_DB}").geturl()


SEED = r"""
from datetime import timedelta
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone
from accounts.models import User
from groups.models import Group, Membership, Organisation
from sessions.models import Method, Session
from casussen import live, live_stamp, services
from casussen.models import Casus

GROUPS, MEMBERS = {groups}, {members}
org = Organisation.objects.create(name="Bench", slug="bench")
method = Method.objects.get(slug="incidentmethode")
now = timezone.now()
target = None
for g in range(GROUPS):
    group = Group.objects.create(organisation=org, name=f"Groep {{g}}")
    users = User.objects.bulk_create(
        User(email=f"g{{g}}u{{i}}@bench.test", display_name=f"Deelnemer {{g}}-{{i}}") for i in range(MEMBERS)
    )
    Membership.objects.bulk_create(
        Membership(group=group, user=u, role="facilitator" if i == 0 else "member")
        for i, u in enumerate(users)
    )
    sessions = Session.objects.bulk_create(
        Session(group=group, method=method, starts_at=now + timedelta(days=d, hours=1),
                ends_at=now + timedelta(days=d, hours=3)) for d in range(0, 120, 14)
    )
    casus = services.casus_create(
        group=group, author=users[1], data={{"title": "Casus", "kernvraag": "Hoe kan ik?"}}
    )
    casus = services.casus_book(casus=services.casus_submit(casus=casus), session=sessions[0])
    run = live.live_start(session=sessions[0], casus=casus)
    for u in users[2:]:
        live.question_add(run=run, author=u, text="Wat maakt dit voor jou lastig?")
    if target is None:
        target = (users[2], sessions[0])
user, session = target
token = live_stamp.current_stamp(session.pk)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(f"SEEDED {{store.session_key}} {{session.pk}} {{token}}")
"""


def _seed(env: dict) -> tuple[str, int, str]:
    subprocess.run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SEED.format(groups=GROUPS, members=MEMBERS)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    match = re.search(r"SEEDED (\S+) (\d+) (\S+)", out)
    return match.group(1), int(match.group(2)), match.group(3)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wrk(url: str, *, seconds: int, connections: int, cookie: str | None) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    if cookie:
        cmd += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run([*cmd, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(int(x) for x in socket_errors.groups()) if socket_errors else 0
    )
    latency = re.search(r"Latency\s+(\S+)", out).group(1)
    return {"rps": rps, "requests": requests, "errors": errors, "latency": latency}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        print(
            "Set DATABASE_URL to a PostgreSQL server (the bench creates its own database).", file=sys.stderr
        )
        return 2
    env = _env(_recreate_database(server))
    print(f"Seeding {GROUPS} groups x {MEMBERS} members with running live sessions ...", flush=True)
    cookie, session_id, token = _seed(env)

    port = _free_port()
    gunicorn = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "intervisie.wsgi",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    hello_url = f"{base}/__bench__/hello/"
    poll_url = f"{base}/casussen/bijeenkomst/{session_id}/live/poll/?v={token}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(hello_url, timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        request = urllib.request.Request(poll_url, headers={"Cookie": f"sessionid={cookie}"})
        status = urllib.request.urlopen(request, timeout=5).status
        assert status == 204, f"poll answered {status}, expected 204 (phase unchanged)"
        # Warm up both (connections, worker imports), then measure.
        _wrk(hello_url, seconds=2, connections=args.connections, cookie=None)
        _wrk(poll_url, seconds=2, connections=args.connections, cookie=cookie)
        hello = _wrk(hello_url, seconds=args.seconds, connections=args.connections, cookie=None)
        poll = _wrk(poll_url, seconds=args.seconds, connections=args.connections, cookie=cookie)
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)

    ratio = poll["rps"] / hello["rps"]
    print(f"gunicorn 2 workers, wrk 2 threads, {args.connections} connections, {args.seconds} s each")
    for name, result in (("hello view      ", hello), ("poll (unchanged)", poll)):
        print(
            f"{name}: {result['rps']:8.0f} req/s  latency avg {result['latency']:>8}  "
            f"errors {result['errors']}  ({result['requests']} requests)"
        )
    ok = ratio >= 0.30 and hello["errors"] == 0 and poll["errors"] == 0
    print(f"poll / hello    : {ratio:.0%}  (target >= 30%, 0 errors)  {'OK' if ok else 'BELOW TARGET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
