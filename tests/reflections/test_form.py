"""The reflection form over HTTP: out-of-range scores, double submission, who may write and when."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from reflections.models import Reflection
from reflections.services import ReflectionError, reflection_submit
from tests.sessions.factories import held_session

from .factories import reflect, scores

VALID = {**scores(4), "takeaway": "Doorvragen loont", "share_takeaway": "on"}


def _write_url(session):
    return reverse("reflections:write", kwargs={"session_id": session.pk})


def test_form_renders_radio_buttons_and_posting_it_back_saves(open_session, crew, client_for):
    client = client_for(crew[2])
    page = client.get(_write_url(open_session)).content.decode()
    assert page.count('type="radio"') == 6 * 5
    assert "advice_fit" not in page  # not the presenter
    response = client.post(_write_url(open_session), VALID)
    assert response.status_code == 302
    reflection = Reflection.objects.get(session=open_session, author=crew[2])
    assert (reflection.depth, reflection.takeaway, reflection.share_takeaway) == (4, "Doorvragen loont", True)


@pytest.mark.parametrize("bad", ["0", "6", "-1", "9", "drie", ""])
def test_out_of_range_score_is_a_form_error_and_keeps_what_was_typed(open_session, crew, client_for, bad):
    response = client_for(crew[2]).post(_write_url(open_session), {**VALID, "depth": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Kies een score van 1 tot 5." in page
    assert 'value="Doorvragen loont"' in page
    assert not Reflection.objects.exists()


def test_presenter_gets_two_more_questions(open_session, world, client_for):
    client = client_for(world.member)  # the presenter
    page = client.get(_write_url(open_session)).content.decode()
    assert page.count('type="radio"') == 7 * 5
    assert "Welke vraag opende mijn ogen?" in page
    response = client.post(_write_url(open_session), {**VALID, "eye_opener": "Wat wil jij zelf?"})
    assert response.status_code == 400  # advice_fit is required for the presenter
    response = client.post(
        _write_url(open_session), {**VALID, "advice_fit": "5", "eye_opener": "Wat wil jij zelf?"}
    )
    assert response.status_code == 302
    reflection = Reflection.objects.get(author=world.member)
    assert (reflection.as_presenter, reflection.advice_fit, reflection.eye_opener) == (
        True,
        5,
        "Wat wil jij zelf?",
    )


def test_presenter_fields_from_a_non_presenter_are_ignored(open_session, crew, client_for):
    client_for(crew[3]).post(_write_url(open_session), {**VALID, "advice_fit": "1", "eye_opener": "x"})
    reflection = Reflection.objects.get(author=crew[3])
    assert (reflection.as_presenter, reflection.advice_fit, reflection.eye_opener) == (False, None, "")


def test_double_submission_keeps_one(open_session, crew, client_for):
    client = client_for(crew[2])
    first = client.post(_write_url(open_session), VALID)
    second = client.post(_write_url(open_session), {**VALID, **scores(1)})
    assert first.status_code == second.status_code == 302
    assert Reflection.objects.filter(session=open_session, author=crew[2]).count() == 1
    assert Reflection.objects.get(author=crew[2]).usefulness == 4  # the first one counts
    follow = client.get(second["Location"]).content.decode()
    assert "Je hebt je reflectie voor deze bijeenkomst al ingevuld." in follow


def test_database_constraint_refuses_a_second_row(open_session, crew):
    reflect(open_session, crew[2])
    with pytest.raises(IntegrityError), transaction.atomic():
        Reflection.objects.create(session=open_session, author=crew[2], **scores(3))
    assert Reflection.objects.filter(author=crew[2]).count() == 1


@pytest.mark.parametrize("field", ["usefulness", "safety", "time_well_used"])
def test_database_constraint_refuses_out_of_range(open_session, crew, field):
    with pytest.raises(IntegrityError), transaction.atomic():
        Reflection.objects.create(session=open_session, author=crew[2], **scores(3, **{field: 6}))


def test_service_reports_a_lost_race_as_already(open_session, crew, monkeypatch):
    """Two requests pass the "not yet written" check together; the constraint decides, the loser is told."""
    from reflections import services

    reflect(open_session, crew[2])
    monkeypatch.setattr(services, "reflection_check_can_write", lambda **kwargs: None)
    with pytest.raises(ReflectionError) as error:
        reflection_submit(session=open_session, author=crew[2], scores=scores(2))
    assert error.value.code == ReflectionError.ALREADY
    assert Reflection.objects.filter(author=crew[2]).count() == 1


def test_only_attendees_write(world, crew, client_for):
    session = held_session(world.group, present=crew[:3], absent=crew[3:])
    assert client_for(crew[4]).get(_write_url(session)).status_code == 403
    response = client_for(crew[4]).post(_write_url(session), VALID)
    assert response.status_code == 403
    assert "Alleen wie aanwezig was" in response.content.decode()
    assert not Reflection.objects.exists()


def test_planned_session_is_not_open(world, crew, client_for):
    session = held_session(world.group, present=crew)
    session.status = "planned"
    session.save()
    assert client_for(crew[1]).post(_write_url(session), VALID).status_code == 403
    assert not Reflection.objects.exists()


def test_window_closes_after_fourteen_days(world, crew, client_for):
    session = held_session(world.group, ended_ago=timedelta(days=14, minutes=1), present=crew)
    response = client_for(crew[1]).post(_write_url(session), VALID)
    assert response.status_code == 403
    assert "gesloten" in response.content.decode()
    fresh = held_session(world.group, ended_ago=timedelta(days=13, hours=23), present=crew)
    assert client_for(crew[1]).post(_write_url(fresh), VALID).status_code == 302


def test_presenter_picks_the_eye_opener_from_the_question_log(open_session, world, crew, client_for):
    from casussen.models import LiveRun, Question
    from sessions.models import Method

    run = LiveRun.objects.create(session=open_session, presenter=world.member, method=Method.objects.first())
    question = Question.objects.create(run=run, author=crew[2], text="Wat maakt dit zo moeilijk voor jou?")
    other_group_session = held_session(world.other_group, present=[world.outsider])
    other_run = LiveRun.objects.create(
        session=other_group_session, presenter=world.outsider, method=Method.objects.first()
    )
    foreign = Question.objects.create(run=other_run, text="Vraag uit een andere groep")
    client = client_for(world.member)
    page = client.get(_write_url(open_session)).content.decode()
    assert "Wat maakt dit zo moeilijk voor jou?" in page
    assert "Vraag uit een andere groep" not in page
    response = client.post(
        _write_url(open_session), {**VALID, "advice_fit": "4", "eye_opener_question": foreign.pk}
    )
    assert response.status_code == 400  # a tampered id is a form error, not a leak or a 500
    response = client.post(
        _write_url(open_session),
        {**VALID, "advice_fit": "4", "eye_opener_question": question.pk, "eye_opener": "x"},
    )
    assert response.status_code == 400  # both picked and typed
    assert 'value="Doorvragen loont"' in response.content.decode()
    response = client.post(
        _write_url(open_session), {**VALID, "advice_fit": "4", "eye_opener_question": question.pk}
    )
    assert response.status_code == 302
    reflection = Reflection.objects.get(author=world.member)
    assert reflection.eye_opener_text == "Wat maakt dit zo moeilijk voor jou?"
    question.delete()  # the casus retention purge deletes the log: the pick goes with it
    reflection.refresh_from_db()
    assert (reflection.eye_opener_question, reflection.eye_opener_text) == (None, "")
