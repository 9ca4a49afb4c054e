"""The demo data command: fills one organisation, prints the logins, and is safe to run twice."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from groups.management.commands.seed_demo import DEMO_PASSWORD
from groups.models import Group, Membership, Organisation, OrganisationAdmin

pytestmark = pytest.mark.django_db


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> tuple[int, ...]:
    return (
        Organisation.objects.count(),
        Group.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        OrganisationAdmin.objects.count(),
    )


def test_seed_demo_twice(client):
    first = _seed()
    counts = _counts()
    assert counts[:2] == (1, 2)
    assert User.objects.filter(email__endswith="@demo.intervisie.nl").count() == 8
    second = _seed()
    assert _counts() == counts
    assert first == second

    logins = re.findall(r"(\S+@demo\.intervisie\.nl)", second)
    assert "begeleider@demo.intervisie.nl" in logins and "beheerder@demo.intervisie.nl" in logins
    assert len(logins) == 8
    assert DEMO_PASSWORD in second

    facilitator = User.objects.get(email="begeleider@demo.intervisie.nl")
    assert set(facilitator.memberships.values_list("role", flat=True)) == {Membership.Role.FACILITATOR}
    assert facilitator.memberships.count() == 2
    for group in Group.objects.all():
        assert group.memberships.filter(role=Membership.Role.MEMBER).count() == 4
    beheerder = User.objects.get(email="beheerder@demo.intervisie.nl")
    assert beheerder.is_staff and beheerder.admin_links.count() == 1

    # A printed login works and shows the member's groups in Dutch.
    response = client.post(
        reverse("accounts:login"), {"username": "anna@demo.intervisie.nl", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    home = client.get(reverse("home")).content.decode()
    assert "Mijn groepen" in home
    assert "Intervisie Wijkteam Noord" in home and "Intervisie Jeugdzorg" in home
