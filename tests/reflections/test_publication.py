"""When a session's reflections show: the one rule (``selectors.withheld_reason``) at its boundary, and what
the pages say in each case: too few answers, enough answers in a round that is still open (the averages
appear later, not "te weinig reflecties"), published."""

import pytest
from django.urls import reverse

from reflections import selectors
from reflections.selectors import MIN_ANSWERS, Withheld
from tests.html import tree
from tests.reflections.factories import reflect

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("answers", "is_final", "expected"),
    [
        (MIN_ANSWERS - 1, True, Withheld.TOO_FEW),
        (MIN_ANSWERS - 1, False, Withheld.TOO_FEW),
        (MIN_ANSWERS, False, Withheld.OPEN),
        (MIN_ANSWERS, True, None),
    ],
)
def test_the_publication_rule_at_its_boundary(answers, is_final, expected):
    assert selectors.withheld_reason(answers=answers, is_final=is_final) == expected


def _withheld(client, session) -> set[str]:
    """The data-withheld values on the session's reflections page and on the session page."""
    pages = (
        reverse("reflections:session", kwargs={"session_id": session.pk}),
        reverse("sessions:detail", kwargs={"session_id": session.pk}),
    )
    found = set()
    for url in pages:
        root = tree(client.get(url).content)
        found |= {element["data-withheld"] for element in root.find_all(data_withheld=True)}
    return found


def test_three_answers_in_an_open_round_are_not_too_few(open_session, crew, world, client_for):
    client = client_for(world.facilitator)
    for user in crew[2 : 2 + MIN_ANSWERS - 1]:
        reflect(open_session, user)
    assert _withheld(client, open_session) == {"too_few"}
    reflect(open_session, crew[2 + MIN_ANSWERS - 1])
    publication = selectors.session_publications([open_session.pk])[open_session.pk]
    assert (publication.answers, publication.withheld) == (MIN_ANSWERS, Withheld.OPEN)
    assert publication.closes_at == selectors.reflection_closes_at(open_session)
    assert _withheld(client, open_session) == {"open"}


def test_three_answers_in_a_closed_round_are_published(closed_window_session, crew, world, client_for):
    for user in crew[2 : 2 + MIN_ANSWERS]:
        reflect(closed_window_session, user)
    publication = selectors.session_publications([closed_window_session.pk])[closed_window_session.pk]
    assert publication.withheld is None and publication.aggregate.answers == MIN_ANSWERS
    client = client_for(world.facilitator)
    assert _withheld(client, closed_window_session) == {""}  # the session page's count line, nothing withheld
    group_page = tree(client.get(reverse("reflections:group", kwargs={"group_id": world.group.pk})).content)
    row = group_page.find("tr", data_session=str(closed_window_session.pk))
    assert row.find(data_withheld=True) is None


def test_the_group_page_row_of_an_open_round_says_it_is_open(open_session, crew, world, client_for):
    for user in crew[2 : 2 + MIN_ANSWERS]:
        reflect(open_session, user)
    page = client_for(world.member).get(reverse("reflections:group", kwargs={"group_id": world.group.pk}))
    row = tree(page.content).find("tr", data_session=str(open_session.pk))
    assert row.find(data_withheld=True)["data-withheld"] == "open"
