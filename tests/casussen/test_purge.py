from datetime import timedelta

import pytest
from django.utils import timezone

from casussen import live, services
from casussen.models import Advice, Casus, LiveRun, ParkedItem, Question
from casussen.tasks import purge_expired_casussen
from sessions.models import Attendance, Session
from tests.sessions.factories import SessionFactory

from .factories import CasusFactory, start_live

pytestmark = pytest.mark.django_db


def _discussed_session(world, presenter, *, months_ago: int):
    start = timezone.now() - timedelta(days=31 * months_ago)
    session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
    casus = CasusFactory(
        group=world.group, author=presenter, situatie="Geheim verhaal", kernvraag="Hoe kan ik?"
    )
    # Booked long ago: bypass the "upcoming session" rule of the booking service.
    Casus.objects.filter(pk=casus.pk).update(
        status="booked", session=session, booked_at=start - timedelta(days=7)
    )
    casus.refresh_from_db()
    run = start_live(session=session, casus=casus)
    live.question_add(run=run, author=world.member, text="Waar ben je bang voor?")
    live.advice_set(run=run, author=world.member, text="Doe het gewoon.")
    live.parked_add(session=session, author=world.member, text="Printer")
    live.live_step(run=run, action="finish")
    services.casus_summary_set(
        casus=casus, outcome="Opgelost", takeaways="Veel", action_1="Bellen", action_2=""
    )
    Attendance.objects.create(session=session, user=world.member, status="present")
    Session.objects.filter(pk=session.pk).update(
        status="held", actual_started_at=start, actual_ended_at=start + timedelta(hours=2)
    )
    return session, casus


def test_purge_removes_casus_text_and_keeps_attendance(world, presenter):
    world.group.casus_retention_months = 12
    world.group.save()
    old_session, old = _discussed_session(world, presenter, months_ago=13)
    recent_session, recent = _discussed_session(world, world.facilitator, months_ago=2)
    stale_draft = CasusFactory(group=world.group, author=world.member, status="draft", submitted_at=None)
    Casus.objects.filter(pk=stale_draft.pk).update(updated_at=timezone.now() - timedelta(days=400))

    assert purge_expired_casussen.apply().get() == 2  # the Celery task, run in-process

    old.refresh_from_db()
    assert old.status == Casus.Status.PURGED and old.purged_at is not None
    assert (old.title, old.situatie, old.kernvraag, old.outcome, old.takeaways, old.action_1) == ("",) * 6
    assert not Question.objects.filter(run__session=old_session).exists()
    assert not Advice.objects.filter(run__session=old_session).exists()
    assert ParkedItem.objects.get(session=old_session).text == ""  # counted still, text gone
    assert LiveRun.objects.filter(session=old_session).exists()
    assert Attendance.objects.filter(session=old_session, user=world.member, status="present").exists()
    old_session.refresh_from_db()
    assert old_session.status == "held" and old_session.net_minutes == 120
    assert Casus.objects.get(pk=stale_draft.pk).status == Casus.Status.PURGED

    recent.refresh_from_db()
    assert recent.situatie == "Geheim verhaal" and recent.status == Casus.Status.DISCUSSED
    assert Question.objects.filter(run__session=recent_session).count() == 1

    assert services.casus_purge_expired() == 0  # idempotent


def test_retention_is_a_group_setting(world, presenter):
    world.group.casus_retention_months = 1
    world.group.save()
    _session, casus = _discussed_session(world, presenter, months_ago=2)
    assert services.casus_purge_expired() == 1
    assert Casus.objects.get(pk=casus.pk).status == Casus.Status.PURGED
