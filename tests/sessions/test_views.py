import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sessions.models import RSVP, Presenter, Session
from tests.factories import GroupFactory, MembershipFactory

from .factories import RSVPFactory, SessionFactory


def url(name, **kwargs):
    return reverse(f"sessions:{name}", kwargs=kwargs)


@pytest.fixture
def session(world):
    return SessionFactory(group=world.group)


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_rsvp_flow_without_javascript(world, client_for, session, role):
    user = getattr(world, role)
    client = client_for(user)
    page = client.get(url("mine"))
    html = page.content.decode()
    # Post back what the page rendered: the form's action and the attend button.
    action = re.search(r'action="([^"]+/antwoord/)"', html).group(1)
    assert action == url("rsvp", session_id=session.pk)
    response = client.post(action, {"answer": "attend", "next": url("mine")})
    assert response.status_code == 302 and response["Location"] == url("mine")
    assert RSVP.objects.get(session=session, user=user).answer == "attend"

    # Decline without a reason: a form error, status 400, and the stored answer stays.
    response = client.post(action, {"answer": "decline", "decline_note": "drukke week"})
    assert response.status_code == 400
    assert "Kies een reden" in response.content.decode()
    assert "drukke week" in response.content.decode()  # what was typed is kept
    assert RSVP.objects.get(session=session, user=user).answer == "attend"

    response = client.post(action, {"answer": "decline", "decline_reason": "holiday"})
    assert response.status_code == 302
    rsvp = RSVP.objects.get(session=session, user=user)
    assert (rsvp.answer, rsvp.decline_reason) == ("decline", "holiday")


