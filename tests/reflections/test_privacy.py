"""The 3-answer rule, final answer sets, and why no view (or pair of views) isolates one answer."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from reflections import selectors
from reflections.models import Reflection
from sessions.models import Attendance
from tests.html import texts
from tests.sessions.factories import held_session

from .factories import members, reflect


def _too_few(response) -> str:
    """The "too few reflections" notice as the page's language writes it (from the catalogue)."""
    with translation.override(response["Content-Language"]):
        return gettext("te weinig reflecties om te tonen")


def _means(response) -> list[Decimal]:
    """The means of the aggregate table, read back in the page's language (3,0 in Dutch)."""
    with translation.override(response["Content-Language"]):
        return [
            Decimal(formats.sanitize_separators(cell))
            for cell in texts(response.content.decode(), "td", class_="text-end")
        ]


def test_session_aggregate_hidden_below_three_and_shown_at_three(closed_window_session, crew):
    session = closed_window_session
    reflect(session, crew[0], 5)
    reflect(session, crew[1], 3)
    assert selectors.session_aggregates([session.pk]) == {session.pk: None}
    reflect(session, crew[2], 4, depth=1)
    aggregate = selectors.session_aggregates([session.pk])[session.pk]
    assert aggregate.answers == 3
    assert aggregate.mean("usefulness") == pytest.approx(4.0)
    assert aggregate.mean("depth") == pytest.approx((5 + 3 + 1) / 3)


def test_page_says_too_few_below_three_and_shows_means_at_three(
    closed_window_session, crew, world, client_for
):
    session = closed_window_session
    url = reverse("reflections:session", kwargs={"session_id": session.pk})
    reflect(session, crew[2], 2)
    reflect(session, crew[3], 2)
    client = client_for(world.facilitator)
    response = client.get(url)
    assert response.context["publication"].aggregate is None
    assert _too_few(response) in texts(response.content.decode(), "p", class_="text-body-secondary")
    assert texts(response.content.decode(), "table") == []  # no table of means at all
    reflect(session, crew[4], 5)
    response = client.get(url)
    aggregate = response.context["publication"].aggregate
    assert aggregate.answers == 3
    assert [mean for _label, mean in aggregate.rows()] == [pytest.approx((2 + 2 + 5) / 3)] * 6
    # One cell per question, each the selector's mean to one decimal.
    assert _means(response) == [round(Decimal(mean), 1) for _label, mean in aggregate.rows()]


def test_open_round_stays_hidden_until_everyone_answered(open_session, crew):
    """Three of six answers in an open round: hidden, else the fourth answer could be subtracted later."""
    for user in crew[:5]:
        reflect(open_session, user, 4)
    assert selectors.session_aggregates([open_session.pk])[open_session.pk] is None
    reflect(open_session, crew[5], 2)  # the last attendee: the round closes, the set is final
    aggregate = selectors.session_aggregates([open_session.pk])[open_session.pk]
    assert aggregate.answers == 6
    # ... and it cannot grow afterwards: an attendee added later may not write any more.
    late = members(open_session.group, 1)[0]
    Attendance.objects.create(session=open_session, user=late, status=Attendance.Status.PRESENT)
    assert selectors.reflection_pending_user_ids(open_session) == set()
    from reflections.services import ReflectionError

    with pytest.raises(ReflectionError) as error:
        reflect(open_session, late, 1)
    assert error.value.code == ReflectionError.CLOSED
    assert selectors.session_aggregates([open_session.pk])[open_session.pk] == aggregate


def test_round_closes_after_fourteen_days(open_session, crew):
    for user in crew[:3]:
        reflect(open_session, user, 4)
    assert selectors.session_aggregates([open_session.pk])[open_session.pk] is None
    later = selectors.reflection_closes_at(open_session) + timedelta(seconds=1)
    assert selectors.session_aggregates([open_session.pk], now=later)[open_session.pk].answers == 3


