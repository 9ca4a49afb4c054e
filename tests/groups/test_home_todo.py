"""Home as a to-do list: the next session of each group first, then what waits for this person, each item
with the link where it is done (``groups/todo.py`` and the providers the higher apps register)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from casussen.models import Casus
from notifications.models import Alert
from reflections.models import FollowUp, Reflection
from sessions.models import RSVP, Presenter
from tests.casussen.factories import CasusFactory, booked_casus
from tests.html import attribute_values, texts
from tests.query_budgets.scene import reflection
from tests.sessions.factories import SessionFactory, held_session

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _item_links(html: str, kind: str) -> list[str]:
    """Where the links inside the ``data-todo=kind`` items lead."""
    links = []
    for chunk in html.split('data-todo="')[1:]:
        if chunk.startswith(f'{kind}"'):
            body = chunk.split("</li>", 1)[0]
            links += attribute_values(body, "a", "href")
    return links


def _session_at(group, local: datetime, **fields):
    start = local.replace(tzinfo=AMSTERDAM)
    return SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=2), **fields)


def test_the_next_session_comes_first_in_words_with_the_presenter_and_a_calm_count(world, client_for):
    start = (timezone.localtime() + timedelta(days=40)).replace(hour=14, minute=0, second=0, microsecond=0)
    session = _session_at(world.group, start.replace(tzinfo=None))
    _session_at(world.group, (start + timedelta(days=28)).replace(tzinfo=None))
    Presenter.objects.create(session=session, user=world.member, slot=1)
    RSVP.objects.create(session=session, user=world.member, answer=RSVP.Answer.ATTEND)
    RSVP.objects.create(session=session, user=world.facilitator, answer=RSVP.Answer.ATTEND)

    html = _home(client_for(world.member))
    [headline] = texts(html, "li", data_todo="next")
    day = {
        0: "maandag",
        1: "dinsdag",
        2: "woensdag",
        3: "donderdag",
        4: "vrijdag",
        5: "zaterdag",
        6: "zondag",
    }
    months = "januari februari maart april mei juni juli augustus september oktober november december"
    words = f"{day[start.weekday()]} {start.day} {months.split()[start.month - 1]} 14:00"
    assert headline.startswith(words)
    assert "jij brengt in" in headline and "2 van 3 aangemeld" in headline
    assert texts(html, "span", data_quorum="calm") == ["2 van 3 aangemeld"]
    assert _item_links(html, "next") == [reverse("sessions:detail", args=[session.pk])]


def test_the_quorum_warns_only_inside_the_groups_quorum_check(world, client_for):
    world.group.alert_quorum_days = 3
    world.group.save()
    soon = SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=2))
    RSVP.objects.create(session=soon, user=world.member, answer=RSVP.Answer.ATTEND)
    html = _home(client_for(world.member))
    assert texts(html, "span", data_quorum="warn") == ["1 van 3 nodig"]

    world.group.alert_quorum_days = 1
    world.group.save()
    html = _home(client_for(world.member))
    assert texts(html, "span", data_quorum="warn") == []
    assert texts(html, "span", data_quorum="calm") == ["1 van 3 aangemeld"]


def test_an_open_rsvp_leads_to_the_session(world, client_for):
    first = SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=10))
    SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=38))
    answered = SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=3))
    RSVP.objects.create(session=answered, user=world.member, answer=RSVP.Answer.MAYBE)

    html = _home(client_for(world.member))
    [item] = texts(html, "li", data_todo="rsvp")
    assert "Laat weten of je komt" in item and "en nog 1 bijeenkomst" in item
    assert _item_links(html, "rsvp") == [reverse("sessions:detail", args=[first.pk])]

    for session in (first, *first.group.sessions.exclude(pk__in=[first.pk, answered.pk])):
        RSVP.objects.create(session=session, user=world.member, answer=RSVP.Answer.ATTEND)
    assert texts(_home(client_for(world.member)), "li", data_todo="rsvp") == []


def test_a_booked_casus_a_presenter_slot_and_drafts_to_prepare(world, client_for):
    session = SessionFactory(group=world.group, presenter_slots=2)
    casus = booked_casus(session=session, author=world.member)
    slot_session = SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=30))
    Presenter.objects.create(session=slot_session, user=world.member, slot=1)
    draft = CasusFactory(group=world.group, author=world.member, status=Casus.Status.DRAFT, submitted_at=None)
    CasusFactory(group=world.group, author=world.facilitator, status=Casus.Status.DRAFT, submitted_at=None)

    html = _home(client_for(world.member))
    assert _item_links(html, "casus") == [reverse("casussen:detail", args=[casus.pk])]
    assert _item_links(html, "casus-write") == [
        reverse("casussen:create", kwargs={"group_id": world.group.pk})
    ]
    assert _item_links(html, "draft") == [reverse("casussen:edit", args=[draft.pk])]
    # The facilitator's own draft is theirs only.
    assert _item_links(_home(client_for(world.facilitator)), "draft") == [
        reverse("casussen:edit", args=[world.group.casussen.get(author=world.facilitator).pk])
    ]
    # No casus text on the home page.
    assert casus.title not in html


def test_a_reflection_is_due_only_in_its_window_for_those_who_were_there(world, client_for):
    recent = held_session(
        world.group, ended_ago=timedelta(days=2), present=[world.member], absent=[world.facilitator]
    )
    held_session(world.group, ended_ago=timedelta(days=20), present=[world.member])  # window closed

    html = _home(client_for(world.member))
    assert _item_links(html, "reflection") == [reverse("reflections:write", args=[recent.pk])]
    assert _item_links(_home(client_for(world.facilitator)), "reflection") == []

    reflection(recent, world.member)
    assert Reflection.objects.filter(session=recent, author=world.member).exists()
    assert _item_links(_home(client_for(world.member)), "reflection") == []


def test_an_open_follow_up_once_it_is_due(world, client_for):
    weeks = world.group.followup_weeks
    due = held_session(world.group, ended_ago=timedelta(weeks=weeks, days=1), present=[world.member])
    Presenter.objects.create(session=due, user=world.member, slot=1)
    not_yet = held_session(world.group, ended_ago=timedelta(days=3), present=[world.member])
    Presenter.objects.create(session=not_yet, user=world.member, slot=1)

    html = _home(client_for(world.member))
    assert _item_links(html, "followup") == [reverse("reflections:followup", args=[due.pk])]

    FollowUp.objects.create(session=due, presenter=world.member, outcome=FollowUp.Outcome.APPLIED)
    assert _item_links(_home(client_for(world.member)), "followup") == []


def test_open_alerts_for_the_facilitator_only(world, client_for):
    Alert.objects.create(
        group=world.group, rule=Alert.Rule.FADING, subject_key=f"user:{world.member.pk}", user=world.member,
        detail={"missed": 3, "of": 5, "in_a_row": 2},
    )  # fmt: skip
    Alert.objects.create(
        group=world.group, rule=Alert.Rule.BUSY, detail={"busy": 3, "declines": 4},
        opened_at=timezone.now() - timedelta(days=9), closed_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    Alert.objects.create(group=world.other_group, rule=Alert.Rule.BUSY, detail={"busy": 3, "declines": 4})

    html = _home(client_for(world.facilitator))
    assert _item_links(html, "alert") == [reverse("dashboards:group", kwargs={"group_id": world.group.pk})]
    [text] = texts(html, "li", data_todo="alert")
    assert text.startswith(f"{world.member.display_name} heeft 3 van de laatste 5 bijeenkomsten gemist.")
    assert _item_links(_home(client_for(world.member)), "alert") == []


def test_nothing_waiting_says_so(world, client_for):
    html = _home(client_for(world.member))
    assert texts(html, "p", data_todo="none") == ["Er staat niets voor je klaar. Fijn!"]
    assert _home(client_for(world.outsider)).count('data-todo="') == 1  # only "none": no groups of theirs
