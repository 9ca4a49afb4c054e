"""Benchmark: the facilitator's and the admin's dashboards on two years of history.

Seeds, in a throwaway test database (created from DATABASE_URL's server and dropped afterwards), one
organisation with 50 groups × 8 members (one of them the facilitator, who guides all 50 groups) and two
years of fortnightly held sessions (52 per group, 2,600 in all) with attendance, decline reasons,
presenters and 4 reflections each, plus 4 planned sessions per group. The per-session figures are
precomputed (``session_stats_refresh``, timed once), then it prints the median server time of:

- facilitator dashboard of one group, period 2 years (grid 8 × 56, three charts)   target <= 150 ms
- facilitator overview of all 50 groups they guide, period 2 years                 target <= 150 ms
- admin overview of the organisation's 50 groups, sorted by trend                  target <= 200 ms

and the query count of each, next to the count for a small case (3 months; one group), which must be
equal: the counts do not grow with sessions, members or groups.

Run (PostgreSQL and Redis, as in production):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/intervisie_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/bench_dashboard.py
"""

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intervisie.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

GROUPS = int(os.environ.get("BENCH_GROUPS", "50"))
MEMBERS = 8  # per group, the facilitator included
HELD = 52  # fortnightly for two years
UPCOMING = 4
ROUNDS = 15
STATUSES = ["present"] * 6 + ["late", "excused", "absent"]
REASONS = ["busy", "busy", "sick", "holiday", "other"]


def seed():
    from accounts.models import User
    from groups.models import Group, Membership, Organisation, OrganisationAdmin
    from reflections.models import Reflection
    from sessions.models import RSVP, Attendance, Presenter, Session

    org = Organisation.objects.create(name="Bench", slug="bench")
    facilitator = User.objects.create_user(email="begeleider@bench.test", display_name="Bench Begeleider")
    small = User.objects.create_user(email="klein@bench.test", display_name="Begeleider van één groep")
    admin = User.objects.create_user(email="beheer@bench.test", display_name="Bench Beheer", is_staff=True)
    OrganisationAdmin.objects.create(organisation=org, user=admin)
    small_org = Organisation.objects.create(name="Klein", slug="klein")
    Group.objects.create(organisation=small_org, name="De enige groep")
    small_admin = User.objects.create_user(
        email="klein-beheer@bench.test", display_name="Klein", is_staff=True
    )
    OrganisationAdmin.objects.create(organisation=small_org, user=small_admin)
    members = User.objects.bulk_create(
        User(email=f"u{i}@bench.test", display_name=f"Deelnemer {i:03d}")
        for i in range(GROUPS * (MEMBERS - 1))
    )
    groups = Group.objects.bulk_create(Group(organisation=org, name=f"Groep {g:02d}") for g in range(GROUPS))
    people = {}
    memberships = [Membership(group=groups[0], user=small, role="facilitator")]
    for g, group in enumerate(groups):
        people[group.pk] = [facilitator] + members[g * (MEMBERS - 1) : (g + 1) * (MEMBERS - 1)]
        memberships += [Membership(group=group, user=facilitator, role="facilitator")]
        memberships += [Membership(group=group, user=u) for u in people[group.pk][1:]]
    Membership.objects.bulk_create(memberships)

    now = timezone.now().replace(second=0, microsecond=0)
    sessions = []
    for g, group in enumerate(groups):
        for n in range(HELD):
            start = now - timedelta(days=14 * (HELD - n), hours=g % 5)
            sessions.append(
                Session(group=group, starts_at=start, ends_at=start + timedelta(minutes=150), status="held",
                        actual_started_at=start, actual_ended_at=start + timedelta(minutes=145),
                        break_minutes=15, facilitator=facilitator)
            )  # fmt: skip
        for n in range(UPCOMING):
            start = now + timedelta(days=14 * n + 2, hours=g % 5)
            sessions.append(Session(group=group, starts_at=start, ends_at=start + timedelta(minutes=150)))
    sessions = Session.objects.bulk_create(sessions)
    attendance, rsvps, presenters, reflections = [], [], [], []
    scores = dict.fromkeys(
        ("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used"), 4
    )
    for k, session in enumerate(sessions):
        who = people[session.group_id]
        presenters.append(Presenter(session=session, user=who[1 + k % (MEMBERS - 1)], slot=1))
        if session.status != "held":
            rsvps += [RSVP(session=session, user=u, answer="attend") for u in who[:3]]
            continue
        written = 0
        for i, user in enumerate(who):
            status = STATUSES[(k * 3 + i * 5) % len(STATUSES)]
            attendance.append(Attendance(session=session, user=user, status=status))
            if status == "excused":
                rsvps.append(
                    RSVP(session=session, user=user, answer="decline", decline_reason=REASONS[(k + i) % 5])
                )
            elif status in ("present", "late") and written < 4:
                reflections.append(Reflection(session=session, author=user, **scores))
                written += 1
    Attendance.objects.bulk_create(attendance, batch_size=5000)
    RSVP.objects.bulk_create(rsvps, batch_size=5000)
    Presenter.objects.bulk_create(presenters, batch_size=5000)
    Reflection.objects.bulk_create(reflections, batch_size=5000)
    return facilitator, small, admin, small_admin, groups[0], sessions, len(attendance), len(reflections)


