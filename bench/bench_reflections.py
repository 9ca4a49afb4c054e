"""Benchmark: reflections on two years of history (no target in the issue; figures for the report).

Seeds, in a throwaway test database (created from DATABASE_URL's server and dropped afterwards), 50 groups
× 8 members with two years of fortnightly held sessions (52 per group, 2,600 in all), attendance, decline
reasons, a presenter and 6 reflections per session. Prints the median time and the query count of:

- ``session_aggregates`` for all 2,600 sessions (what the dashboards' precompute calls)
- ``group_health`` of one group (facilitator's signals in words)
- the group reflections page, a session's reflections page and a member's learning log (+ CSV)

Run:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/intervisie_bench \\
        .venv/bin/python bench/bench_reflections.py
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

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

GROUPS, MEMBERS, HELD, ROUNDS = 50, 8, 52, 15
STATUSES = ["present"] * 6 + ["late", "excused"]
SCALES = ("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used")


def seed():
    from accounts.models import User
    from groups.models import Group, Membership, Organisation
    from reflections.models import Reflection
    from sessions.models import RSVP, Attendance, Presenter, Session

    org = Organisation.objects.create(name="Bench", slug="bench")
    users = User.objects.bulk_create(
        User(email=f"u{i}@bench.test", display_name=f"Deelnemer {i:03d}") for i in range(GROUPS * MEMBERS)
    )
    groups = Group.objects.bulk_create(Group(organisation=org, name=f"Groep {g:02d}") for g in range(GROUPS))
    people = {group.pk: users[g * MEMBERS : (g + 1) * MEMBERS] for g, group in enumerate(groups)}
    Membership.objects.bulk_create(
        Membership(group=group, user=user, role="facilitator" if i == 0 else "member")
        for group in groups
        for i, user in enumerate(people[group.pk])
    )
    now = timezone.now().replace(second=0, microsecond=0)
    starts = [now - timedelta(days=14 * (HELD - n) + 20) for n in range(HELD)]
    sessions = Session.objects.bulk_create(
        Session(group=group, starts_at=s, ends_at=s + timedelta(hours=2), status="held",
                actual_started_at=s, actual_ended_at=s + timedelta(hours=2))
        for group in groups for s in starts
    )  # fmt: skip
    attendance, rsvps, presenters, reflections = [], [], [], []
    for k, session in enumerate(sessions):
        who = people[session.group_id]
        presenters.append(Presenter(session=session, user=who[1 + k % (MEMBERS - 1)], slot=1))
        written = 0
        for i, user in enumerate(who):
            status = STATUSES[(k + i) % len(STATUSES)]
            attendance.append(Attendance(session=session, user=user, status=status))
            if status == "excused":
                rsvps.append(RSVP(session=session, user=user, answer="decline", decline_reason="busy"))
            elif written < 6:
                scores = {name: 1 + (k + i + j) % 5 for j, name in enumerate(SCALES)}
                reflections.append(Reflection(session=session, author=user, takeaway=f"les {k}", **scores))
                written += 1
    Attendance.objects.bulk_create(attendance, batch_size=5000)
    RSVP.objects.bulk_create(rsvps, batch_size=5000)
    Presenter.objects.bulk_create(presenters, batch_size=5000)
    Reflection.objects.bulk_create(reflections, batch_size=5000)
    return groups[0], people[groups[0].pk], sessions


def measure(label, func):
    times = []
    for _ in range(ROUNDS):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            func()
            times.append((time.perf_counter() - start) * 1000)
    print(f"{label:<58} {statistics.median(times):8.1f} ms  {len(queries):3d} queries")


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from reflections.health import group_health
        from reflections.selectors import session_aggregates

        group, people, sessions = seed()
        ids = [s.pk for s in sessions]
        print(f"seeded {len(sessions)} held sessions, 6 reflections each")
        measure("session_aggregates(2,600 sessions)", lambda: session_aggregates(ids))
        measure("group_health(one group, 2 years)", lambda: group_health(group))
        facilitator, member = Client(), Client()
        facilitator.force_login(people[0])
        member.force_login(people[2])

        def get(client, name, **kwargs):
            assert client.get(reverse(name, kwargs=kwargs)).status_code == 200

        measure(
            "GET group reflections page (52 sessions)",
            lambda: get(facilitator, "reflections:group", group_id=group.pk),
        )
        mine = next(s for s in sessions if s.group_id == group.pk)
        measure(
            "GET session reflections page", lambda: get(member, "reflections:session", session_id=mine.pk)
        )
        measure("GET learning log (member, 2 years)", lambda: get(member, "reflections:learning_log"))
        measure("GET learning log CSV", lambda: get(member, "reflections:learning_log_csv"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
