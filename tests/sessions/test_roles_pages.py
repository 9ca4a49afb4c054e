"""The roles card on the session page and its one action (sessions:role_set), through the HTTP client."""

import pytest
from django.urls import reverse

from sessions.models import RSVP, SessionRole
from tests.factories import MembershipFactory, UserFactory
from tests.sessions.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(world):
    peers = [
        MembershipFactory(group=world.group, user=UserFactory(display_name=f"{n} Peer")).user for n in "ABC"
    ]
    session = SessionFactory(group=world.group)
    for user in (world.member, *peers):
        RSVP.objects.create(session=session, user=user, answer=RSVP.Answer.ATTEND)
    return session, peers


def _holder(session, key):
    from sessions import roles

    return next(s for s in roles.session_roles(session) if s.key == key).holder


def test_page_shows_each_role_and_its_proposed_holder(world, client_for, scene):
    session, peers = scene
    response = client_for(world.member).get(reverse("sessions:detail", args=[session.pk]))
    body = response.content.decode()
    assert 'id="roles-card"' in body
    for key in ("voorzitter", "tijdbewaker", "notulist"):
        assert f'data-role="{key}"' in body
        assert _holder(session, key).display_name in body
    assert "voorstel" in body


def test_holder_hands_over_in_place_and_a_stranger_to_the_role_is_refused(world, client_for, scene):
    session, peers = scene
    url = reverse("sessions:role_set", args=[session.pk])
    holder = _holder(session, "tijdbewaker")
    other = next(p for p in [world.member, *peers] if p != holder)
    response = client_for(holder).post(url, {"role": "tijdbewaker", "to": other.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'id="roles-card"' in response.content.decode()
    assert SessionRole.objects.get(session=session, key="tijdbewaker").user == other
    # The previous holder no longer holds it: handing it again is refused in place.
    response = client_for(holder).post(url, {"role": "tijdbewaker", "to": holder.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    body = response.content.decode()
    assert 'role="alert"' in body and "Alleen wie deze rol heeft" in body
    assert SessionRole.objects.get(session=session, key="tijdbewaker").user == other


def test_facilitator_assigns_without_htmx_and_bad_input_is_400(world, client_for, scene):
    session, peers = scene
    url = reverse("sessions:role_set", args=[session.pk])
    client = client_for(world.facilitator)
    response = client.post(url, {"role": "notulist", "to": peers[2].pk})
    assert response.status_code == 302 and response["Location"].endswith("#roles-card")
    assert SessionRole.objects.get(session=session, key="notulist").user == peers[2]
    response = client.post(url, {"role": "notulist", "to": world.outsider.pk})
    assert response.status_code == 400
    assert "Kies een deelnemer van deze groep." in response.content.decode()
    response = client.post(url, {"role": "", "to": "x"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and 'role="alert"' in response.content.decode()


def test_live_guide_names_the_role_holders_read_only(world, client_for, scene):
    session, peers = scene
    response = client_for(world.member).get(reverse("casussen:live", args=[session.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="live-roles"' in body
    assert _holder(session, "voorzitter").display_name in body
    assert "sessions/" not in body.split('id="live-roles"')[1].split("</ul>")[0]  # no forms, no links
