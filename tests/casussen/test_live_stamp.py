"""The live poll answered from the cache: an unchanged poll costs no query, every change is seen, and the
cache never widens access (a login must have passed the full check; logged-out or removed members do not
get answers once their recent check lapsed; a broken cache falls back to the database)."""

import re
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from casussen import live, live_stamp
from groups.models import Membership
from groups.services import membership_deactivate
from tests.casussen.factories import start_live

pytestmark = pytest.mark.django_db


def _token(response) -> str:
    return re.search(r'data-token="([^"]+)"', response.content.decode()).group(1)


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _poll(client, session, token=""):
    return client.get(reverse("casussen:poll", kwargs={"session_id": session.pk}), {"v": token})


@pytest.fixture
def running(world, booked):
    run = start_live(session=booked.session, casus=booked)
    member = _login(world.member)
    token = _token(_poll(member, booked.session, "0"))
    return run, member, token


@pytest.mark.redis  # the login session comes from Redis (accounts.session_store), not the database
def test_unchanged_poll_is_answered_without_queries(running, booked, django_assert_num_queries):
    _, member, token = running
    with django_assert_num_queries(0):
        assert _poll(member, booked.session, token).status_code == 204
    with django_assert_num_queries(0):
        response = member.get(
            reverse("casussen:poll", kwargs={"session_id": booked.session_id}),
            headers={"if-none-match": f'"{token}"'},
        )
    assert response.status_code == 304


def test_every_change_is_seen_by_the_next_poll(world, running, booked):
    run, member, token = running
    changes = [
        lambda: live.question_add(run=run, author=world.member, text="Wat wil je bereiken?"),
        lambda: live.live_step(run=run, action="next"),
        lambda: live.live_step(run=run, action="extend"),
        lambda: live.parked_add(session=booked.session, author=world.member, text="Roosteroverleg"),
        lambda: live.live_step(run=run, action="finish"),
    ]
    for change in changes:
        change()
        response = _poll(member, booked.session, token)
        assert response.status_code == 200
        assert _token(response) != token
        token = _token(response)
        assert _poll(member, booked.session, token).status_code == 204


def test_a_change_bumps_the_stamp_again_after_its_commit(running, booked, django_capture_on_commit_callbacks):
    run, _, _ = running
    before = int(live_stamp.current_stamp(booked.session_id))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        live.live_step(run=run, action="next")
    assert int(live_stamp.current_stamp(booked.session_id)) == before + 1
    for callback in callbacks:
        callback()
    assert int(live_stamp.current_stamp(booked.session_id)) == before + 2


def test_a_lost_stamp_never_comes_back_with_an_old_value(running, booked):
    _, member, token = running
    cache.delete(f"live:stamp:{booked.session_id}")
    assert live_stamp.current_stamp(booked.session_id) != token
    response = _poll(member, booked.session, token)
    assert response.status_code == 200 and _token(response) != token


def test_logged_out_device_is_sent_to_login(running, booked):
    _, member, token = running
    member.logout()
    response = _poll(member, booked.session, token)
    assert response.status_code == 302 and "/account/inloggen/" in response["Location"]


def test_outsider_with_a_valid_token_gets_nothing(world, running, booked):
    _, _, token = running
    outsider = _login(world.outsider)
    assert _poll(outsider, booked.session, token).status_code in (403, 404)
    assert _poll(outsider, booked.session, token).status_code in (403, 404)


def test_removed_member_is_refused_once_the_recent_check_lapsed(world, running, booked):
    _, member, token = running
    membership_deactivate(membership=Membership.objects.get(group=world.group, user=world.member))
    assert _poll(member, booked.session, token).status_code == 204  # "nothing changed", no content
    _forget_recent_check(member, booked.session_id)
    assert _poll(member, booked.session, token).status_code in (403, 404)


def test_a_broken_cache_falls_back_to_the_database(world, booked, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens here
        }
    }
    run = start_live(session=booked.session, casus=booked)
    member = _login(world.member)
    first = _poll(member, booked.session, "0")
    assert first.status_code == 200
    token = _token(first)
    assert token.startswith("d")
    assert _poll(member, booked.session, token).status_code == 204
    live.live_step(run=run, action="next")
    changed = _poll(member, booked.session, token)
    assert changed.status_code == 200 and _token(changed) != token


def _forget_recent_check(client, session_id):
    """What ACCESS_SECONDS passing does to this login's cached check."""
    cache.delete(live_stamp._access_key(session_id, SimpleNamespace(session=client.session)))


def test_sessions_kept_only_in_the_database_are_read_through_their_store(
    world, booked, settings, django_assert_num_queries
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.db"
    start_live(session=booked.session, casus=booked)
    member = _login(world.member)
    token = _token(_poll(member, booked.session, "0"))
    with django_assert_num_queries(1):  # the login session; stamp and access mark from the cache
        assert _poll(member, booked.session, token).status_code == 204
    member.logout()
    assert _poll(member, booked.session, token).status_code == 302
