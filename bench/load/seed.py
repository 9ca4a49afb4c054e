"""Seeds the load-test database: GROUPS groups of MEMBERS members, each group with upcoming sessions, a
booked casus and a running live session. Writes the logins and ids for locust to a JSON file.

Run by bench/load/run.py (DJANGO_SETTINGS_MODULE=bench.load.settings)."""

import json
import sys
from datetime import timedelta

import django

PASSWORD = "load-test-password-42"  # noqa: S105


def seed(groups: int, members: int) -> list[dict]:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.models import User
    from casussen import live, services
    from groups.models import Group, Membership, Organisation
    from sessions.models import Method, Session

    password = make_password(PASSWORD)
    org = Organisation.objects.create(name="Load", slug="load")
    method = Method.objects.get(slug="incidentmethode")
    now = timezone.now()
    logins = []
    for g in range(groups):
        group = Group.objects.create(organisation=org, name=f"Groep {g}")
        users = User.objects.bulk_create(
            User(email=f"g{g}u{i}@load.test", display_name=f"Deelnemer {g}-{i}", password=password)
            for i in range(members)
        )
        Membership.objects.bulk_create(
            Membership(
                group=group, user=u, role="facilitator" if i == 0 else "member", agreements_accepted_at=now
            )
            for i, u in enumerate(users)
        )
        sessions = Session.objects.bulk_create(
            Session(
                group=group,
                method=method,
                starts_at=now + timedelta(days=d, hours=1),
                ends_at=now + timedelta(days=d, hours=3),
                presenter_slots=2,
            )
            for d in range(0, 112, 14)
        )
        casus = services.casus_create(
            group=group, author=users[1], data={"title": "Casus", "kernvraag": "Hoe?"}
        )
        casus = services.casus_book(casus=services.casus_submit(casus=casus), session=sessions[0])
        run = live.live_start(session=sessions[0], casus=casus)
        for u in users[2:5]:
            live.question_add(run=run, author=u, text="Wat maakt dit voor jou lastig?")
        for u in users:
            logins.append(
                {
                    "email": u.email,
                    "group": group.pk,
                    "sessions": [s.pk for s in sessions[1:]],
                    "live": sessions[0].pk,
                }
            )
    return logins


if __name__ == "__main__":
    django.setup()
    groups, members, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    with open(out, "w") as fh:
        json.dump({"password": PASSWORD, "users": seed(groups, members)}, fh)
    print(f"seeded {groups} groups x {members} members -> {out}")
