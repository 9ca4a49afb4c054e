"""Two members race for the last presenter slot on PostgreSQL: separate connections, real transactions;
the unique constraint on (session, slot) lets exactly one win."""

import threading

import pytest
from django.db import connections

from sessions import services
from sessions.models import Presenter
from tests.factories import GroupFactory, MembershipFactory

from .factories import SessionFactory

pytestmark = pytest.mark.postgres  # row locking between real connections


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claims_for_the_last_slot_exactly_one_wins():
    group = GroupFactory()
    alice, bob = MembershipFactory(group=group).user, MembershipFactory(group=group).user
    session = SessionFactory(group=group, presenter_slots=1)

    barrier = threading.Barrier(2)
    outcomes = {}

    original_create = Presenter.objects.create

    def claim(user):
        try:
            barrier.wait(timeout=10)
            outcomes[user.pk] = services.presenter_claim(session=session, user=user)
        except services.SessionError as error:
            outcomes[user.pk] = error
        finally:
            connections.close_all()

    # Both claims read "slot 1 is free" before either inserts: hold each thread at the insert until the
    # other has read too, so the database constraint (not luck) decides.
    read_done = threading.Barrier(2)

    def create_after_both_read(**kwargs):
        read_done.wait(timeout=10)
        return original_create(**kwargs)

    Presenter.objects.create = create_after_both_read
    try:
        threads = [threading.Thread(target=claim, args=(user,)) for user in (alice, bob)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        Presenter.objects.create = original_create

    winners = [o for o in outcomes.values() if isinstance(o, Presenter)]
    losers = [o for o in outcomes.values() if isinstance(o, services.SessionError)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert list(Presenter.objects.filter(session=session).values_list("user_id", "slot")) == [
        (winners[0].user_id, 1)
    ]
