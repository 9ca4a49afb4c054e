"""Every page of the permission matrix, as the first role that may see it, and the live guide's refusals:
no id twice, no ``hx-`` attribute that is not ``data-hx-``, no label pointing at nothing."""

import re

import pytest
from django.urls import reverse

from tests.casussen.factories import booked_casus, start_live
from tests.html import texts
from tests.permission_matrix import all_rows, markers, page_viewer, route
from tests.sessions.factories import SessionFactory
from tests.valid_html import html_problems

pytestmark = pytest.mark.django_db

HTMX = {"hx-request": "true"}
# Files, not pages: URLs ending in a file name or a format argument, and downloads.
FILES = re.compile(r"(\.(ics|csv|pdf|zip|json|%\(fmt\)s)|download/)$")


def _page_rows():
    """(row, role) for each GET row of a page that answers 200 to one of VIEWERS (the first)."""
    for row in all_rows():
        role = page_viewer(row)
        page = row.method == "get" and row.seen_as is None and not FILES.search(route(row.name))
        if page and role is not None:
            yield pytest.param(row, role, id=f"{row.id}[{role}]")


def test_the_check_finds_each_problem():
    html = (
        '<form><label for="id_text">Vraag</label><textarea id="id_text"></textarea></form>'
        '<form hx-post="/x"><label for="id_text">Onderwerp</label><input id="id_text">'
        '<label for="nowhere">Los</label></form>'
    )
    assert html_problems(html) == [
        "id 'id_text' 2 times",
        "<form hx-post> is not data-hx-*",
        "<label for='nowhere'> has no element",
    ]
    assert html_problems('<div data-hx-get="/x" id="a"><label for="a">A</label></div>') == []


@pytest.mark.parametrize(("row", "role"), list(_page_rows()))
def test_page_is_valid_html(row, role, world, client_for):
    markers.seed(world)
    response = client_for(getattr(world, role) if role != "anonymous" else None).get(
        reverse(row.name, kwargs=row.kwargs(world)),
        data=row.data(world),
        follow=True,  # old addresses too
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert html_problems(response.content.decode()) == []


@pytest.fixture
def running(world):
    session = SessionFactory(group=world.group)
    casus = booked_casus(session=session, author=world.facilitator)
    return start_live(session=session, casus=casus)


def test_live_page_and_its_refusals_are_valid_html(world, client_for, running):
    session_id = running.session_id
    client = client_for(world.member)
    page = client.get(reverse("casussen:live", kwargs={"session_id": session_id})).content.decode()
    assert html_problems(page) == []
    assert texts(page, "label", for_="id_question_text") == ["Jouw vraag*"]
    assert texts(page, "label", for_="id_parked_text") == ["Onderwerp voor de parkeerplaats*"]

    too_long = {"text": "x" * 1001}
    for name in ("question_add", "parked_add", "advice_add"):
        url = reverse(f"casussen:{name}", kwargs={"session_id": session_id})
        for headers in (HTMX, {}):
            data = {"text": "x" * 501} if name == "parked_add" else too_long
            response = client.post(url, data, headers=headers)
            assert response.status_code == 400, (name, headers)
            assert html_problems(response.content.decode()) == [], (name, headers)