def test_facilitator_cannot_open_an_individual_reflection(closed_window_session, crew, world, client_for):
    mine = reflect(closed_window_session, world.member, 1, takeaway="geheim")
    url = reverse("reflections:detail", kwargs={"reflection_id": mine.pk})
    for user in (world.facilitator, world.admin, world.outsider, crew[3]):
        assert client_for(user).get(url).status_code == 404
    response = client_for(world.member).get(url)
    assert response.status_code == 200
    assert "geheim" in response.content.decode()


def _session_page(client, session) -> str:
    return client.get(reverse("reflections:session", kwargs={"session_id": session.pk})).content.decode()


SHARED = 'id="shared-takeaways"'


def test_takeaways_are_shared_only_when_ticked(closed_window_session, crew, world, client_for):
    reflect(closed_window_session, crew[0], 4, takeaway="Ik vraag vaker door", share_takeaway=True)
    reflect(closed_window_session, crew[1], 4, takeaway="Alleen voor mij")
    reflect(closed_window_session, crew[3], 4)
    page = _session_page(client_for(crew[2]), closed_window_session)
    assert SHARED in page and "Ik vraag vaker door" in page
    assert "Alleen voor mij" not in page
    assert crew[0].display_name not in page  # shared lines carry no name


def test_a_single_shared_takeaway_is_not_shown_even_after_the_window(closed_window_session, crew, client_for):
    """One answer: its text next to "1 reflectie ingevuld" would name its author."""
    reflect(closed_window_session, crew[0], 4, takeaway="Markering Eenling", share_takeaway=True)
    reflect(closed_window_session, crew[1], 4, takeaway="Markering Tweede", share_takeaway=True)
    assert selectors.shared_takeaways(closed_window_session) == []
    page = _session_page(client_for(crew[2]), closed_window_session)
    assert SHARED not in page
    assert "Markering Eenling" not in page and "Markering Tweede" not in page


def test_shared_takeaways_wait_for_the_round_to_close_like_the_scores(open_session, crew, client_for):
    for i, user in enumerate(crew[:5]):
        reflect(open_session, user, 4, takeaway=f"Markering Open {i}", share_takeaway=True)
    assert selectors.session_aggregates([open_session.pk])[open_session.pk] is None
    page = _session_page(client_for(crew[0]), open_session)
    assert SHARED not in page and "Markering Open 0" not in page
    assert selectors.shared_takeaways(open_session) == []
    # The 14 days passing publishes both at once ...
    later = selectors.reflection_closes_at(open_session) + timedelta(seconds=1)
    assert selectors.session_aggregates([open_session.pk], now=later)[open_session.pk] is not None
    assert len(selectors.shared_takeaways(open_session, now=later)) == 5
    # ... and so does the last attendee's answer.
    reflect(open_session, crew[5], 4)
    page = _session_page(client_for(crew[0]), open_session)
    assert SHARED in page
    assert all(f"Markering Open {i}" in page for i in range(5))


@pytest.fixture
def history(world, crew):
    """Three closed sessions a week apart: 4 answers, 1 answer, 3 answers."""
    now = timezone.now()
    sessions = [held_session(world.group, ended_ago=timedelta(days=d), present=crew) for d in (40, 33, 26)]
    for user in crew[:4]:
        reflect(sessions[0], user, 4)
    reflect(sessions[1], crew[1], 1, takeaway="uit de toon")  # the lonely answer we must never isolate
    for user in crew[:3]:
        reflect(sessions[2], user, 3)
    return sessions, now


def _local(session):
    return timezone.localtime(session.starts_at).date()


def test_period_that_leaves_fewer_than_three_shows_nothing(history, world, client_for):
    sessions, _now = history
    lonely = sessions[1]
    url = reverse("reflections:group", kwargs={"group_id": world.group.pk})
    day = _local(lonely).isoformat()
    response = client_for(world.facilitator).get(url, {"van": day, "tot": day})
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["total"] is None
    assert [publication.aggregate for _session, publication in response.context["rows"]] == [None]
    assert texts(page, "td", class_="text-end") == []  # no mean over the period
    assert len(texts(page, "td")) == 3  # the session's row: date, number of answers, "too few"
    assert texts(page, "td", class_="text-body-secondary") == [_too_few(response)]
    selected = selectors.held_sessions(world.group, start=_local(lonely), end=_local(lonely))
    assert selectors.group_aggregates(world.group, sessions=selected) is None


