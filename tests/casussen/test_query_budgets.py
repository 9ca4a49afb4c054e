"""Query budgets with enough data that an N+1 would show."""

import pytest
from django.test import Client
from django.urls import reverse

from casussen import live, services
from casussen.models import Advice, Casus, Question
from tests.factories import MembershipFactory
from tests.html import attribute_values, texts
from tests.sessions.factories import SessionFactory

from .factories import CasusFactory, start_live

pytestmark = pytest.mark.django_db


def _list_items(html: str, list_id: str) -> list[str]:
    """The texts written in the items of the list ``<ul id=list_id>``, each without its "– author" tail."""
    start = html.index(f'id="{list_id}"')
    return [item.split(" – ")[0] for item in texts(html[start : html.index("</ul>", start)], "li")]


@pytest.fixture
def busy_group(world):
    members = [MembershipFactory(group=world.group).user for _ in range(8)]
    sessions = [SessionFactory(group=world.group, presenter_slots=2) for _ in range(4)]
    for index, author in enumerate(members):
        casus = CasusFactory(group=world.group, author=author)
        if index < 6:
            services.casus_book(casus=casus, session=sessions[index % 3])
    for author in members[:4]:
        CasusFactory(group=world.group, author=author, status="submitted")
    CasusFactory(group=world.group, author=world.member, status="draft", submitted_at=None)
    return members, sessions


def test_queue_budget(world, client_for, busy_group, django_assert_max_num_queries):
    client = client_for(world.member)
    url = reverse("casussen:queue", kwargs={"group_id": world.group.pk})
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    booked = Casus.objects.filter(group=world.group, session__isnull=False)
    assert booked.count() == 6
    unbook = {reverse("casussen:unbook", kwargs={"casus_id": casus.pk}) for casus in booked}
    assert unbook.isdisjoint(attribute_values(response.content.decode(), "form", "action"))  # not theirs


def test_casus_detail_budget(world, client_for, busy_group, django_assert_max_num_queries):
    members, sessions = busy_group
    casus = CasusFactory(group=world.group, author=world.member)
    casus = services.casus_book(casus=casus, session=sessions[3])
    run = start_live(session=sessions[3], casus=casus)
    for n, member in enumerate(members):
        live.question_add(run=run, author=member, text=f"Vraag {n}?")
        live.advice_set(run=run, author=member, text=f"Advies {n}")
    live.live_step(run=run, action="finish")
    client = client_for(world.member)
    # 10 of ours plus the access log other apps keep for casus pages; an N+1 would add 8+ per list.
    with django_assert_max_num_queries(12):
        response = client.get(reverse("casussen:detail", kwargs={"casus_id": casus.pk}))
    assert response.status_code == 200
    given = sorted(Advice.objects.filter(run=run).values_list("text", flat=True))
    assert len(given) == len(members)
    assert sorted(_list_items(response.content.decode(), "advice")) == given  # every advice, each once


@pytest.mark.redis  # the unchanged poll's login session is read from Redis (accounts.session_store)
def test_poll_budget_and_size(
    world, client_for, busy_group, django_assert_max_num_queries, django_assert_num_queries
):
    members, sessions = busy_group
    casus = services.casus_book(
        casus=CasusFactory(group=world.group, author=world.member), session=sessions[3]
    )
    run = start_live(session=sessions[3], casus=casus)
    for _ in range(3):
        run = live.live_step(run=run, action="next")  # a question phase: prompts show
    for n, member in enumerate(members):
        live.question_add(run=run, author=member, text=f"Vraag {n}?")
    url = reverse("casussen:poll", kwargs={"session_id": sessions[3].pk})
    client, fresh_login = Client(), Client()
    client.force_login(members[0])
    fresh_login.force_login(members[1])
    with django_assert_max_num_queries(12):
        changed = client.get(url, {"v": "0"})
    assert changed.status_code == 200
    asked = sorted(Question.objects.filter(run=run).values_list("text", flat=True))
    assert len(asked) == len(members)
    assert sorted(_list_items(changed.content.decode(), "question-log")) == asked  # the whole log, once
    assert len(changed.content) < 20_000
    (token,) = attribute_values(changed.content.decode(), "div", "data-token")

    with django_assert_max_num_queries(2):  # the user, then one query for access + session + run
        unchanged = fresh_login.get(url, {"v": token})
    assert unchanged.status_code == 204 and len(unchanged.content) == 0
    with django_assert_num_queries(0):  # this login passed the check just now: the cache answers
        again = fresh_login.get(url, {"v": token})
    assert again.status_code == 204 and len(again.content) == 0


def _discuss(casus, session):
    casus = services.casus_book(casus=casus, session=session)
    run = start_live(session=session, casus=casus)
    live.live_step(run=run, action="finish")
    casus.refresh_from_db()
    return casus, run


def test_other_pages_budgets(world, client_for, busy_group, django_assert_max_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    from groups.models import Membership
    from sessions.models import RSVP

    members, sessions = busy_group
    Membership.objects.filter(group=world.group).update(joined_at=timezone.now() - timedelta(days=60))
    extra_sessions = [SessionFactory(group=world.group, presenter_slots=3) for _ in range(3)]
    discussed = []
    for session, author in zip(extra_sessions, members[4:7], strict=True):
        casus, _run = _discuss(CasusFactory(group=world.group, author=author), session)
        discussed.append(casus)
    own, run = _discuss(CasusFactory(group=world.group, author=world.member), extra_sessions[0])
    start = timezone.now() - timedelta(days=1)
    past = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
    for member in members:
        RSVP.objects.create(session=past, user=member, answer="attend")
    running = sessions[3]
    casus = services.casus_book(casus=CasusFactory(group=world.group, author=members[0]), session=running)
    active = start_live(session=running, casus=casus)
    for member in members[1:]:
        live.question_add(run=active, author=member, text="Wat maakt het lastig?")

    member = client_for(world.member)
    pages = [
        (member, reverse("casussen:history", kwargs={"group_id": world.group.pk}), 8),
        (member, reverse("casussen:create", kwargs={"group_id": world.group.pk}), 6),
        (member, reverse("casussen:summary", kwargs={"casus_id": own.pk}), 8),
        # +1: the presenter sees what was written in advance beside their summary (casussen/advance.py)
        (member, reverse("sessions:detail", kwargs={"session_id": extra_sessions[0].pk}), 22),
        # 16: with who holds which role, proposed from the group's history (sessions/roles.py, constant)
        (member, reverse("casussen:live", kwargs={"session_id": running.pk}), 16),
    ]
    for client, url, budget in pages:
        with django_assert_max_num_queries(budget):
            response = client.get(url)
        assert response.status_code == 200, url
    facilitator = client_for(world.facilitator)
    for url, budget in (
        (reverse("sessions:attendance", kwargs={"session_id": past.pk}), 11),
        (reverse("casussen:session_method", kwargs={"session_id": past.pk}), 8),
        (reverse("casussen:live", kwargs={"session_id": running.pk}), 16),
    ):
        with django_assert_max_num_queries(budget):
            response = facilitator.get(url)
        assert response.status_code == 200, url
    edit = CasusFactory(group=world.group, author=world.member, status="draft", submitted_at=None)
    member = client_for(world.member)
    with django_assert_max_num_queries(8):
        response = member.get(reverse("casussen:edit", kwargs={"casus_id": edit.pk}))
    assert response.status_code == 200
