"""Query budgets: the dashboards' query counts do not grow with sessions, members or groups."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import RSVP, Attendance, Presenter, SessionRole
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import SessionFactory, held_session

P, E = Attendance.Status.PRESENT, Attendance.Status.EXCUSED


def _grow(world, *, groups: int, sessions: int, members: int):
    """Add groups guided by world.facilitator, each with members, held history and upcoming sessions."""
    now = timezone.now()
    for g in range(groups):
        group = world.group if g == 0 else GroupFactory(organisation=world.group.organisation)
        if g:
            FacilitatorFactory(group=group, user=world.facilitator)
        people = [world.facilitator] + [MembershipFactory(group=group).user for _ in range(members)]
        for n in range(sessions):
            attendance = {u: (E if (i + n) % 4 == 0 else P) for i, u in enumerate(people)}
            held = held_session(
                group,
                starts_at=now - timedelta(days=14 * (n + 1)),
                attendance=attendance,
                declines={u: RSVP.Reason.BUSY for u, s in attendance.items() if s == E},
                presenters=people[1:2],
                announce=True,
            )
            for key, holder in (
                ("voorzitter", people[n % len(people)]),
                ("notulist", people[(n + 1) % len(people)]),
            ):
                SessionRole.objects.create(session=held, key=key, name_nl=key, name_en=key, user=holder)
        upcoming = SessionFactory(group=group, starts_at=now + timedelta(days=2 + g))
        Presenter.objects.create(session=upcoming, user=people[1], slot=1)
        RSVP.objects.create(session=upcoming, user=people[1], answer=RSVP.Answer.ATTEND)


def _count(client, url, params, budget, assert_max) -> int:
    client.get(url, params)  # warm-up: fills lazily computed figures and the nav cache
    with assert_max(budget) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return len(ctx)


def _urls(world, session_id):
    g = world.group.pk
    return [
        ("facilitator", reverse("dashboards:index"), {"period": "all"}, 13),
        ("facilitator", reverse("dashboards:group", kwargs={"group_id": g}), {"period": "all"}, 30),
        ("admin", reverse("dashboards:admin"), {"period": "all", "sort": "trend"}, 13),
        ("facilitator", reverse("dashboards:group_attendance", kwargs={"group_id": g}), {"period": "all"}, 8),
        (
            "facilitator",
            reverse(
                "dashboards:member_accreditation",
                kwargs={"group_id": g, "user_id": world.member.pk, "fmt": "pdf"},
            ),
            {},
            12,
        ),
        (
            "facilitator",
            reverse(
                "dashboards:presence_list", kwargs={"group_id": g, "session_id": session_id, "fmt": "pdf"}
            ),
            {},
            10,
        ),
        ("member", reverse("dashboards:my_accreditation_file", kwargs={"fmt": "csv"}), {}, 8),
    ]


@pytest.mark.django_db
def test_query_counts_do_not_grow(world, client_for, django_assert_max_num_queries):
    first = held_session(
        world.group,
        starts_at=timezone.now() - timedelta(days=3),
        attendance={world.member: P, world.facilitator: P},
        announce=True,
    )
    _grow(world, groups=1, sessions=2, members=2)
    small = {}
    for role, url, params, budget in _urls(world, first.pk):
        small[url] = _count(
            client_for(getattr(world, role)), url, params, budget, django_assert_max_num_queries
        )

    _grow(world, groups=4, sessions=12, members=7)  # more groups, sessions and members
    for role, url, params, budget in _urls(world, first.pk):
        client = client_for(getattr(world, role))
        assert _count(client, url, params, budget, django_assert_max_num_queries) == small[url], url
