"""The demo data command: fills one organisation, prints the logins, and is safe to run twice."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import User
from casussen.models import Casus
from groups.management.commands.seed_demo import DEMO_PASSWORD
from groups.models import Group, Membership, Organisation, OrganisationAdmin
from notifications.models import Alert
from reflections.models import FollowUp, Reflection
from sessions.models import RSVP, Attendance, Session
from tests.html import texts

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
    demo_users = User.objects.filter(email__endswith="@demo.intervisie.nl")
    assert demo_users.count() == 8
    assert all(user.check_password(DEMO_PASSWORD) for user in demo_users)  # one hash shared by all
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


def _chart(html: str, chart_id: str) -> dict:
    start = html.index(f'<script id="{chart_id}" type="application/json">') + len(
        f'<script id="{chart_id}" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


def test_the_demo_has_two_years_of_history_the_dashboard_shows(client_for):
    _seed()
    noord = Group.objects.get(name="Intervisie Wijkteam Noord")
    held = Session.objects.filter(group=noord, status=Session.Status.HELD)
    first, last = held.order_by("starts_at").first(), held.order_by("starts_at").last()
    assert held.count() >= 24 and (last.starts_at - first.starts_at).days >= 700
    assert Attendance.objects.filter(session__in=held).count() == held.count() * 5
    assert Casus.objects.filter(group=noord, status=Casus.Status.DISCUSSED).exists()
    assert Reflection.objects.filter(session__group=noord).count() >= 3 * held.count()
    assert FollowUp.objects.filter(session__group=noord).exists()

    counts = (
        Session.objects.count(),
        Attendance.objects.count(),
        RSVP.objects.count(),
        Casus.objects.count(),
        Reflection.objects.count(),
        FollowUp.objects.count(),
        Alert.objects.count(),
    )
    _seed()  # again: nothing doubles
    assert (
        Session.objects.count(),
        Attendance.objects.count(),
        RSVP.objects.count(),
        Casus.objects.count(),
        Reflection.objects.count(),
        FollowUp.objects.count(),
        Alert.objects.count(),
    ) == counts

    facilitator = User.objects.get(email="begeleider@demo.intervisie.nl")
    response = client_for(facilitator).get(reverse("dashboards:group", kwargs={"group_id": noord.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    open_alerts = texts(html, "ul", data_alerts="open")
    assert open_alerts and "Daan Visser heeft" in open_alerts[0]
    assert texts(html, "ul", data_alerts="closed")  # the history: alerts that cleared
    attendance = _chart(html, "chart-attendance")
    rates = [rate for rate in attendance["datasets"][0]["data"] if rate is not None]
    assert len(rates) >= 10 and min(rates) < max(rates)  # a trend, not a flat line
    assert rates[-1] < rates[0]  # attendance fell at the end (a member fading)

    # The member's home shows the next session first.
    anna = User.objects.get(email="anna@demo.intervisie.nl")
    home = client_for(anna).get(reverse("home")).content.decode()
    assert len(texts(home, "li", data_todo="next")) == 2
