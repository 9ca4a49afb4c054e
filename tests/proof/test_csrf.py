"""CSRF is enforced on every POST in the URLconf: each POST row of the permission matrix, sent by a role
that may use it but without a CSRF token, is refused with a 403 and changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import allowed_role, diff, post_rows, snapshot

# The one-click e-mail link is deliberately csrf_exempt: the signed token in its URL is the credential
# (RFC 8058 one-click unsubscribe from mail clients). test_hostile_input fuzzes its token instead.
CSRF_EXEMPT = {"notifications:oneclick"}


def _cases():
    for row in post_rows():
        if row.name in CSRF_EXEMPT:
            continue
        yield pytest.param(row, allowed_role(row) or "member", id=row.id)


@pytest.mark.parametrize(("row", "role"), list(_cases()))
def test_post_without_csrf_token_is_refused(row, role, world, login_as):
    client = login_as(Client(enforce_csrf_checks=True), role)
    url = reverse(row.name, kwargs=row.kwargs(world))
    data = row.data(world)
    before = snapshot()
    response = client.post(url, data=data)
    assert response.status_code == 403, (row.id, role, response.status_code)
    assert diff(before, snapshot()) == {}


def test_csrf_walk_covers_every_post_row():
    names = {row.name for row in post_rows()}
    assert {"casussen:create", "sessions:rsvp", "groups:invite", "accounts:logout"} <= names


def test_post_with_a_valid_token_still_works(world, login_as):
    """The 403s above are CSRF and not something else: the same RSVP with the token goes through."""
    from tests.sessions.factories import SessionFactory

    client = login_as(Client(enforce_csrf_checks=True), "member")
    session = SessionFactory(group=world.group)
    page = client.get(reverse("sessions:detail", kwargs={"session_id": session.pk}))
    assert page.status_code == 200
    token = page.cookies["csrftoken"].value
    before = snapshot()
    response = client.post(
        reverse("sessions:rsvp", kwargs={"session_id": session.pk}),
        data={"answer": "attend", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert session.rsvps.filter(user=world.member, answer="attend").exists()
    assert diff(before, snapshot())["meetings.RSVP"] == (0, 1)  # the snapshot does see changes
