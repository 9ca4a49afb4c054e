"""The admin overview sees only its own organisations; reflection aggregates respect the 3-answer rule."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.models import SessionStats
from reflections.models import Reflection
from reflections.selectors import reflection_closes_at
from sessions.models import Attendance
from tests.factories import GroupFactory, MembershipFactory, OrganisationAdminFactory
from tests.sessions.factories import held_session

P = Attendance.Status.PRESENT


def test_admin_sees_only_their_organisation(world, client_for):
    foreign = GroupFactory(name="Andere Organisatie Groep")
    held_session(
        foreign,
        starts_at=timezone.now() - timedelta(days=7),
        attendance={MembershipFactory(group=foreign).user: P},
        announce=True,
    )
    held_session(
        world.group, starts_at=timezone.now() - timedelta(days=7), attendance={world.member: P}, announce=True
    )
    response = client_for(world.admin).get(reverse("dashboards:admin"))
    assert response.status_code == 200
    names = [s.group.name for s in response.context["summaries"]]
    assert names == ["Groep Noord", "Groep Zuid"]
    assert "Andere Organisatie Groep" not in response.content.decode()
    # The other organisation's admin sees only theirs.
    other_admin = OrganisationAdminFactory(organisation=foreign.organisation).user
    response = client_for(other_admin).get(reverse("dashboards:admin"))
    assert [s.group.name for s in response.context["summaries"]] == ["Andere Organisatie Groep"]
    # ... and cannot open this organisation's group dashboard or exports.
    assert client_for(other_admin).get(reverse("dashboards:group", args=[world.group.pk])).status_code == 404


def test_admin_overview_sorts_by_trend_and_last_session(world, client_for):
    now = timezone.now()
    rising, falling = world.group, world.other_group
    for n, rate_rising, rate_falling in [(6, 1, 4), (5, 1, 4), (4, 1, 4), (3, 4, 1), (2, 4, 1), (1, 4, 1)]:
        for group, present in ((rising, rate_rising), (falling, rate_falling)):
            people = [MembershipFactory(group=group).user for _ in range(4)]
            attendance = {u: (P if i < present else Attendance.Status.ABSENT) for i, u in enumerate(people)}
            held_session(
                group,
                starts_at=now - timedelta(days=14 * n + (0 if group == rising else 1)),
                attendance=attendance,
                announce=True,
            )
    client = client_for(world.admin)
    by_trend = client.get(reverse("dashboards:admin"), {"sort": "trend"}).context["summaries"]
    assert [s.group for s in by_trend] == [falling, rising]
    assert by_trend[0].trend == pytest.approx(-75.0) and by_trend[1].trend == pytest.approx(75.0)
    by_last = client.get(reverse("dashboards:admin"), {"sort": "last"}).context["summaries"]
    assert [s.group for s in by_last] == [rising, falling]
    assert client.get(reverse("dashboards:admin"), {"sort": "nonsense"}).status_code == 200


def _reflect(session, users, score):
    for user in users:
        scores = dict.fromkeys(
            ("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used"), score
        )
        Reflection.objects.create(session=session, author=user, **scores)


def test_reflection_aggregates_respect_the_three_answer_rule(world, client_for):
    people = [world.member] + [MembershipFactory(group=world.group).user for _ in range(3)]
    now = timezone.now()
    three = held_session(
        world.group, starts_at=now - timedelta(days=30), attendance=dict.fromkeys(people, P), announce=True
    )
    two = held_session(
        world.group, starts_at=now - timedelta(days=20), attendance=dict.fromkeys(people, P), announce=True
    )
    _reflect(three, people[:3], 4)
    _reflect(two, people[:2], 1)
    # The figures were computed when the sessions were held, before the reflection window closed; the
    # dashboard recomputes them once after it closed.
    SessionStats.objects.filter(session__in=[three, two]).update(updated_at=now - timedelta(days=19))
    response = client_for(world.facilitator).get(reverse("dashboards:group", args=[world.group.pk]))
    chart = response.context["charts"]["reflections"]
    usefulness = chart["datasets"][0]["data"]
    assert usefulness == [4.0, None]  # the session with 2 answers is never shown
    html = response.content.decode()
    assert "te weinig reflecties om te tonen" in html


def test_member_cannot_open_facilitator_dashboard(world, client_for):
    assert client_for(world.member).get(reverse("dashboards:index")).status_code == 403
    assert client_for(world.member).get(reverse("dashboards:group", args=[world.group.pk])).status_code == 403


def test_open_and_past_alerts_on_dashboards(world, client_for):
    from notifications.models import Alert

    now = timezone.now()
    Alert.objects.create(
        group=world.group, rule=Alert.Rule.FADING, subject_key=f"user:{world.member.pk}", user=world.member,
        detail={"missed": 3, "of": 5},
    )  # fmt: skip
    Alert.objects.create(
        group=world.group, rule=Alert.Rule.BUSY, opened_at=now - timedelta(days=40),
        closed_at=now - timedelta(days=10), detail={"busy": 4, "declines": 6},
    )  # fmt: skip
    html = (
        client_for(world.facilitator).get(reverse("dashboards:group", args=[world.group.pk])).content.decode()
    )
    assert f"{world.member.display_name} heeft 3 van de laatste 5 bijeenkomsten gemist." in html
    assert "(4 van de 6 afmeldingen)" in html  # the closed one, in the history
    summaries = (
        client_for(world.admin).get(reverse("dashboards:admin"), {"sort": "alerts"}).context["summaries"]
    )
    assert [(s.group, s.open_alerts) for s in summaries] == [(world.group, 1), (world.other_group, 0)]


def test_three_reflections_in_an_open_round_are_waiting_not_too_few(world, client_for):
    """Three answers in a round that is still open: the table says the round runs (and until when), not
    that there are too few; two answers in a closed round are too few."""
    people = [world.member] + [MembershipFactory(group=world.group).user for _ in range(3)]
    now = timezone.now()
    closed = held_session(
        world.group, starts_at=now - timedelta(days=30), attendance=dict.fromkeys(people, P), announce=True
    )
    running = held_session(
        world.group, starts_at=now - timedelta(days=2), attendance=dict.fromkeys(people, P), announce=True
    )
    _reflect(closed, people[:2], 3)
    _reflect(running, people[:3], 4)
    response = client_for(world.facilitator).get(reverse("dashboards:group", args=[world.group.pk]))
    rows = {s.pk: s for s in response.context["dash"].held}
    assert rows[running.pk].reflection_round_open_until == reflection_closes_at(running)
    assert rows[closed.pk].reflection_round_open_until is None
    html = response.content.decode()
    assert html.count('data-withheld="open"') == 1
    assert html.count('data-withheld="too-few"') == 1
