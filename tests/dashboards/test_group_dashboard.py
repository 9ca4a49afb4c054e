"""The facilitator's group dashboard shows the hand-computed figures of the seeded history."""

import json

import pytest
from django.urls import reverse

from dashboards.selectors import NOT_YET
from sessions.models import Attendance
from tests.sessions.factories import SessionFactory


def _dashboard(client_for, world, **params):
    client = client_for(world.facilitator)
    return client.get(reverse("dashboards:group", kwargs={"group_id": world.group.pk}), params)


def test_figures_match_hand_computed(history, world, client_for):
    response = _dashboard(client_for, world, period="all")
    assert response.status_code == 200
    dash = response.context["dash"]
    assert len(dash.held) == 4
    assert [s.stats.attendance_rate for s in dash.held] == pytest.approx([1.0, 0.6, 0.4, 0.6])
    assert dash.mean_rate == pytest.approx(0.65)
    assert dash.net_minutes == 545
    assert dash.busy_share == 75
    html = response.content.decode()
    assert 'data-figure="held">4<' in html
    assert 'data-figure="rate">65%<' in html
    assert 'data-figure="hours">9,08<' in html
    assert 'data-figure="busy">75%<' in html


def test_chart_data_is_json_for_the_script(history, world, client_for):
    response = _dashboard(client_for, world, period="all")
    chart = response.context["charts"]["attendance"]
    assert chart["labels"] == ["08-12-2025", "12-01-2026", "09-02-2026", "13-04-2026"]
    assert chart["datasets"][0]["data"] == [100.0, 60.0, 40.0, 60.0]
    assert chart["datasets"][1]["data"] == [60.0] * 4  # quorum 3 of 5 expected
    html = response.content.decode()
    assert '<script id="chart-attendance" type="application/json">' in html
    declines = response.context["charts"]["declines"]["datasets"]
    assert [d["data"] for d in declines] == [[0, 1, 1, 1], [0, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]]


def test_member_grid_shows_fading_members(history, world, client_for):
    upcoming = SessionFactory(group=world.group)
    dash = _dashboard(client_for, world, period="all").context["dash"]
    rows = {row.membership.user.display_name: row for row in dash.rows}
    cees = rows["Cees Smit"]
    assert [c.status for c in cees.cells] == ["present", "absent", "absent", "absent", NOT_YET]
    assert cees.fading and rows["Bram Jansen"].fading
    assert not rows["Anna de Vries"].fading
    assert rows["Anna de Vries"].rate_pct == 75
    assert dash.columns[-1] == upcoming
    names = {row.membership.user.display_name for row in dash.fading}
    assert names == {"Bram Jansen", "Cees Smit"}


def test_health_signals_in_words(history, world, client_for):
    response = _dashboard(client_for, world, period="all")
    signals = {(s.rule, s.text) for s in response.context["signals"]}
    assert signals == {
        ("trend", "De opkomst van de laatste 3 bijeenkomsten is 53%."),  # 8 of 15 registrations, floor 60%
        ("fading", "Bram Jansen heeft 3 van de laatste 4 bijeenkomsten gemist."),
        ("fading", "Cees Smit heeft 3 van de laatste 4 bijeenkomsten gemist."),
        (
            "busy",
            "'Te druk' is de meest gegeven afmeldreden over de laatste 5 bijeenkomsten"
            " (3 van de 4 afmeldingen).",
        ),
        ("pipeline", "De laatste 2 bijeenkomsten hadden bij de voorbereidingstermijn nog geen casus."),
    }


def test_period_filter_limits_sessions(history, world, client_for):
    response = _dashboard(client_for, world, period="custom", start="2026-01-01", end="2026-02-28")
    dash = response.context["dash"]
    assert [s.pk for s in dash.held] == [history.sessions[1].pk, history.sessions[2].pk]
    assert dash.mean_rate == pytest.approx(0.5)


def test_bad_period_is_a_form_error(history, world, client_for):
    response = _dashboard(client_for, world, period="custom", start="2026-03-01", end="2026-01-01")
    assert response.status_code == 400
    assert "De einddatum ligt voor de begindatum." in response.content.decode()
    assert 'value="2026-03-01"' in response.content.decode()  # what was typed stays
    assert _dashboard(client_for, world, period="custom", start="nonsense").status_code == 400
    assert _dashboard(client_for, world, period="bogus").status_code == 400


def test_attendance_correction_is_picked_up(history, world, client_for):
    """A later correction that bumps the session (as the attendance service does) is recomputed lazily."""
    session = history.sessions[1]
    Attendance.objects.filter(session=session, user=history.cees).update(status=Attendance.Status.PRESENT)
    session.save()  # updated_at moves on
    dash = _dashboard(client_for, world, period="all").context["dash"]
    assert dash.held[1].stats.attendance_rate == pytest.approx(0.8)


def test_overview_of_facilitated_groups(history, world, client_for):
    response = client_for(world.facilitator).get(reverse("dashboards:index"), {"period": "all"})
    assert response.status_code == 200
    (summary,) = response.context["summaries"]
    assert summary.group == world.group
    assert summary.held == 4
    assert summary.mean_rate == pytest.approx(0.65)
    assert summary.recent_rate == pytest.approx((0.6 + 0.4 + 0.6) / 3)
    assert summary.trend is None  # fewer than 6 sessions: no previous window
    data = json.loads(response.context["chart"] and json.dumps(response.context["chart"]))
    assert data["labels"] == [world.group.name]


def test_extreme_dates_are_a_form_error(history, world, client_for):
    response = _dashboard(client_for, world, period="custom", start="2026-01-01", end="9999-12-31")
    assert response.status_code == 400
    assert "Kies een datum tussen 2000 en 2100." in response.content.decode()
