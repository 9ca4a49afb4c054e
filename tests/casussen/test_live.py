import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from casussen import live, selectors
from casussen.models import Advice, Casus, LiveRun, ParkedItem, Question
from sessions.models import Method, MethodPhase
from tests.casussen.factories import held_today, start_live
from tests.html import attribute_values, texts, tree

pytestmark = pytest.mark.django_db


def _token(response) -> str:
    return re.search(r'data-token="([^"]+)"', response.content.decode()).group(1)


def _ends_at(response) -> str:
    return re.search(r'data-ends-at="(\d+)"', response.content.decode()).group(1)


def test_methods_ship_as_data():
    slugs = set(Method.objects.values_list("slug", flat=True))
    assert {
        "incidentmethode",
        "balint",
        "roddelmethode",
        "vijfstappen",
        "zesfasen",
        "tienstappen",
        "socratisch-gesprek",
        "peer-coaching-circle",
    } <= slugs
    incident = Method.objects.get(slug="incidentmethode")
    assert incident.total_minutes == 65
    assert [p.minutes for p in incident.phases.all()] == [5, 10, 5, 15, 10, 10, 10]
    questions = MethodPhase.objects.filter(kind="questions")
    assert questions.exists() and not questions.filter(show_prompts=False).exists()
    assert all(p.rule_nl and p.rule_en and p.name_en for p in MethodPhase.objects.all())


