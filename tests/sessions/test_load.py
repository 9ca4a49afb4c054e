"""Who brought a casus when (sessions:group_load), the gentle prompt on the home page for whoever waited
longest, and the balance the dashboard reads (sessions/load.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions import load
from sessions.models import Presenter, Session, SessionRole
from tests.factories import MembershipFactory, UserFactory
from tests.sessions.factories import SessionFactory, held_session

pytestmark = pytest.mark.django_db

PROMPT = "Jij hebt het langst geen casus ingebracht"


@pytest.fixture
def history(world):
    """Anna presented 60 days ago, Bram 30 days ago, Cor never (and the member never)."""
    anna, bram, cor = (
        MembershipFactory(group=world.group, user=UserFactory(display_name=name)).user
        for name in ("Anna", "Bram", "Cor")
    )
    now = timezone.now()
    held_session(world.group, starts_at=now - timedelta(days=60), presenters=[anna])
    held_session(world.group, starts_at=now - timedelta(days=30), presenters=[bram])
    cancelled = SessionFactory(
        group=world.group, starts_at=now - timedelta(days=10), status=Session.Status.CANCELLED
    )
    Presenter.objects.create(session=cancelled, user=cor, slot=1)  # a cancelled session does not count
    return anna, bram, cor


def test_page_lists_never_presented_first_then_longest_ago(world, client_for, history):
    anna, bram, cor = history
    response = client_for(world.member).get(reverse("sessions:group_load", args=[world.group.pk]))
    assert response.status_code == 200
    order = [row.user for row in response.context["loads"]]
    never = order[:3]
    assert set(never) == {cor, world.member, world.facilitator}
    assert order[3:] == [anna, bram]
    body = response.content.decode()
    assert body.index(f'data-member="{anna.pk}"') < body.index(f'data-member="{bram.pk}"')
    assert "nog nooit" in body


def _home(client):
    return client.get(reverse("home")).content.decode()


def test_prompt_goes_to_whoever_waited_longest_only_with_a_free_slot(world, client_for, history):
    anna, bram, cor = history
    # No coming session with a free slot: nobody is prompted.
    assert PROMPT not in _home(client_for(world.member))
    upcoming = SessionFactory(group=world.group, presenter_slots=1)
    # Never presented: Cor and the member (facilitators are not prompted); by name, Cor comes first.
    first = min((cor, world.member), key=lambda u: (u.display_name.casefold(), u.pk))
    second = world.member if first == cor else cor
    body = _home(client_for(first))
    assert PROMPT in body and f"/bijeenkomsten/{upcoming.pk}/#presenters" in body
    assert PROMPT not in _home(client_for(second))
    assert PROMPT not in _home(client_for(anna))
    # Once the first claims the slot, the slot is gone: no prompt for anyone.
    Presenter.objects.create(session=upcoming, user=first, slot=1)
    assert PROMPT not in _home(client_for(first))
    assert PROMPT not in _home(client_for(second))
    # A second slot: the next who waited longest is asked.
    Session.objects.filter(pk=upcoming.pk).update(presenter_slots=2)
    assert PROMPT in _home(client_for(second))


def test_balance_counts_held_sessions_of_the_last_twelve_months(world, history):
    anna, bram, cor = history
    old = held_session(world.group, starts_at=timezone.now() - timedelta(days=400), presenters=[bram])
    SessionRole.objects.create(
        session=old, key="notulist", name_nl="Notulist", name_en="Note-taker", user=cor
    )
    recent = (
        Session.objects.filter(group=world.group, status=Session.Status.HELD).order_by("-starts_at").first()
    )
    SessionRole.objects.create(
        session=recent, key="notulist", name_nl="Notulist", name_en="Note-taker", user=cor
    )
    balance = load.group_balance(world.group)
    rows = {row.user: row for row in balance.rows}
    assert rows[bram].presentations == 1  # the one 400 days ago is outside
    assert rows[anna].presentations == 1
    assert rows[cor].presentations == 0 and rows[cor].roles == {"Notulist": 1}
    assert balance.role_names == ["Notulist"]