def test_rsvp_with_htmx_returns_the_card(world, client_for, session):
    client = client_for(world.member)
    response = client.post(
        url("rsvp", session_id=session.pk), {"answer": "maybe"}, headers={"hx-request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="session-{session.pk}"' in html and 'data-my-answer="maybe"' in html
    assert "<html" not in html
    bad = client.post(
        url("rsvp", session_id=session.pk), {"answer": "decline"}, headers={"hx-request": "true"}
    )
    assert bad.status_code == 400 and "Kies een reden" in bad.content.decode()


def test_other_reason_needs_a_note(world, client_for, session):
    response = client_for(world.member).post(
        url("rsvp", session_id=session.pk), {"answer": "decline", "decline_reason": "other"}
    )
    assert response.status_code == 400
    assert not RSVP.objects.exists()


def test_answer_after_start_is_refused_clearly(world, client_for):
    started = SessionFactory(group=world.group, starts_at=timezone.now() - timedelta(minutes=5))
    response = client_for(world.member).post(url("rsvp", session_id=started.pk), {"answer": "attend"})
    assert response.status_code == 400
    assert "al begonnen" in response.content.decode()


@pytest.mark.parametrize("role", ["outsider", "former_member"])
def test_non_member_cannot_rsvp_see_or_download(world, client_for, session, role):
    client = client_for(getattr(world, role))
    assert client.get(url("detail", session_id=session.pk)).status_code == 404
    assert client.get(url("download", session_id=session.pk)).status_code == 404
    assert client.post(url("rsvp", session_id=session.pk), {"answer": "attend"}).status_code == 404
    assert client.post(url("presenter_claim", session_id=session.pk)).status_code == 404
    assert not RSVP.objects.exists() and not Presenter.objects.exists()
    assert f"/bijeenkomsten/{session.pk}/" not in client.get(url("mine")).content.decode()


def test_session_page_shows_roster_and_quorum(world, client_for, session):
    others = [MembershipFactory(group=world.group).user for _ in range(3)]
    RSVPFactory(session=session, user=others[0], answer="attend")
    RSVPFactory(session=session, user=others[1], answer="decline", decline_reason="busy")
    RSVPFactory(session=session, user=world.facilitator, answer="attend")
    html = client_for(world.member).get(url("detail", session_id=session.pk)).content.decode()
    attend = html.split('id="roster-attend"')[1].split("</ul>")[0]
    decline = html.split('id="roster-decline"')[1].split("</ul>")[0]
    none = html.split('id="roster-none"')[1].split("</ul>")[0]
    assert others[0].display_name in attend and world.facilitator.display_name in attend
    assert others[1].display_name in decline  # the reason is the facilitator's only: test_session_page.py
    assert world.member.display_name in none and others[2].display_name in none
    assert world.former_member.display_name not in html
    assert _quorum_level(html) == _expected_level(session, attending=2)
    RSVPFactory(session=session, user=world.member, answer="attend")
    html = client_for(world.member).get(url("detail", session_id=session.pk)).content.decode()
    assert _quorum_level(html) == "ok"


def _quorum_level(html: str) -> str:
    heading = html.split('id="roster"')[0].rsplit("<h3", 1)[1]
    return re.search(r'data-quorum="(\w+)"', heading).group(1)


def _expected_level(session, *, attending: int) -> str:
    if attending >= session.quorum:
        return "ok"
    close = session.starts_at <= timezone.now() + timedelta(days=session.group.alert_quorum_days)
    return "risk" if close else "calm"


@pytest.mark.parametrize(("days_ahead", "level"), [(2, "risk"), (30, "calm")])
def test_too_few_coming_is_a_warning_only_close_to_the_date(world, client_for, days_ahead, level):
    """Inside the group's quorum check (alert_quorum_days, 3 by default) too few answers are a warning;
    a month ahead the same count is shown calmly, on the session page and on Mijn bijeenkomsten."""
    assert world.group.alert_quorum_days == 3
    start = timezone.now() + timedelta(days=days_ahead)
    session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
    RSVPFactory(session=session, user=world.facilitator, answer="attend")
    client = client_for(world.member)
    assert _quorum_level(client.get(url("detail", session_id=session.pk)).content.decode()) == level
    mine = client.get(url("mine")).content.decode()
    card = mine.split(f'id="session-{session.pk}"')[1]
    assert re.search(r'data-quorum="(\w+)"', card).group(1) == level


def test_presenter_claim_over_http(world, client_for, session):
    client = client_for(world.member)
    assert client.post(url("presenter_claim", session_id=session.pk)).status_code == 302
    other = client_for(world.facilitator).post(url("presenter_claim", session_id=session.pk))
    assert other.status_code == 409 and "bezet" in other.content.decode()
    client = client_for(world.member)
    assert client.post(url("presenter_release", session_id=session.pk)).status_code == 302
    assert not Presenter.objects.exists()


def test_facilitator_reschedules_and_cancels(world, client_for, session):
    client = client_for(world.facilitator)
    form = client.get(url("edit", session_id=session.pk)).content.decode()
    assert 'name="day"' in form
    day = (timezone.localdate() + timedelta(days=20)).isoformat()
    data = {
        "day": day,
        "start_time": "10:00",
        "end_time": "12:00",
        "location": "Elders",
        "presenter_slots": 1,
    }
    assert client.post(url("edit", session_id=session.pk), data).status_code == 302
    session.refresh_from_db()
    assert session.sequence == 1 and session.location == "Elders"
    assert timezone.localtime(session.starts_at).strftime("%H:%M") == "10:00"

    bad = client.post(url("edit", session_id=session.pk), {**data, "end_time": "09:00"})
    assert bad.status_code == 400 and "na de begintijd" in bad.content.decode()
    assert 'value="Elders"' in bad.content.decode()

    assert client.post(url("cancel", session_id=session.pk), {"reason": ""}).status_code == 400
    assert client.post(url("cancel", session_id=session.pk), {"reason": "Ziek"}).status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancellation_reason, session.sequence) == ("cancelled", "Ziek", 2)


def test_one_off_session(world, client_for):
    client = client_for(world.admin)
    day = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = {"day": day, "start_time": "19:00", "end_time": "21:00", "presenter_slots": 1}
    assert client.post(url("new", group_id=world.group.pk), data).status_code == 302
    session = Session.objects.get(group=world.group)
    assert session.recurrence_id is None
    past = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert client.post(url("new", group_id=world.group.pk), {**data, "day": past}).status_code == 400


def _seed_member_world(member, *, groups: int, sessions_per_group: int, members_per_group: int):
    now = timezone.now()
    for g in range(groups):
        group = GroupFactory()
        MembershipFactory(group=group, user=member)
        others = [MembershipFactory(group=group).user for _ in range(members_per_group)]
        for i in range(sessions_per_group):
            days = (i - sessions_per_group // 3) * 7 + g + 1
            session = SessionFactory(group=group, starts_at=now + timedelta(days=days))
            for other in others:
                RSVPFactory(session=session, user=other, answer="attend")
            RSVPFactory(session=session, user=member, answer="maybe")
            Presenter.objects.create(session=session, user=others[0], slot=1)


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_my_sessions_query_count_does_not_grow(db, client_for, django_assert_max_num_queries):
    small_user = MembershipFactory().user
    _seed_member_world(small_user, groups=1, sessions_per_group=3, members_per_group=2)
    large_user = MembershipFactory().user
    _seed_member_world(large_user, groups=6, sessions_per_group=9, members_per_group=6)
    small = _count_queries(client_for(small_user), url("mine"))
    large = _count_queries(client_for(large_user), url("mine"))
    assert small == large
    client = client_for(large_user)
    with django_assert_max_num_queries(12):
        client.get(url("mine"))


def test_session_page_query_budget(world, client_for, django_assert_max_num_queries):
    session = SessionFactory(group=world.group, presenter_slots=2)
    for _ in range(12):
        RSVPFactory(session=session, user=MembershipFactory(group=world.group).user, answer="attend")
    client = client_for(world.member)
    # the page with the sections of casussen and reflections (tests/query_budgets/budgets_sessions.py)
    # and the roles card (sessions/roles.py: the proposal, seven)
    with django_assert_max_num_queries(25):
        assert client.get(url("detail", session_id=session.pk)).status_code == 200


def test_schedule_page_query_budget(world, client_for, django_assert_max_num_queries):
    for d in range(15):
        RSVPFactory(
            session=SessionFactory(group=world.group, starts_at=timezone.now() + timedelta(days=d + 1)),
            user=world.member,
        )
    client = client_for(world.facilitator)
    with django_assert_max_num_queries(14):
        assert client.get(url("group_schedule", group_id=world.group.pk)).status_code == 200


def test_feed_query_count_does_not_grow(db, client, django_assert_max_num_queries):
    from sessions.models import installation

    installation()  # read once per process; whichever request came first would count it
    cache.clear()
    small_user = MembershipFactory().user
    _seed_member_world(small_user, groups=1, sessions_per_group=3, members_per_group=2)
    large_user = MembershipFactory().user
    _seed_member_world(large_user, groups=5, sessions_per_group=12, members_per_group=5)
    feed = lambda user: reverse("sessions:feed", kwargs={"token": user.feed_token})  # noqa: E731
    cold_small, cold_large = (
        _count_queries(client, feed(small_user)),
        _count_queries(client, feed(large_user)),
    )
    warm_small, warm_large = (
        _count_queries(client, feed(small_user)),
        _count_queries(client, feed(large_user)),
    )
    assert cold_small == cold_large and warm_small == warm_large
    with django_assert_max_num_queries(3):
        client.get(feed(large_user))
    cache.clear()


def test_my_sessions_card_shows_my_decline_and_the_posted_reason_after_an_error(world, client_for, session):
    client = client_for(world.member)
    RSVPFactory(
        session=session, user=world.member, answer="decline", decline_reason="holiday", decline_note=""
    )
    html = client.get(url("mine")).content.decode()
    assert 'data-my-answer="decline"' in html
    assert re.search(r'<option value="holiday" selected>', html)
    assert not re.search(r'<option value="(busy|sick|other)" selected>', html)
    # Posted back with an error: the posted reason and note are shown, with the error, the form open.
    bad = client.post(
        url("rsvp", session_id=session.pk),
        {"answer": "decline", "decline_reason": "other", "decline_note": ""},
        headers={"hx-request": "true"},
    )
    html = bad.content.decode()
    assert bad.status_code == 400 and re.search(r'<option value="other" selected>', html)
    assert '<details class="flex-grow-1" open>' in html and "is-invalid" in html


def test_past_sessions_are_paginated_newest_first(world, client_for):
    now = timezone.now()
    past = [SessionFactory(group=world.group, starts_at=now - timedelta(days=7 * n)) for n in range(1, 24)]
    client = client_for(world.member)

    def page(number=None):
        response = client.get(url("mine"), {"eerder": number} if number is not None else {})
        assert response.status_code == 200
        table = response.content.decode().split('id="eerder"', 1)[1]
        return [int(pk) for pk in re.findall(r'href="/bijeenkomsten/(\d+)/"', table)], table

    first, table = page()
    assert first == [s.pk for s in past[:10]]
    assert 'href="?eerder=2#eerder"' in table and "?eerder=0" not in table
    second, table = page(2)
    assert second == [s.pk for s in past[10:20]]
    assert 'href="?eerder=1#eerder"' in table and 'href="?eerder=3#eerder"' in table
    third, table = page(3)
    assert third == [s.pk for s in past[20:]]
    assert 'href="?eerder=2#eerder"' in table and "?eerder=4" not in table
    assert page("nonsense")[0] == first and page(-4)[0] == first
    assert page(10**30)[0] == []  # far beyond the history: an empty page, not a 500


def test_sessions_a_rule_change_cancelled_show_only_to_those_who_had_answered(world, client_for):
    from datetime import time as dt_time

    from sessions.schedule import schedule_generate, schedule_save

    from .factories import ScheduleFactory

    tuesday = timezone.localdate() + timedelta(days=1)
    while tuesday.weekday() != 1:
        tuesday += timedelta(days=1)
    schedule = ScheduleFactory(
        group=world.group,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        first_date=tuesday,
        start_time=dt_time(14, 0),
        horizon_months=2,
    )
    schedule_generate(schedule=schedule)
    answered, unanswered = Session.objects.filter(group=world.group).order_by("starts_at")[1:3]
    RSVPFactory(session=answered, user=world.member, answer="attend")
    schedule.rrule = "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU"  # drops the 2nd and 3rd Tuesday
    cancelled = {s.pk for s in schedule_save(schedule=schedule).cancelled}
    assert {answered.pk, unanswered.pk} <= cancelled

    def cards(user):
        html = client_for(user).get(url("mine")).content.decode()
        return {int(pk) for pk in re.findall(r'id="session-(\d+)"', html)}

    mine = cards(world.member)
    assert answered.pk in mine and not (cancelled - {answered.pk}) & mine
    assert not cancelled & cards(world.facilitator)
    assert Session.objects.filter(group=world.group, status="planned").count() == len(
        cards(world.facilitator)
    )
