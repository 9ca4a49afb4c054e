"""Health signals on a seeded history: the wording and the trend."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from casussen.models import Casus, ParkedItem
from reflections import services
from reflections.health import group_health
from sessions.models import Session
from tests.sessions.factories import held_session

from .factories import decline, members, reflect


@pytest.fixture
def seeded(world):
    """Four weekly sessions, closed for reflections: attendance 6, 5, 4, 3 of 6 (the last one missed by
    people 3, 4, 5; the last two by 4 and 5; the last three by 5); depth 3,8 → 3,0; usefulness steady at 4;
    'te druk' dominates the declines; parked items 0 → 2; one casus ready in time (the first session's);
    two presenters due for follow-up, one answered."""
    group = world.group
    people = [world.facilitator, world.member, *members(group, 4)]
    world.extra["people"] = people
    sessions = []
    for i, days in enumerate((50, 43, 36, 29)):
        there = people[: 6 - i]
        away = people[6 - i :]
        sessions.append(
            held_session(
                group,
                ended_ago=timedelta(days=days),
                present=there,
                absent=away,
                presenters=there[1:2] if i < 2 else (),
            )
        )
    first, second, third, last = sessions
    for user, depth in zip(people, (4, 4, 4, 4, 4, 3), strict=True):
        reflect(first, user, 4, depth=depth)
    for user in people[:5]:
        reflect(second, user, 4, depth=4)
    for user in people[:4]:
        reflect(third, user, 4, depth=3)
    for user in people[:3]:
        reflect(last, user, 4, depth=3)
    decline(second, people[5])
    decline(third, people[4])
    decline(third, people[5])
    decline(last, people[3])
    decline(last, people[4], reason="sick")
    decline(last, people[5])
    ParkedItem.objects.create(session=third, text="Roosters")
    ParkedItem.objects.create(session=last, text="Budget")
    ParkedItem.objects.create(session=last, text="Nieuwe collega")
    Casus.objects.create(
        group=group,
        author=people[1],
        kernvraag="Hoe kan ik …?",
        status=Casus.Status.DISCUSSED,
        session=first,
        booked_at=first.starts_at - timedelta(days=5),
    )
    services.followup_answer(session=first, presenter=people[1], outcome="applied")
    upcoming = timezone.now() + timedelta(days=10)
    Session.objects.create(group=group, starts_at=upcoming, ends_at=upcoming + timedelta(hours=2))
    return sessions


def test_signals_in_words_with_their_trend(seeded, world):
    with translation.override("nl"):
        texts = {signal.key: (signal.level, signal.text) for signal in group_health(world.group)}
    # The attendance rules of groups/health.py: (5 + 4 + 3) / 18 = 67% over the last 3 is above the floor
    # of 60%, and 4 held sessions are too few for the relative rule.
    assert texts["trend"] == ("ok", "De opkomst van de laatste 3 bijeenkomsten is 67%.")
    people = world.extra["people"]
    fading = {key: value for key, value in texts.items() if key.startswith("fading:")}
    assert fading == {
        f"fading:user:{people[4].pk}": (
            "warn",
            f"{people[4].display_name} heeft 2 van de laatste 4 bijeenkomsten gemist.",
        ),
        f"fading:user:{people[5].pk}": (
            "warn",
            f"{people[5].display_name} heeft 3 van de laatste 4 bijeenkomsten gemist.",
        ),
    }  # people[3] missed one: not fading, and not listed
    assert texts["scale_depth"] == (
        "warn",
        "de diepgang van de vragen daalt: 3,8 → 3,0 over de laatste 4 bijeenkomsten",
    )
    assert texts["scale_usefulness"] == (
        "ok",
        "het nut voor de deelnemers blijft gelijk: 4,0 → 4,0 over de laatste 4 bijeenkomsten",
    )
    assert texts["busy"] == (
        "warn",
        "'Te druk' is de meest gegeven afmeldreden over de laatste 5 bijeenkomsten (5 van de 6 afmeldingen).",
    )
    assert texts["drift"] == (
        "warn",
        "het aantal werkoverleg-onderwerpen op de parkeerplaats stijgt: 0 → 2 "
        "over de laatste 4 bijeenkomsten",
    )
    assert texts["pipeline"] == (  # the last two sessions past their deadline had no casus by then
        "warn",
        "De laatste 2 bijeenkomsten hadden bij de voorbereidingstermijn nog geen casus.",
    )
    assert texts["pipeline_next"][0] == "info"
    assert texts["pipeline_next"][1].startswith("de volgende bijeenkomst (")
    assert texts["pipeline_next"][1].endswith(") heeft nog geen casus")
    assert texts["followup"] == (
        "ok",
        "follow-up: 1 van 2 inbrengers vertelden wat het advies opleverde; (deels) toegepast: 1",
    )


def test_trend_uses_only_published_sessions(seeded, world):
    """A newer session with two answers is not part of the trend (it would expose them)."""
    extra = held_session(world.group, ended_ago=timedelta(days=22), present=[world.facilitator, world.member])
    reflect(extra, world.member, 1)
    reflect(extra, world.facilitator, 1)
    with translation.override("nl"):
        texts = {signal.key: signal.text for signal in group_health(world.group)}
    assert texts["scale_depth"].endswith("3,8 → 3,0 over de laatste 4 bijeenkomsten")
    assert "1,0" not in " ".join(texts.values())


def test_too_few_published_sessions_says_so(world):
    people = [world.facilitator, world.member, *members(world.group, 2)]
    session = held_session(world.group, ended_ago=timedelta(days=20), present=people)
    for user in people[:3]:
        reflect(session, user, 4)
    with translation.override("nl"):
        texts = {signal.key: signal.text for signal in group_health(world.group)}
    assert texts["reflections"] == "te weinig reflecties om een trend te tonen"


def test_facilitator_sees_health_on_the_group_page_fragment(seeded, world, client_for):
    url = reverse("reflections:health", kwargs={"group_id": world.group.pk})
    group_page = client_for(world.facilitator).get(
        reverse("groups:detail", kwargs={"group_id": world.group.pk})
    )
    assert f'hx-get="{url}"' in group_page.content.decode()
    member_page = client_for(world.member).get(reverse("groups:detail", kwargs={"group_id": world.group.pk}))
    assert url not in member_page.content.decode()
    fragment = client_for(world.facilitator).get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body
    assert "De diepgang van de vragen daalt: 3,8 → 3,0 over de laatste 4 bijeenkomsten" in body
    assert "&#x27;Te druk&#x27; is de meest gegeven afmeldreden" in body
    assert client_for(world.member).get(url).status_code == 403
