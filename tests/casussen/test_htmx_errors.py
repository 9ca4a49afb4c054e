"""What the htmx endpoints of casussen answer when they refuse: the form again with the error in it and the
typed text (a 4xx the page's script swaps in), never a bare 404 for something the author may see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casussen import live, services
from casussen.models import Casus
from tests.casussen.factories import CasusFactory, booked_casus
from tests.factories import MembershipFactory
from tests.html import attribute_values, texts
from tests.sessions.factories import SessionFactory

pytestmark = pytest.mark.django_db

HTMX = {"hx-request": "true"}


def _today_session(group, **kwargs):
    starts = (timezone.now() + timedelta(minutes=5)).replace(second=0, microsecond=0)
    return SessionFactory(group=group, starts_at=starts, **kwargs)


def test_autosave_of_a_draft_submitted_meanwhile_says_so(world, client_for):
    draft = CasusFactory(group=world.group, author=world.member, status=Casus.Status.DRAFT, submitted_at=None)
    services.casus_submit(casus=draft)
    url = reverse("casussen:autosave", kwargs={"group_id": world.group.pk})
    data = {"casus_id": draft.pk, "title": "Nieuw", "situatie": "Nieuwe tekst", "kernvraag": "Hoe kan ik?"}
    response = client_for(world.member).post(url, data, headers=HTMX)
    assert response.status_code == 409
    body = response.content.decode()
    assert "al ingediend" in texts(body, "span", data_autosave="refused")[0]
    assert attribute_values(body, "a", "href") == [reverse("casussen:edit", kwargs={"casus_id": draft.pk})]
    draft.refresh_from_db()
    assert draft.situatie != "Nieuwe tekst"


def test_autosave_of_someone_elses_casus_stays_a_404(world, client_for):
    theirs = CasusFactory(group=world.group, author=world.facilitator)
    other_group = CasusFactory(group=world.other_group, author=world.member)
    url = reverse("casussen:autosave", kwargs={"group_id": world.group.pk})
    for casus_id in (theirs.pk, other_group.pk, "12a"):
        response = client_for(world.member).post(url, {"casus_id": casus_id, "title": "x"}, headers=HTMX)
        assert response.status_code == 404, casus_id


def test_start_without_a_werkvorm_is_refused_in_the_start_form(world, client_for):
    session = _today_session(world.group, method=None)
    casus = booked_casus(session=session, author=MembershipFactory(group=world.group).user)
    url = reverse("casussen:live_start", kwargs={"session_id": session.pk})
    for headers in (HTMX, {}):
        response = client_for(world.facilitator).post(url, {"casus": casus.pk}, headers=headers)
        assert response.status_code == 400
        body = response.content.decode()
        assert "Kies eerst een werkvorm" in texts(body, "form", id="live-start-form")[0]
        assert texts(body, "div", role="alert") == ["Kies eerst een werkvorm voor deze bijeenkomst."]


def test_too_long_advice_comes_back_in_the_advice_form(world, client_for):
    session = _today_session(world.group)
    run = live.live_start(session=session, casus=booked_casus(session=session, author=world.facilitator))
    while run.method.phases.get(position=run.phase_position).kind != "advice":
        run = live.live_step(run=run, action="next")
    url = reverse("casussen:advice_add", kwargs={"session_id": session.pk})
    response = client_for(world.member).post(url, {"text": "Doe het anders. " * 70}, headers=HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert texts(body, "textarea", id="advice-text") == [("Doe het anders. " * 70).strip()]
    assert attribute_values(body, "textarea", "aria-invalid") == ["true"]
    assert "1000" in texts(body, "div", id="advice-error")[0]
