"""Benchmark: the personal calendar feed and the upcoming-sessions page.

Seeds, in a throwaway test database (created from DATABASE_URL's server and dropped afterwards), a
member of 10 groups whose feed holds 500 sessions (3 months back to 6 months ahead, 7 members per group
with RSVPs), then prints the median server time of:

- feed warm: nothing changed since the last build (events come from the cache)   target <= 50 ms
- feed cold: empty cache (no feed version, no feed, no event cached), so the
  ETag comes from the database and every event is built with icalendar           target <= 150 ms
- conditional GET (If-None-Match) answered 304                                   target <= 10 ms
- "Mijn bijeenkomsten" for that member of 10 groups                               target <= 30 ms

and, for information, a 304 whose cached feed version was evicted (the ETag then comes from the
database: ``selectors.feed_version``).

Run (PostgreSQL and Redis, as in production):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/intervisie_bench REDIS_URL=redis://127.0.0.1:6379/3 \\
        .venv/bin/python bench/bench_feed.py
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

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

GROUPS = 10
SESSIONS_PER_GROUP = 50  # 500 in the member's feed
OTHERS_PER_GROUP = 6
ROUNDS = 25


def seed():
    from accounts.models import User
    from groups.models import Group, Membership, Organisation
    from sessions.models import RSVP, Presenter, Session

    org = Organisation.objects.create(name="Bench", slug="bench")
    member = User.objects.create_user(email="member@bench.test", password=None, display_name="Bench Member")
    now = timezone.now().replace(second=0, microsecond=0)
    span = timedelta(days=270)  # 3 months back .. 6 months ahead
    start = now - timedelta(days=88)
    users = User.objects.bulk_create(
        User(email=f"u{i}@bench.test", display_name=f"Deelnemer {i}")
        for i in range(GROUPS * OTHERS_PER_GROUP)
    )
    sessions, memberships = [], []
    for g in range(GROUPS):
        group = Group.objects.create(organisation=org, name=f"Groep {g}", default_location="Kamer 2.14")
        others = users[g * OTHERS_PER_GROUP : (g + 1) * OTHERS_PER_GROUP]
        memberships += [Membership(group=group, user=member)] + [
            Membership(group=group, user=u) for u in others
        ]
        for i in range(SESSIONS_PER_GROUP):
            starts_at = start + span * i / SESSIONS_PER_GROUP + timedelta(hours=g)
            sessions.append(
                Session(group=group, starts_at=starts_at, ends_at=starts_at + timedelta(minutes=150))
            )
    Membership.objects.bulk_create(memberships)
    Session.objects.bulk_create(sessions)
    sessions = list(Session.objects.select_related("group").order_by("pk"))
    rsvps, presenters = [], []
    answers = ["attend", "attend", "maybe", "decline"]
    by_group = {}
    for m in Membership.objects.exclude(user=member):
        by_group.setdefault(m.group_id, []).append(m.user_id)
    for n, session in enumerate(sessions):
        for k, user_id in enumerate(by_group[session.group_id]):
            answer = answers[(n + k) % 4]
            rsvps.append(
                RSVP(
                    session=session,
                    user_id=user_id,
                    answer=answer,
                    decline_reason="busy" if answer == "decline" else "",
                )
            )
        if n % 3:
            rsvps.append(RSVP(session=session, user=member, answer="attend"))
        presenters.append(Presenter(session=session, user_id=by_group[session.group_id][0], slot=1))
    RSVP.objects.bulk_create(rsvps)
    Presenter.objects.bulk_create(presenters)
    return member


def median_ms(fn, rounds=ROUNDS, before=None) -> tuple[float, float]:
    """Median wall-clock and CPU (this process) milliseconds; CPU is what the machine's load cannot
    inflate, wall is what a client waits."""
    wall, cpu = [], []
    for _ in range(rounds):
        if before:
            before()
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def line(label: str, figures: tuple[float, float], target: int) -> str:
    wall, cpu = figures
    verdict = "ok" if wall <= target else "OVER"
    return f"{label:<34} {wall:7.1f} ms  (cpu {cpu:6.1f} ms)  target <= {target} ms  {verdict}"


def main():
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        member = seed()
        from sessions.selectors import feed_rows

        assert len(feed_rows(member)) == GROUPS * SESSIONS_PER_GROUP
        client = Client()
        url = reverse("sessions:feed", kwargs={"token": member.feed_token})

        def get_feed():
            response = client.get(url)
            assert response.status_code == 200

        cache.clear()
        get_feed()  # warm imports, connection and VTIMEZONE
        cold = median_ms(get_feed, rounds=9, before=cache.clear)
        get_feed()
        warm = median_ms(get_feed)
        etag = client.get(url)["ETag"]

        def conditional():
            assert client.get(url, headers={"if-none-match": etag}).status_code == 304

        not_modified = median_ms(conditional)

        from sessions import feedcache

        evicted = median_ms(conditional, before=lambda: cache.delete(feedcache._version_key(member.pk)))

        events = client.get(url).content.count(b"BEGIN:VEVENT")
        backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
        print(f"database: {connection.vendor}; cache: {backend}")
        print(f"feed: {events} events, {GROUPS} groups; median of {ROUNDS} requests (cold: 9)")
        print(line("feed warm (nothing changed)", warm, 50))
        print(line("feed cold (empty cache)", cold, 150))
        print(line("conditional GET -> 304", not_modified, 10))
        print(line("  (304, version not cached)", evicted, 10))

        page_client = Client()
        page_client.force_login(member)

        def upcoming():
            assert page_client.get(reverse("sessions:mine")).status_code == 200

        upcoming()
        page = median_ms(upcoming)

        print(line("Mijn bijeenkomsten, 10 groups", page, 30))
        print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        cache.clear()
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
