"""'Reflectie schrijven' next to a past session on Mijn bijeenkomsten: for an attendee who has not written it
while the round is open, and for nobody else; a fixed number of queries for a page of sessions."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.html import tree
from tests.reflections.factories import reflect
from tests.sessions.factories import held_session

pytestmark = pytest.mark.django_db


def _links(client) -> dict[str, list[str]]:
    root = tree(client.get(reverse("sessions:mine")).content)
    return {
        row["data-session"]: [link["href"] for link in row.find_all("a", data_link="reflection-write")]
        for row in root.find_all("tr", data_session=True)
    }


def test_write_link_for_attendees_who_have_not_written(world, client_for):
    attended = held_session(world.group, present=[world.member, world.facilitator])
    written = held_session(world.group, present=[world.member], ended_ago=timedelta(days=1))
    reflect(written, world.member)
    absent = held_session(
        world.group, present=[world.facilitator], absent=[world.member], ended_ago=timedelta(days=2)
    )
    closed = held_session(world.group, present=[world.member], ended_ago=timedelta(days=20))
    links = _links(client_for(world.member))
    assert links[str(attended.pk)] == [reverse("reflections:write", kwargs={"session_id": attended.pk})]
    assert links[str(written.pk)] == [] and links[str(absent.pk)] == [] and links[str(closed.pk)] == []


def test_write_links_take_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.member)
    held_session(world.group, present=[world.member])
    client.get(reverse("sessions:mine"))
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("sessions:mine"))
    for days in range(1, 9):
        held_session(world.group, present=[world.member], ended_ago=timedelta(days=days))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(_links(client)) == 9