def test_overlapping_views_cannot_be_subtracted_to_isolate_one_answer(history, world):
    sessions, _now = history
    group = world.group
    everything = selectors.group_aggregates(group)
    without_lonely = selectors.group_aggregates(group, sessions=[sessions[0], sessions[2]])
    first_two = selectors.held_sessions(group, start=_local(sessions[0]), end=_local(sessions[1]))
    last_two = selectors.held_sessions(group, start=_local(sessions[1]), end=_local(sessions[2]))
    # The session with one answer contributes nothing to any view, so every difference is zero for it.
    assert everything == without_lonely
    assert everything.answers == 7
    assert selectors.group_aggregates(group, sessions=first_two).answers == 4
    assert selectors.group_aggregates(group, sessions=last_two).answers == 3
    # Every view is a sum of whole published sessions: any difference is one of those (>= 3 answers).
    difference = everything.answers - selectors.group_aggregates(group, sessions=first_two).answers
    assert difference == 3


def test_views_over_time_cannot_be_subtracted(world, crew):
    """A view before and after a new answer differs by a whole published session or not at all."""
    session = held_session(world.group, ended_ago=timedelta(days=30), present=crew)
    open_one = held_session(world.group, present=crew)
    for user in crew[:3]:
        reflect(session, user, 4)
    before = selectors.group_aggregates(world.group)
    reflect(open_one, crew[0], 1)
    reflect(open_one, crew[1], 1)
    reflect(open_one, crew[2], 1)
    assert selectors.group_aggregates(world.group) == before  # the open round is not counted yet


def test_no_member_filter_exists(history, world, client_for):
    """Narrowing by member is impossible: unknown parameters change nothing on the page."""
    url = reverse("reflections:group", kwargs={"group_id": world.group.pk})
    client = client_for(world.facilitator)

    def main(params=None):
        page = client.get(url, params or {}).content.decode()
        return page[page.index("<main") : page.index("</main>")]

    plain = main()
    total = client.get(url).context["total"]
    assert total.answers == 7  # the whole-group figures are there: 4 + 3, not the session with one answer
    assert len(texts(plain, "td", class_="text-end")) == len(total.rows())
    for params in ({"member": world.member.pk}, {"leden": world.member.pk}, {"user": world.member.pk}):
        assert main(params) == plain


def test_session_filter_on_small_session_shows_nothing(history, world, client_for):
    _sessions, _now = history
    lonely = _sessions[1]
    response = client_for(world.facilitator).get(
        reverse("reflections:session", kwargs={"session_id": lonely.pk})
    )
    page = response.content.decode()
    assert response.context["publication"].aggregate is None and texts(page, "table") == []
    assert _too_few(response) in texts(page, "p", class_="text-body-secondary")
    assert "uit de toon" not in page


def test_deleting_an_account_keeps_published_aggregates(history, world):
    sessions, _now = history
    before = selectors.session_aggregates([sessions[2].pk])[sessions[2].pk]
    author = Reflection.objects.filter(session=sessions[2]).first().author
    author.delete()
    assert selectors.session_aggregates([sessions[2].pk])[sessions[2].pk] == before


@pytest.mark.parametrize("params", [{"van": "2026-13-45"}, {"van": "2026-05-01", "tot": "2026-04-01"}])
def test_bad_period_is_a_form_error(world, client_for, params):
    response = client_for(world.member).get(
        reverse("reflections:group", kwargs={"group_id": world.group.pk}), params
    )
    assert response.status_code == 400
    assert response.context["form"].errors  # the form says what is wrong ...
    assert (  # ... and the page shows it at the form
        'class="invalid-feedback' in response.content.decode() or "alert-block" in response.content.decode()
    )
