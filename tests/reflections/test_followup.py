from datetime import timedelta

from django.urls import reverse

from reflections import selectors
from reflections.models import FollowUp
from tests.sessions.factories import held_session


def _url(session):
    return reverse("reflections:followup", kwargs={"session_id": session.pk})


def test_presenter_answers_after_the_group_setting_and_the_group_sees_it(world, crew, client_for):
    world.group.followup_weeks = 3
    world.group.save()
    early = held_session(world.group, ended_ago=timedelta(weeks=2), present=crew, presenters=[world.member])
    assert client_for(world.member).get(_url(early)).status_code == 403
    session = held_session(
        world.group, ended_ago=timedelta(weeks=3, hours=1), present=crew, presenters=[world.member]
    )
    assert [p.user for p in selectors.followup_pending(session)] == [world.member]
    client = client_for(world.member)
    response = client.post(_url(session), {"outcome": "partly", "what_changed": "Ik stel eerst een vraag"})
    assert response.status_code == 302
    assert selectors.followup_pending(session) == []
    # answering again updates, never duplicates
    client.post(_url(session), {"outcome": "applied", "what_changed": "Het werkt"})
    assert FollowUp.objects.get().outcome == "applied"
    page = client_for(crew[3]).get(reverse("reflections:group", kwargs={"group_id": world.group.pk}))
    assert "Het werkt" in page.content.decode()
    assert selectors.group_yield(world.group).answered == 1
    assert selectors.group_yield(world.group).applied == 1


def test_invalid_outcome_is_a_form_error_and_keeps_the_text(world, crew, client_for):
    session = held_session(world.group, ended_ago=timedelta(weeks=5), present=crew, presenters=[world.member])
    response = client_for(world.member).post(
        _url(session), {"outcome": "maybe", "what_changed": "Mijn tekst"}
    )
    assert response.status_code == 400
    assert "Mijn tekst" in response.content.decode()
    assert not FollowUp.objects.exists()


def test_other_members_cannot_answer(world, crew, client_for):
    session = held_session(world.group, ended_ago=timedelta(weeks=5), present=crew, presenters=[world.member])
    assert client_for(crew[2]).post(_url(session), {"outcome": "applied"}).status_code == 403
    assert not FollowUp.objects.exists()