def median_ms(fn, rounds=ROUNDS) -> tuple[float, float]:
    """Median wall-clock and median CPU time of this process (the server side: the test client calls the
    view in-process; CPU time leaves out waiting for PostgreSQL and for other processes on a busy host)."""
    walls, cpus = [], []
    for _ in range(rounds):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def measure(user, url, params):
    client = Client()
    client.force_login(user)

    def get():
        response = client.get(url, params)
        assert response.status_code == 200, response.status_code

    get()  # warm-up (imports, nav cache, lazily computed figures)
    reset_queries()  # the query log is a bounded deque, full after seeding
    with CaptureQueriesContext(connection) as ctx:
        get()
    sql_ms = sum(float(q["time"]) for q in ctx.captured_queries) * 1000
    wall, cpu = median_ms(get)
    return wall, cpu, sql_ms, len(ctx)


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        t0 = time.perf_counter()
        facilitator, small, admin, small_admin, group, sessions, n_attendance, n_reflections = seed()
        seeded = time.perf_counter() - t0
        from dashboards.services import session_stats_refresh

        t0 = time.perf_counter()
        session_stats_refresh(session_ids=[s.pk for s in sessions])
        refresh = time.perf_counter() - t0
        print(f"database: {connection.vendor}")
        print(
            f"seeded {GROUPS} groups × {MEMBERS} members, {len(sessions)} sessions, "
            f"{n_attendance} attendance rows, {n_reflections} reflections in {seeded:.1f} s; "
            f"figures of all sessions precomputed in {refresh:.1f} s"
        )
        print(f"median of {ROUNDS} requests; queries: large case / small case")
        cases = [
            ("facilitator dashboard, 1 group, 2 years", 150, facilitator,
             reverse("dashboards:group", args=[group.pk]), {"period": "24"}, {"period": "3"}, facilitator),
            ("facilitator overview, 50 groups", 150, facilitator,
             reverse("dashboards:index"), {"period": "24"}, {"period": "3"}, small),
            ("admin overview, 50 groups (by trend)", 200, admin,
             reverse("dashboards:admin"), {"period": "24", "sort": "trend"}, {"period": "3", "sort": "trend"},
             small_admin),
        ]  # fmt: skip
        for label, target, user, url, params, small_params, small_user in cases:
            wall, cpu, sql, queries = measure(user, url, params)
            *_, small_queries = measure(small_user or user, url, small_params)
            verdict = "ok" if wall <= target and queries == small_queries else "OVER"
            print(
                f"{label:<38} {wall:6.1f} ms (<= {target}; cpu {cpu:5.1f}, sql {sql:5.1f})  "
                f"queries {queries} / {small_queries}  {verdict}"
            )
        print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        cache.clear()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
