"""Correct casus records: a cancelled session gives its booked casus back to the queue; votes count until
the casus is discussed; nobody votes for their own casus."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from casussen import services
from casussen.models import Casus, CasusVote
from casussen.services import CasusError
from notifications import planning, sweep
from notifications.models import Kind, Outbox, Status
from sessions import services as session_services
from sessions.models import Presenter, Schedule
from sessions.schedule import schedule_save
from tests.factories import MembershipFactory
from tests.html import attribute_values, texts
from tests.sessions.factories import SessionFactory

from .factories import CasusFactory, booked_casus

pytestmark = pytest.mark.django_db


def _queue(client, group):
    return client.get(reverse("casussen:queue", kwargs={"group_id": group.pk}))


def test_cancelling_a_session_puts_its_booked_casus_back_in_the_queue(world, client_for, session):
    casus = booked_casus(session=session, author=world.member)
    response = client_for(world.facilitator).post(
        reverse("sessions:cancel", kwargs={"session_id": session.pk}), {"reason": "De zaal is dicht"}
    )
    assert response.status_code == 302
    casus.refresh_from_db()
    assert casus.status == Casus.Status.SUBMITTED
    assert casus.session is None and casus.booked_at is None
    assert not Presenter.objects.filter(session=session).exists()

    later = SessionFactory(group=world.group, starts_at=session.starts_at + timedelta(days=28))
    later.ends_at = later.starts_at + timedelta(hours=2)
    later.save()
    page = _queue(client_for(world.member), world.group).content.decode()
    assert reverse("casussen:detail", args=[casus.pk]) in attribute_values(page, "a", "href")
    # Its author can book it again.
    client_for(world.member).post(reverse("casussen:book", args=[casus.pk]), {"session": later.pk})
    casus.refresh_from_db()
    assert casus.status == Casus.Status.BOOKED and casus.session == later


def test_a_rule_change_that_cancels_a_session_requeues_its_casus(world):
    today = timezone.localdate()
    schedule = Schedule(
        group=world.group,
        rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=TU",
        first_date=today + timedelta(days=(1 - today.weekday()) % 7 or 7),
        start_time=timezone.datetime(2000, 1, 1, 14, 0).time(),
        duration_minutes=120,
        timezone="Europe/Amsterdam",
    )
    result = schedule_save(schedule=schedule)
    first = result.created[0]
    casus = booked_casus(session=first, author=world.member)
    schedule.rrule = "FREQ=WEEKLY;INTERVAL=4;BYDAY=TH"
    schedule_save(schedule=schedule)
    first.refresh_from_db()
    casus.refresh_from_db()
    assert first.status == first.Status.CANCELLED
    assert casus.status == Casus.Status.SUBMITTED and casus.session is None


def test_cancelling_leaves_a_discussed_casus_of_another_session_alone(world, session):
    booked = booked_casus(session=session, author=world.member)
    other_session = SessionFactory(group=world.group)
    other = booked_casus(session=other_session, author=MembershipFactory(group=world.group).user)
    session_services.session_cancel(session=session, reason="Te weinig aanmeldingen")
    other.refresh_from_db()
    booked.refresh_from_db()
    assert other.status == Casus.Status.BOOKED and other.session == other_session
    assert booked.status == Casus.Status.SUBMITTED


def test_votes_stay_when_the_casus_is_booked_and_given_back_and_when_the_session_passes(
    world, client_for, session
):
    author = MembershipFactory(group=world.group).user
    casus = CasusFactory(group=world.group, author=author)
    CasusFactory(group=world.group, author=world.facilitator)  # two queued, one slot: voting is on
    client_for(world.member).post(reverse("casussen:vote", args=[casus.pk]), {"session": session.pk})
    assert CasusVote.objects.filter(casus=casus, voter=world.member).exists()

    services.casus_book(casus=casus, session=session)
    services.casus_unbook(casus=casus)
    assert CasusVote.objects.filter(casus=casus, voter=world.member).exists()

    # The session the vote was cast for passes; the next one shows the vote still.
    session.starts_at = timezone.now() - timedelta(days=1)
    session.ends_at = session.starts_at + timedelta(hours=2)
    session.save()
    next_session = SessionFactory(group=world.group)
    page = _queue(client_for(world.member), world.group).content.decode()
    assert texts(page, "button", data_vote_button=str(casus.pk)) == ["Gestemd"]
    # Voting again (for the new next session) withdraws the one vote, not adds a second.
    client_for(world.member).post(reverse("casussen:vote", args=[casus.pk]), {"session": next_session.pk})
    assert not CasusVote.objects.filter(casus=casus).exists()


def test_votes_end_when_the_casus_is_discussed(world, session):
    author = MembershipFactory(group=world.group).user
    casus = CasusFactory(group=world.group, author=author)
    services.casus_vote_toggle(casus=casus, session=session, voter=world.member)
    casus = services.casus_book(casus=casus, session=session)
    assert CasusVote.objects.filter(casus=casus).exists()
    services.casus_mark_discussed(casus=casus)
    assert not CasusVote.objects.filter(casus=casus).exists()


def test_no_vote_for_your_own_casus(world, client_for, session):
    own = CasusFactory(group=world.group, author=world.member)
    others = CasusFactory(group=world.group, author=world.facilitator)
    page = _queue(client_for(world.member), world.group).content.decode()
    assert texts(page, "button", data_vote_button=str(others.pk)) == ["Stem"]
    assert texts(page, "button", data_vote_button=str(own.pk)) == []

    with pytest.raises(CasusError):
        services.casus_vote_toggle(casus=own, session=session, voter=world.member)
    response = client_for(world.member).post(reverse("casussen:vote", args=[own.pk]), {"session": session.pk})
    assert response.status_code == 400
    assert "Op je eigen casus kun je niet stemmen." in texts(response.content.decode(), "div", role="status")
    assert not CasusVote.objects.exists()


def test_the_author_is_told_by_email_once(world, client_for, session):
    casus = booked_casus(session=session, author=world.member)
    client_for(world.facilitator).post(
        reverse("sessions:cancel", kwargs={"session_id": session.pk}), {"reason": "De zaal is dicht"}
    )
    row = Outbox.objects.get(kind=Kind.CASUS_REQUEUED)
    assert (row.recipient_id, row.group_id, row.session_id, row.subject_key) == (
        world.member.pk,
        world.group.pk,
        session.pk,
        f"casus:{casus.pk}:requeued:{session.pk}",
    )
    assert row.due_at <= timezone.now()
    # The session's cancellation does not cancel this message (it is about the cancellation).
    assert Outbox.objects.filter(kind=Kind.CANCELLATION, recipient=world.member).exists()

    assert sweep.sweep_once() >= 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    [message] = [m for m in mail.outbox if m.subject.startswith("Je casus staat weer in de wachtrij")]
    assert message.to == [world.member.email]
    assert message.subject == f"Je casus staat weer in de wachtrij van {world.group.name}"
    assert "staat weer in de wachtrij" in message.body
    assert casus.title not in message.body  # no casus text in e-mail
    # The link opens the group's casus queue, where the author books the casus again (not the cancelled
    # session's page); in the text and in the HTML.
    queue = settings.SITE_URL + reverse("casussen:queue", kwargs={"group_id": world.group.pk})
    assert queue in message.body
    assert f'href="{queue}"' in message.alternatives[0].content
    assert reverse("sessions:detail", args=[session.pk]) not in message.body

    # The same news again (a repeated signal) makes no second message.
    assert planning.plan_casus_requeued(casus=casus, session=session) == []
    assert Outbox.objects.filter(kind=Kind.CASUS_REQUEUED).count() == 1
