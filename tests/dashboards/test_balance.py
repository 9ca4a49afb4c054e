"""The facilitator's dashboard shows the balance of presentations and roles per member over the last 12
months (sessions.load.group_balance)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from sessions.models import SessionRole
from tests.factories import MembershipFactory, UserFactory
from tests.sessions.factories import held_session

pytestmark = pytest.mark.django_db


def test_dashboard_balance_table(world, client_for):
    cor = MembershipFactory(group=world.group, user=UserFactory(display_name="Cor Notulist")).user
    now = timezone.now()
    recent = held_session(world.group, starts_at=now - timedelta(days=20), presenters=[world.member])
    held_session(world.group, starts_at=now - timedelta(days=500), presenters=[world.member])
    SessionRole.objects.create(
        session=recent, key="notulist", name_nl="Notulist", name_en="Note-taker", user=cor
    )
    response = client_for(world.facilitator).get(reverse("dashboards:group", args=[world.group.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="balance-table"' in body and "Notulist" in body
    assert f'data-member="{world.member.pk}" data-presentations="1" data-roles="0"' in body
    assert f'data-member="{cor.pk}" data-presentations="0" data-roles="1"' in body