def test_facilitator_picks_the_method_per_session(world, client_for, session):
    balint = Method.objects.get(slug="balint")
    response = client_for(world.facilitator).post(
        reverse("casussen:session_method", kwargs={"session_id": session.pk}), {"method": balint.pk}
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.method == balint
    bad = client_for(world.facilitator).post(
        reverse("casussen:session_method", kwargs={"session_id": session.pk}), {"method": 999999}
    )
    assert bad.status_code == 400


def test_phase_change_is_seen_by_a_members_poll(world, client_for, booked):
    session = held_today(booked.session)
    facilitator = client_for(world.facilitator)
    response = facilitator.post(
        reverse("casussen:live_start", kwargs={"session_id": session.pk}), {"casus": booked.pk}
    )
    assert response.status_code == 302

    from django.test import Client

    member = Client()
    member.force_login(world.member)
    page = member.get(reverse("casussen:live", kwargs={"session_id": session.pk}))
    assert "Terugblik" in page.content.decode()
    token = _token(page)
    poll_url = reverse("casussen:poll", kwargs={"session_id": session.pk})
    unchanged = member.get(poll_url, {"v": token})
    assert unchanged.status_code == 204 and unchanged.content == b""
    not_modified = member.get(poll_url, headers={"if-none-match": f'"{token}"'})
    assert not_modified.status_code == 304

    facilitator.post(reverse("casussen:live_step", kwargs={"session_id": session.pk}), {"action": "next"})
    changed = member.get(poll_url, {"v": token})
    assert changed.status_code == 200
    body = changed.content.decode()
    assert "Inventariseren" in body and "fase 2 van 7" in body
    assert _token(changed) != token
    assert member.get(poll_url, {"v": _token(changed)}).status_code == 204


def test_member_cannot_change_the_phase(world, client_for, booked):
    run = start_live(session=booked.session, casus=booked)
    response = client_for(world.member).post(
        reverse("casussen:live_step", kwargs={"session_id": booked.session_id}), {"action": "next"}
    )
    assert response.status_code == 403
    run.refresh_from_db()
    assert run.phase_position == 1 and run.version == 1


def test_timer_is_kept_by_the_server_and_survives_a_reload(world, client_for, booked):
    start_live(session=booked.session, casus=booked)
    url = reverse("casussen:live", kwargs={"session_id": booked.session_id})
    first = client_for(world.member).get(url)
    again = client_for(world.facilitator).get(url)
    assert _ends_at(first) == _ends_at(again)
    client_for(world.facilitator).post(
        reverse("casussen:live_step", kwargs={"session_id": booked.session_id}), {"action": "extend"}
    )
    extended = client_for(world.member).get(url)
    assert int(_ends_at(extended)) - int(_ends_at(first)) == 5 * 60 * 1000


def test_back_and_bad_steps(world, client_for, booked):
    start_live(session=booked.session, casus=booked)
    url = reverse("casussen:live_step", kwargs={"session_id": booked.session_id})
    client = client_for(world.facilitator)
    assert client.post(url, {"action": "back"}, headers={"hx-request": "true"}).status_code == 400
    assert client.post(url, {"action": "explode"}, headers={"hx-request": "true"}).status_code == 400
    client.post(url, {"action": "next"})
    client.post(url, {"action": "back"})
    assert LiveRun.objects.get().phase_position == 1


def test_question_phase_shows_prompts_and_the_log(world, client_for, booked):
    run = start_live(session=booked.session, casus=booked)
    for _ in range(3):
        run = live.live_step(run=run, action="next")
    assert run.phase_position == 4  # Vragen
    client = client_for(world.member)
    client.post(
        reverse("casussen:question_add", kwargs={"session_id": booked.session_id}),
        {"text": "Wat maakt dit voor jou lastig?"},
    )
    page = client.get(reverse("casussen:live", kwargs={"session_id": booked.session_id}))
    body = page.content.decode()
    assert "Welke vraag hoop je dat we níet stellen?" in body
    assert "Wat maakt dit voor jou lastig?" in body
    assert [q.text for q in selectors.question_log(booked.session)] == ["Wat maakt dit voor jou lastig?"]


def test_only_the_presenter_marks_questions(world, client_for, booked, presenter):
    run = start_live(session=booked.session, casus=booked)
    question = live.question_add(run=run, author=world.member, text="Waar ben je bang voor?")
    url = reverse(
        "casussen:question_mark", kwargs={"session_id": booked.session_id, "question_id": question.pk}
    )
    assert client_for(world.member).post(url).status_code == 403
    assert client_for(world.facilitator).post(url).status_code == 403
    assert client_for(presenter).post(url, {"opened_eyes": "1"}).status_code == 302
    question.refresh_from_db()
    assert question.opened_eyes is True


def test_one_advice_per_member_shown_to_the_presenter_afterwards(world, client_for, booked, presenter):
    run = start_live(session=booked.session, casus=booked)
    url = reverse("casussen:advice_add", kwargs={"session_id": booked.session_id})
    client_for(world.member).post(url, {"text": "Eerste advies"})
    client_for(world.member).post(url, {"text": "Bel de ouder morgen terug."})
    assert list(Advice.objects.values_list("text", flat=True)) == ["Bel de ouder morgen terug."]
    assert (
        client_for(presenter).post(url, {"text": "Zelf"}, headers={"hx-request": "true"}).status_code == 400
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Advice.objects.create(run=run, author=world.member, text="Nog een")

    detail_url = reverse("casussen:detail", kwargs={"casus_id": booked.pk})
    assert "Bel de ouder" not in client_for(presenter).get(detail_url).content.decode()  # not during the run
    live.live_step(run=run, action="finish")
    assert Casus.objects.get(pk=booked.pk).status == Casus.Status.DISCUSSED
    assert "Bel de ouder morgen terug." in client_for(presenter).get(detail_url).content.decode()
    assert "Bel de ouder" not in client_for(world.member).get(detail_url).content.decode()


def test_parkeerplaats_items_are_counted_per_session(world, client_for, booked):
    url = reverse("casussen:parked_add", kwargs={"session_id": booked.session_id})
    client_for(world.member).post(url, {"text": "Rooster van de zomer"})
    client_for(world.facilitator).post(url, {"text": "Nieuwe printer"})
    assert client_for(world.member).post(url, {"text": ""}, headers={"hx-request": "true"}).status_code == 400
    assert selectors.parked_counts([booked.session_id]) == {booked.session_id: 2}
    page = client_for(world.member).get(reverse("sessions:detail", kwargs={"session_id": booked.session_id}))
    parked = tree(page.content).by_id("parked-items")
    assert [item.text.split(" – ")[0] for item in parked.find_all("li")] == [
        "Rooster van de zomer",
        "Nieuwe printer",
    ]  # listed for the work meeting, off the live page
    assert ParkedItem.objects.count() == 2


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "no-js"])
def test_question_needs_a_running_session(world, client_for, session, htmx):
    """Refused at the field, with the typed question still in it (for htmx the form replaces itself)."""
    url = reverse("casussen:question_add", kwargs={"session_id": session.pk})
    headers = {"hx-request": "true"} if htmx else {}
    response = client_for(world.member).post(url, {"text": "Vraag over de rol"}, headers=headers)
    assert response.status_code == 409
    if htmx:
        assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#question-form", "outerHTML")
    body = response.content.decode()
    assert texts(body, "textarea", id="id_question_text") == ["Vraag over de rol"]
    assert attribute_values(body, "textarea", "aria-invalid") == ["true"]
    assert attribute_values(body, "textarea", "aria-describedby") == ["id_question_text_error"]
    assert "geen bespreking" in texts(body, "div", id="id_question_text_error")[0]
    assert not Question.objects.exists()
