"""Confidential answers to a logged-in user carry ``Cache-Control: private, no-store``
(intervisie/cache_headers.py); the calendar feed keeps its own ETag caching and its 304s."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.cache import get_max_age

from casussen.models import LiveRun, Method
from sessions.models import RSVP
from tests.casussen.factories import CasusFactory
from tests.reflections.factories import reflect
from tests.sessions.factories import SessionFactory, held_session

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    header = response.headers.get("Cache-Control", "")
    return {part.strip().split("=")[0].lower() for part in header.split(",") if part.strip()}


@pytest.fixture
def pages(world):
    """URL names and kwargs of the member's confidential pages, downloads included."""
    casus = CasusFactory(group=world.group, author=world.member)
    session = SessionFactory(group=world.group)
    RSVP.objects.create(session=session, user=world.member, answer="attend")
    held = held_session(world.group, present=[world.member, world.facilitator], ended_ago=timedelta(days=20))
    reflection = reflect(held, world.member, takeaway="Eerst doorvragen")
    return [
        ("casussen:detail", {"casus_id": casus.pk}),
        ("casussen:queue", {"group_id": world.group.pk}),
        ("casussen:history", {"group_id": world.group.pk}),
        ("sessions:detail", {"session_id": session.pk}),  # casussen:session redirects here
        ("sessions:detail", {"session_id": held.pk}),
        ("sessions:download", {"session_id": session.pk}),  # the session's .ics
        ("sessions:mine", {}),
        ("reflections:session", {"session_id": held.pk}),
        ("reflections:detail", {"reflection_id": reflection.pk}),
        ("reflections:group", {"group_id": world.group.pk}),
        ("reflections:learning_log", {}),
        ("reflections:learning_log_csv", {}),
        ("privacy:export", {}),
        ("privacy:casus_access", {"casus_id": casus.pk}),
        ("dashboards:my_accreditation", {}),
        ("dashboards:my_accreditation_file", {"fmt": "csv"}),
        ("accounts:profile", {}),
    ]


def test_every_confidential_answer_to_a_logged_in_user_is_private_and_not_stored(world, client_for, pages):
    client = client_for(world.member)
    for name, kwargs in pages:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, name
        assert {"private", "no-store"} <= directives(response), (name, response.headers.get("Cache-Control"))
        assert "public" not in directives(response) and not get_max_age(response), name


def test_a_refusal_to_a_logged_in_user_is_not_stored_either(world, client_for, pages):
    casus = CasusFactory(group=world.group, author=world.facilitator)
    response = client_for(world.admin).get(reverse("casussen:detail", kwargs={"casus_id": casus.pk}))
    assert response.status_code == 403
    assert {"private", "no-store"} <= directives(response)


def test_the_live_guide_keeps_its_etag_and_no_cache_and_adds_no_store(world, client_for):
    from tests.casussen.factories import booked_casus, held_today

    session = SessionFactory(group=world.group)
    casus = booked_casus(session=session, author=world.member)
    held_today(session)  # the live guide starts on the session's day
    facilitator = client_for(world.facilitator)
    facilitator.post(reverse("casussen:live_start", kwargs={"session_id": session.pk}), {"casus": casus.pk})
    assert LiveRun.objects.filter(session=session).exists() and Method.objects.exists()
    poll = reverse("casussen:poll", kwargs={"session_id": session.pk})
    response = facilitator.get(poll)
    assert response.status_code == 200 and response.has_header("ETag")
    assert {"private", "no-cache", "no-store"} <= directives(response)
    token = response["ETag"].strip('"')
    unchanged = facilitator.get(poll, {"v": token})
    assert unchanged.status_code == 204  # bodiless: answered from the cache, left alone
    assert "no-store" not in directives(unchanged)


@pytest.mark.parametrize("logged_in", [False, True], ids=["calendar-app", "logged-in-browser"])
def test_the_feed_keeps_its_etag_caching_and_its_304(world, client_for, logged_in):
    SessionFactory(group=world.group)
    client = client_for(world.member if logged_in else None)
    url = reverse("sessions:feed", kwargs={"token": world.member.feed_token})
    first = client.get(url)
    assert first.status_code == 200 and first.has_header("ETag")
    assert {"private", "no-cache"} <= directives(first)
    # A calendar app (no login) may keep the feed and revalidate it (the middleware adds nothing without a
    # login); a logged-in browser keeps no copy.
    assert ("no-store" in directives(first)) is logged_in
    again = client.get(url, headers={"if-none-match": first["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert {"private", "no-cache"} <= directives(again)
