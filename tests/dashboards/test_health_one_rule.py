"""One definition per rule: changing a window or threshold in groups/health.py (one line there, here a
monkeypatch of that one name) or a group setting changes what the dashboard, the health page and the
alert scan say, all three alike."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import escape

from groups import health
from notifications.alerts import alert_scan
from notifications.models import Alert
from sessions.models import RSVP, Attendance
from tests.factories import MembershipFactory
from tests.sessions.factories import held_session

P, E, A = Attendance.Status.PRESENT, Attendance.Status.EXCUSED, Attendance.Status.ABSENT


@pytest.fixture
def busy_then_quiet(world):
    """Five weekly held sessions of world.group, attendance 3, 3, 2, 2, 2 of 4 (the last 3: 6 of 12, 50%);
    'te druk' was given three times, all in the oldest three (by world.member, who missed those three);
    Bram missed the last two and Cees the last three (excused or absent); no casus."""
    group, f, m = world.group, world.facilitator, world.member
    bram = MembershipFactory(group=group, user__display_name="Bram Jansen").user
    cees = MembershipFactory(group=group, user__display_name="Cees Smit").user
    rows = [
        ({f: P, m: E, bram: P, cees: P}, {m: RSVP.Reason.BUSY}),
        ({f: P, m: E, bram: P, cees: P}, {m: RSVP.Reason.BUSY}),
        ({f: P, m: E, bram: P, cees: A}, {m: RSVP.Reason.BUSY}),
        ({f: P, m: P, bram: E, cees: A}, {bram: RSVP.Reason.SICK}),
        ({f: P, m: P, bram: A, cees: A}, {}),
    ]
    for weeks_ago, (attendance, declines) in zip(range(5, 0, -1), rows, strict=True):
        held_session(group, ended_ago=timedelta(weeks=weeks_ago), attendance=attendance, declines=declines)
    return {"bram": bram, "cees": cees}


def _everywhere(world, client_for) -> dict[str, set[tuple[str, str]]]:
    """The signals that are on, as (rule, subject) on the dashboard, on the health page and in the scan."""
    client = client_for(world.facilitator)
    kwargs = {"group_id": world.group.pk}
    dashboard = client.get(reverse("dashboards:group", kwargs=kwargs), {"period": "all"})
    page = client.get(reverse("reflections:health", kwargs=kwargs))
    assert dashboard.status_code == page.status_code == 200
    on_dashboard = {(v.rule, v.subject_key) for v in dashboard.context["dash"].verdicts if v.on}
    # The dashboard shows exactly the verdicts that are on, one line each.
    assert sorted(s.rule for s in dashboard.context["signals"] if s.rule) == sorted(
        r for r, _ in on_dashboard
    )
    on_page = {
        (s.key.split(":", 1)[0], s.key.split(":", 1)[1] if ":" in s.key else "")
        for s in page.context["signals"]
        if s.level == "warn" and s.key.split(":", 1)[0] in health.NAMES
    }
    alert_scan()
    in_scan = set(
        Alert.objects.filter(group=world.group, closed_at__isnull=True).values_list("rule", "subject_key")
    )
    return {"dashboard": on_dashboard, "health page": on_page, "alert scan": in_scan}


def _same(found: dict[str, set]) -> set:
    first, *others = found.values()
    assert all(other == first for other in others), found
    return first


def test_the_three_agree_on_the_fixture(busy_then_quiet, world, client_for):
    bram, cees = busy_then_quiet["bram"], busy_then_quiet["cees"]
    assert _same(_everywhere(world, client_for)) == {
        ("trend", ""),  # 50% over the last 3, below the floor of 60%
        ("busy", ""),  # 3 × 'te druk' against 1 × sick over the last 5
        ("fading", f"user:{world.member.pk}"),  # missed 3 of the last 5
        ("fading", f"user:{bram.pk}"),  # missed the last 2 (in a row: 2)
        ("fading", f"user:{cees.pk}"),  # missed the last 3
        ("pipeline", ""),  # no casus at all
    }


@pytest.mark.parametrize(
    ("name", "value", "gone"),
    [
        ("BUSY_MIN_DECLINES", 4, ("busy", "")),  # 3 × 'te druk' is no longer enough
        ("BUSY_WINDOW", 2, ("busy", "")),  # the last 2 sessions had no 'te druk'
        ("TREND_RECENT", 5, ("trend", "")),  # 12 of 20 over the last 5 is 60%: not below 60%
        ("PIPELINE_WINDOW", 6, ("pipeline", "")),  # only 5 sessions are past their deadline
    ],
)
def test_one_constant_changes_all_three(busy_then_quiet, world, client_for, monkeypatch, name, value, gone):
    before = _same(_everywhere(world, client_for))
    monkeypatch.setattr(health, name, value)
    after = _same(_everywhere(world, client_for))
    assert before - after == {gone}
    assert after < before


def test_one_group_setting_changes_all_three(busy_then_quiet, world, client_for):
    """The group's own thresholds: with 'missed in a row' at 3 and 'of the last five' at 4, the member
    (3 of 5, not in a row) and Bram (2 in a row) no longer fade anywhere; Cees (3 in a row) still does."""
    before = _same(_everywhere(world, client_for))
    world.group.alert_fading_in_a_row = 3
    world.group.alert_fading_of_last_five = 4
    world.group.save()
    after = _same(_everywhere(world, client_for))
    assert before - after == {
        ("fading", f"user:{world.member.pk}"),
        ("fading", f"user:{busy_then_quiet['bram'].pk}"),
    }
    assert ("fading", f"user:{busy_then_quiet['cees'].pk}") in after


def test_one_word_per_signal_on_all_three(busy_then_quiet, world, client_for):
    """The dashboard's lines, the health page's warnings and the alerts (the e-mail's rule line and the
    alerts panel read ``get_rule_display``) name each signal alike."""
    alert_scan()
    client = client_for(world.facilitator)
    kwargs = {"group_id": world.group.pk}
    dashboard = client.get(reverse("dashboards:group", kwargs=kwargs), {"period": "all"})
    page = client.get(reverse("reflections:health", kwargs=kwargs))
    on_dashboard = {(s.rule, s.name) for s in dashboard.context["signals"]}
    on_page = {(s.key.split(":")[0], s.name) for s in page.context["signals"] if s.name}
    in_alerts = {(a.rule, a.get_rule_display()) for a in Alert.objects.filter(group=world.group)}
    assert on_dashboard == on_page == in_alerts
    assert len(in_alerts) == 4  # trend, fading, busy, pipeline: one name each
    html = dashboard.content.decode()
    for _, name in in_alerts:  # the word is on the page, in the signal line and in the alerts panel
        assert html.count(f"<strong>{escape(name[0].upper() + name[1:])}</strong>:") >= 2
