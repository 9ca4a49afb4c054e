"""Every page's query count, with enough data that an N+1 would show (10 sessions × 6 answers)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from casussen.models import Casus, LiveRun, Question
from reflections import services
from sessions.models import Method
from tests.sessions.factories import held_session

from .factories import reflect


@pytest.fixture
def busy_group(world, crew):
    sessions = []
    for i in range(10):
        session = held_session(
            world.group, ended_ago=timedelta(days=100 - 7 * i), present=crew, presenters=[crew[i % 6]]
        )
        for user in crew:
            reflect(session, user, 1 + (i % 5), takeaway=f"les {i}", share_takeaway=True)
        services.followup_answer(session=session, presenter=crew[i % 6], outcome="applied")
        Casus.objects.create(
            group=world.group,
            author=world.member,
            title=f"Casus {i}",
            kernvraag="Hoe?",
            status=Casus.Status.SUBMITTED,
        )
        sessions.append(session)
    return sessions


def _get(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, response.status_code
    return response


@pytest.mark.parametrize(
    ("name", "budget"),
    [
        ("reflections:group", 12),
        ("reflections:health", 16),
        ("reflections:learning_log", 10),
        ("reflections:learning_log_csv", 8),
    ],
)
def test_group_level_pages(busy_group, world, client_for, django_assert_max_num_queries, name, budget):
    client = client_for(world.facilitator if name != "reflections:learning_log" else world.member)
    kwargs = (
        {"group_id": world.group.pk} if name.startswith("reflections:g") or name.endswith("health") else {}
    )
    with django_assert_max_num_queries(budget):
        _get(client, name, **kwargs)


def test_session_page(busy_group, world, client_for, django_assert_max_num_queries):
    client = client_for(world.member)
    with django_assert_max_num_queries(16):
        page = _get(client, "reflections:session", session_id=busy_group[0].pk)
    assert "les 0" in page.content.decode()


def test_write_page_with_a_long_question_log(world, crew, client_for, django_assert_max_num_queries):
    session = held_session(world.group, present=crew, presenters=[world.member])
    run = LiveRun.objects.create(session=session, presenter=world.member, method=Method.objects.first())
    Question.objects.bulk_create([Question(run=run, author=crew[2], text=f"Vraag {i}?") for i in range(20)])
    client = client_for(world.member)
    with django_assert_max_num_queries(12):
        page = _get(client, "reflections:write", session_id=session.pk)
    assert "Vraag 19?" in page.content.decode()


def test_detail_page(busy_group, world, client_for, django_assert_max_num_queries):
    mine = busy_group[0].reflections.get(author=world.member)
    client = client_for(world.member)
    with django_assert_max_num_queries(8):
        _get(client, "reflections:detail", reflection_id=mine.pk)


def test_followup_page(busy_group, world, client_for, django_assert_max_num_queries):
    session = next(s for s in busy_group if s.presenters.filter(user=world.member).exists())
    client = client_for(world.member)
    with django_assert_max_num_queries(10):
        _get(client, "reflections:followup", session_id=session.pk)
