import pytest
from django.urls import reverse
from django.utils import timezone

from casussen import selectors, services
from casussen.models import Casus, CasusVote
from casussen.services import CasusError
from sessions.models import Presenter
from tests.factories import MembershipFactory
from tests.sessions.factories import SessionFactory

from .factories import CasusFactory, start_live

pytestmark = pytest.mark.django_db


def test_author_books_onto_a_presenter_slot(world, client_for, session):
    casus = CasusFactory(group=world.group, author=world.member)
    response = client_for(world.member).post(
        reverse("casussen:book", kwargs={"casus_id": casus.pk}), {"session": session.pk}
    )
    assert response.status_code == 302
    casus.refresh_from_db()
    assert casus.status == Casus.Status.BOOKED and casus.session == session
    assert Presenter.objects.filter(session=session, user=world.member, slot=1).exists()


def test_full_session_refuses_a_second_casus_and_voting_shows(world, client_for, session):
    first = CasusFactory(group=world.group, author=world.member)
    services.casus_book(casus=first, session=session)
    other = MembershipFactory(group=world.group).user
    second = CasusFactory(group=world.group, author=other)
    with pytest.raises(CasusError):
        services.casus_book(casus=second, session=session)
    second.refresh_from_db()
    assert second.status == Casus.Status.SUBMITTED

    services.casus_unbook(casus=first)
    assert not Presenter.objects.filter(session=session).exists()
    state = selectors.queue(world.group, world.member)
    assert state["voting"] is True  # two queued casussen, one slot
    client = client_for(world.member)
    response = client.get(reverse("casussen:queue", kwargs={"group_id": world.group.pk}))
    assert "meer casussen dan plekken" in response.content.decode()
    client.post(reverse("casussen:vote", kwargs={"casus_id": second.pk}), {"session": session.pk})
    assert CasusVote.objects.filter(casus=second, voter=world.member).count() == 1
    client.post(reverse("casussen:vote", kwargs={"casus_id": second.pk}), {"session": session.pk})
    assert not CasusVote.objects.exists()  # toggled off


def test_facilitator_decides_and_books_someone_elses_casus(world, client_for, session):
    casus = CasusFactory(group=world.group, author=world.member)
    client_for(world.facilitator).post(
        reverse("casussen:book", kwargs={"casus_id": casus.pk}), {"session": session.pk}
    )
    casus.refresh_from_db()
    assert casus.status == Casus.Status.BOOKED


def test_other_groups_session_cannot_be_booked(world, client_for):
    foreign = SessionFactory(group=world.other_group)
    casus = CasusFactory(group=world.group, author=world.member)
    response = client_for(world.member).post(
        reverse("casussen:book", kwargs={"casus_id": casus.pk}), {"session": foreign.pk}
    )
    assert response.status_code == 400
    casus.refresh_from_db()
    assert casus.status == Casus.Status.SUBMITTED


def test_draft_cannot_be_booked_and_db_refuses_a_submitted_casus_without_kernvraag(world, session):
    draft = CasusFactory(group=world.group, author=world.member, status="draft", kernvraag="")
    with pytest.raises(CasusError):
        services.casus_book(casus=draft, session=session)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Casus.objects.filter(pk=draft.pk).update(status=Casus.Status.SUBMITTED)


def test_sessions_with_casus_ready(world):
    early = SessionFactory(group=world.group, starts_at=timezone.now() + timezone.timedelta(days=10))
    late = SessionFactory(group=world.group, starts_at=timezone.now() + timezone.timedelta(days=1))
    empty = SessionFactory(group=world.group)
    services.casus_book(casus=CasusFactory(group=world.group, author=world.member), session=early)
    services.casus_book(casus=CasusFactory(group=world.group, author=world.facilitator), session=late)
    assert selectors.sessions_with_casus_ready([early.pk, late.pk, empty.pk], days_ahead=3) == {early.pk}
    assert selectors.sessions_with_casus_ready([late.pk], days_ahead=0) == {late.pk}


def test_history_lists_discussed_with_outcome(world, client_for, booked):
    from casussen import live

    run = start_live(session=booked.session, casus=booked)
    live.live_step(run=run, action="finish")
    booked.refresh_from_db()
    services.casus_summary_set(
        casus=booked, outcome="Ik bel morgen terug.", takeaways="Grenzen", action_1="Bellen", action_2=""
    )
    response = client_for(world.member).get(reverse("casussen:history", kwargs={"group_id": world.group.pk}))
    assert "Ik bel morgen terug." in response.content.decode()
    followup_url = reverse("reflections:session", kwargs={"session_id": booked.session_id})
    assert f'href="{followup_url}"' in response.content.decode()
    detail = client_for(world.member).get(reverse("casussen:detail", kwargs={"casus_id": booked.pk}))
    assert "Bellen" in detail.content.decode()
