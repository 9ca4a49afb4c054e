"""casussen/permissions.py decides who may do what with a casus and in the live guide; the pages ask the same
functions, so a button is on the page exactly when its view lets the user through."""

import pytest
from django.urls import reverse

from casussen import live, permissions
from casussen.models import Casus
from groups.permissions import group_access
from tests.factories import MembershipFactory
from tests.html import attribute_values
from tests.sessions.factories import SessionFactory

from .factories import CasusFactory, booked_casus, start_live

pytestmark = pytest.mark.django_db

S = Casus.Status


def _abilities(user, casus):
    return permissions.casus_abilities(user, casus, group_access(user, casus.group))


@pytest.mark.parametrize(
    "status,author_can,facilitator_can",
    [
        (S.DRAFT, {"read", "edit", "submit"}, set()),
        # Everyone in the group but the author votes for a queued casus.
        (S.SUBMITTED, {"read", "edit", "book"}, {"read", "book", "vote"}),
        (S.BOOKED, {"read", "unbook"}, {"read", "unbook"}),
        (S.DISCUSSED, {"read", "write_summary", "read_advice"}, {"read"}),
    ],
)
def test_abilities_by_role_and_status(world, status, author_can, facilitator_can):
    session = SessionFactory(group=world.group) if status in (S.BOOKED, S.DISCUSSED) else None
    casus = CasusFactory(group=world.group, author=world.member, status=status, session=session)
    other_member = MembershipFactory(group=world.group).user

    def granted(user):
        abilities = _abilities(user, casus)
        return {name for name, allowed in vars(abilities).items() if allowed}

    assert granted(world.member) == author_can
    assert granted(world.facilitator) == facilitator_can
    others = {S.DRAFT: set(), S.SUBMITTED: {"read", "vote"}}
    assert granted(other_member) == others.get(status, {"read"})
    assert granted(world.admin) == set()  # not a member: casussen are not theirs to read
    assert granted(world.former_member) == set()


def test_a_former_author_loses_the_authors_abilities(world):
    casus = CasusFactory(group=world.group, author=world.former_member, status=S.SUBMITTED)
    assert not any(vars(_abilities(world.former_member, casus)).values())


def _form_actions(response) -> set[str]:
    return set(attribute_values(response.content.decode(), "form", "action"))


@pytest.mark.parametrize("role", ["author", "facilitator", "other_member"])
def test_the_detail_page_offers_booking_exactly_when_the_view_allows_it(world, client_for, role):
    casus = CasusFactory(group=world.group, author=world.member)
    session = SessionFactory(group=world.group)
    user = {"author": world.member, "facilitator": world.facilitator}.get(role)
    user = user or MembershipFactory(group=world.group).user
    client = client_for(user)
    book_url = reverse("casussen:book", kwargs={"casus_id": casus.pk})
    offered = book_url in _form_actions(client.get(reverse("casussen:detail", kwargs={"casus_id": casus.pk})))
    response = client.post(book_url, {"session": session.pk})
    assert offered == (response.status_code == 302)
    assert offered == (role != "other_member")


@pytest.mark.parametrize("role", ["author", "facilitator", "other_member"])
def test_the_queue_offers_unbooking_exactly_when_the_view_allows_it(world, client_for, role):
    session = SessionFactory(group=world.group)
    casus = booked_casus(session=session, author=world.member)
    user = {"author": world.member, "facilitator": world.facilitator}.get(role)
    user = user or MembershipFactory(group=world.group).user
    client = client_for(user)
    unbook_url = reverse("casussen:unbook", kwargs={"casus_id": casus.pk})
    offered = unbook_url in _form_actions(
        client.get(reverse("casussen:queue", kwargs={"group_id": world.group.pk}))
    )
    response = client.post(unbook_url)
    assert offered == (response.status_code == 302)
    casus.refresh_from_db()
    assert (casus.status == S.SUBMITTED) == offered


def test_only_the_presenter_is_offered_and_allowed_to_mark_questions(world, client_for):
    session = SessionFactory(group=world.group)
    casus = booked_casus(session=session, author=world.member)
    run = start_live(session=session, casus=casus)
    question = live.question_add(run=run, author=world.facilitator, text="Wat maakt het lastig?")
    mark_url = reverse(
        "casussen:question_mark", kwargs={"session_id": session.pk, "question_id": question.pk}
    )
    live_url = reverse("casussen:live", kwargs={"session_id": session.pk})
    for user, allowed in ((world.member, True), (world.facilitator, False)):
        client = client_for(user)
        assert (mark_url in _form_actions(client.get(live_url))) == allowed
        assert (client.post(mark_url).status_code == 302) == allowed
    question.refresh_from_db()
    assert question.opened_eyes
