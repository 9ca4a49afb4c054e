"""The live guide starts only on the session's day (Europe/Amsterdam) or later, and never for a cancelled
session: ``sessions.services.live_start_check`` decides, ``casussen.live.live_start`` asks it, and the
start button's answer names the day in words."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from casussen import live
from casussen.models import LiveRun
from casussen.services import CasusError
from sessions import services
from sessions.models import Session
from tests.casussen.factories import booked_casus
from tests.factories import MembershipFactory
from tests.html import texts

from .factories import SessionFactory

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
DAYS = ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"]
MONTHS = [
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
]  # fmt: skip


def _in_words(day, today) -> str:
    words = f"{DAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"
    return words if day.year == today.year else f"{words} {day.year}"


def _session_at(world, local: datetime) -> Session:
    return SessionFactory(group=world.group, starts_at=local, ends_at=local + timedelta(hours=2))


def test_the_check_refuses_every_day_before_and_allows_the_day_itself(world):
    session = _session_at(world, datetime(2027, 1, 5, 14, 0, tzinfo=AMS))  # a Tuesday
    for now, allowed in [
        (datetime(2026, 12, 30, 14, 0, tzinfo=AMS), False),  # six days before
        (datetime(2027, 1, 4, 23, 59, tzinfo=AMS), False),  # the evening before, Amsterdam time
        (datetime(2027, 1, 4, 23, 30, tzinfo=ZoneInfo("UTC")), True),  # 00:30 on the day in Amsterdam
        (datetime(2027, 1, 5, 8, 0, tzinfo=AMS), True),  # the morning of the day, before the start
        (datetime(2027, 1, 8, 8, 0, tzinfo=AMS), True),  # later
    ]:
        assert services.may_start_live(session, now) is allowed, now
    with pytest.raises(services.SessionError) as raised:
        services.live_start_check(session=session, now=datetime(2026, 12, 30, 14, 0, tzinfo=AMS))
    assert raised.value.message == "Je kunt de bespreking starten op dinsdag 5 januari 2027."
    with pytest.raises(services.SessionError) as raised:
        services.live_start_check(session=session, now=datetime(2027, 1, 1, 9, 0, tzinfo=AMS))
    assert raised.value.message == "Je kunt de bespreking starten op dinsdag 5 januari."


def test_the_check_refuses_a_cancelled_session_even_on_its_day(world):
    start = timezone.now() - timedelta(minutes=10)
    session = _session_at(world, start)
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED, cancellation_reason="Ziek")
    session.refresh_from_db()
    assert not services.may_start_live(session)
    with pytest.raises(services.SessionError):
        services.live_start_check(session=session)


def test_the_live_start_service_asks_the_check(world):
    presenter = MembershipFactory(group=world.group).user
    session = SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=6))
    casus = booked_casus(session=session, author=presenter)
    with pytest.raises(CasusError) as raised:
        live.live_start(session=session, casus=casus)
    day = timezone.localdate(session.starts_at)
    assert raised.value.message == f"Je kunt de bespreking starten op {_in_words(day, timezone.localdate())}."
    assert not LiveRun.objects.exists()
    today = datetime.combine(timezone.localdate(), time(0, 0), tzinfo=AMS)
    Session.objects.filter(pk=session.pk).update(starts_at=today, ends_at=today + timedelta(hours=2))
    session.refresh_from_db()
    assert live.live_start(session=session, casus=casus).session_id == session.pk


def test_the_start_button_answers_400_with_the_day_in_place(world, client_for):
    presenter = MembershipFactory(group=world.group).user
    session = SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=6))
    casus = booked_casus(session=session, author=presenter)
    url = reverse("casussen:live_start", kwargs={"session_id": session.pk})
    response = client_for(world.facilitator).post(url, {"casus": casus.pk}, headers={"hx-request": "true"})
    assert response.status_code == 400
    day = _in_words(timezone.localdate(session.starts_at), timezone.localdate())
    assert texts(response.content.decode(), "div", role="alert") == [
        f"Je kunt de bespreking starten op {day}."
    ]
    assert not LiveRun.objects.exists()
    plain = client_for(world.facilitator).post(url, {"casus": casus.pk}, follow=True)
    assert f"Je kunt de bespreking starten op {day}." in texts(plain.content.decode(), "div", role="alert")
    assert not LiveRun.objects.exists()
