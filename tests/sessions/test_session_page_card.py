"""The RSVP card on the session page: the page's header already says when, so the card does not repeat the
date (a screen reader still hears it in the card's heading); answering in place keeps it that way. The
page reads the session once (the access check fetches it with what the page needs)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone

from tests.html import Element, tree
from tests.sessions.factories import SessionFactory

pytestmark = pytest.mark.django_db


def visible_text(element: Element) -> str:
    """The element's text without what only screen readers get (``visually-hidden``)."""
    parts = []
    for child in element.children:
        if isinstance(child, str):
            parts.append(child)
        elif "visually-hidden" not in (child.get("class") or "").split():
            parts.append(visible_text(child))
    return " ".join("".join(parts).split())


def day_in_words(session) -> str:
    return formats.date_format(timezone.localtime(session.starts_at), "l j F Y")


def test_the_card_does_not_repeat_the_date_but_names_it_for_screen_readers(world, client_for):
    session = SessionFactory(group=world.group)
    response = client_for(world.member).get(reverse("sessions:detail", kwargs={"session_id": session.pk}))
    assert response.status_code == 200
    soup = tree(response.content)
    day = day_in_words(session)
    card = soup.by_id(f"session-{session.pk}")
    assert day not in visible_text(card)
    assert session.group.name not in visible_text(card)
    heading = card.by_id(f"session-{session.pk}-rsvp-title")
    assert visible_text(heading) == "Kom je?"
    assert day in heading.text  # the accessible name still says which session
    assert day in soup.find("h1").text  # where the page says it
    main = soup.find("main") or soup
    assert visible_text(main).count(day) == 2  # the header and "Wanneer"; not a third time in the card
    assert card.find("input", name="in_page", value="1") is not None


def test_answering_in_place_keeps_the_page_card(world, client_for):
    session = SessionFactory(group=world.group)
    url = reverse("sessions:rsvp", kwargs={"session_id": session.pk})
    client = client_for(world.member)
    response = client.post(url, {"answer": "attend", "in_page": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    card = tree(response.content).by_id(f"session-{session.pk}")
    assert card.by_id(f"session-{session.pk}-rsvp-title") is not None
    assert day_in_words(session) not in visible_text(card)
    # Elsewhere ("Mijn bijeenkomsten") the card stays the whole card, with its date as the link.
    response = client.post(url, {"answer": "maybe"}, headers={"HX-Request": "true"})
    card = tree(response.content).by_id(f"session-{session.pk}")
    assert card.by_id(f"session-{session.pk}-rsvp-title") is None
    assert day_in_words(session) in visible_text(card.find("h2"))


def test_the_session_is_read_once(world, client_for):
    session = SessionFactory(group=world.group)
    client = client_for(world.member)
    url = reverse("sessions:detail", kwargs={"session_id": session.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    table = connection.ops.quote_name("meetings_session")
    loads = [q["sql"] for q in queries.captured_queries if f"FROM {table} " in q["sql"] + " "]
    loads = [sql for sql in loads if f'{table}."id" = {session.pk}' in sql]
    assert len(loads) == 1, loads
