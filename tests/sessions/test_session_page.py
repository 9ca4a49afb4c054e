"""The one session page (``sessions:detail``): what each role sees there, structurally, before, during and
after the session; the old casussen address redirects to it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from casussen import live
from casussen.models import Casus
from reflections.models import FollowUp
from sessions.models import RSVP, Presenter, Session
from tests.casussen.factories import booked_casus
from tests.factories import MembershipFactory
from tests.html import Element, tree
from tests.reflections.factories import decline, reflect
from tests.sessions.factories import RSVPFactory, SessionFactory, held_session

pytestmark = pytest.mark.django_db


def page(client, session) -> Element:
    response = client.get(reverse("sessions:detail", kwargs={"session_id": session.pk}))
    assert response.status_code == 200
    return tree(response.content)


def _booked_today(world) -> Session:
    """A session of today with the member's casus booked on it (booked while it was still ahead)."""
    session = SessionFactory(group=world.group)
    booked_casus(session=session, author=world.member)
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    session.refresh_from_db()
    return session


def test_stages_are_in_time_order(world, client_for):
    session = SessionFactory(group=world.group)
    soup = page(client_for(world.member), session)
    stages = [section["id"] for section in soup.find_all("section") if section["id"].startswith("stage-")]
    assert stages == ["stage-before", "stage-during", "stage-after"]
    before = soup.by_id("stage-before")
    assert (
        before.by_id("session-when")
        .find("time")["datetime"]
        .startswith(timezone.localtime(session.starts_at).isoformat()[:16])
    )
    assert before.by_id("session-where").text == session.location
    assert before.by_id(f"session-{session.pk}") is not None  # the RSVP card
    assert before.find(data_panel="casus") is not None
    assert before.find(data_panel="method").by_id("method-phases").find("li") is not None
    assert soup.by_id("stage-during").find(data_panel="live") is not None


@pytest.mark.parametrize(("role", "sees_reason"), [("member", False), ("facilitator", True)])
def test_decline_reasons_only_for_the_facilitator(world, client_for, role, sees_reason):
    session = SessionFactory(group=world.group)
    peer = MembershipFactory(group=world.group).user
    RSVPFactory(
        session=session,
        user=peer,
        answer=RSVP.Answer.DECLINE,
        decline_reason=RSVP.Reason.SICK,
        decline_note="griep",
    )
    soup = page(client_for(world.user_for(role)), session)
    entry = soup.by_id("roster-decline").find(data_member=str(peer.pk))
    assert entry is not None
    reason = entry.find(data_decline_reason=True)
    assert (reason is not None) is sees_reason
    assert ("griep" in entry.text) is sees_reason
    assert soup.by_id("roster")["data-reasons-visible"] == ("true" if sees_reason else "false")
    if sees_reason:
        assert reason["data-decline-reason"] == RSVP.Reason.SICK


def test_the_roster_given_to_a_member_carries_no_reasons(world, client_for):
    session = SessionFactory(group=world.group)
    peer = MembershipFactory(group=world.group).user
    decline(session, peer, reason=RSVP.Reason.SICK)
    response = client_for(world.member).get(reverse("sessions:detail", kwargs={"session_id": session.pk}))
    reasons = [rsvp.decline_reason for _m, rsvp in response.context["roster"].decline]
    assert reasons == [""]


def test_booked_casus_shows_title_and_kernvraag_to_members(world, client_for):
    session = SessionFactory(group=world.group)
    casus = booked_casus(session=session, author=world.member, kernvraag="Hoe zeg ik nee?")
    soup = page(client_for(world.facilitator), session)
    card = soup.find(data_panel="casus").find(data_casus=str(casus.pk))
    assert card["data-casus-status"] == Casus.Status.BOOKED
    assert "Hoe zeg ik nee?" in card.find(data_kernvraag=True).text
    assert card.find("a", href=reverse("casussen:detail", kwargs={"casus_id": casus.pk}))


def test_live_start_only_from_the_sessions_day(world, client_for):
    session = SessionFactory(group=world.group)
    booked_casus(session=session, author=world.member)
    soup = page(client_for(world.facilitator), session)
    assert soup.by_id("live-start-button") is None
    later = soup.by_id("live-start-later")
    assert later["data-start-opens-on"] == timezone.localdate(session.starts_at).isoformat()

    today = SessionFactory(group=world.group)
    booked_casus(session=today, author=world.facilitator)
    Session.objects.filter(pk=today.pk).update(starts_at=timezone.now())  # booked ahead, held today
    soup = page(client_for(world.facilitator), today)
    form = soup.by_id("live-start-button").ancestor("form")
    assert form["action"] == reverse("casussen:live_start", kwargs={"session_id": today.pk})
    # a member never gets the start button, on the day either
    assert page(client_for(world.member), today).by_id("live-start-button") is None


def test_a_running_discussion_can_be_joined(world, client_for):
    session = _booked_today(world)
    casus = session.casussen.get()
    live.live_start(session=session, casus=casus)
    soup = page(client_for(world.member), session)
    assert soup.find(data_panel="live")["data-run-state"] == "running"
    assert soup.by_id("live-join")["href"] == reverse("casussen:live", kwargs={"session_id": session.pk})


@pytest.mark.parametrize(("role", "has_link"), [("member", False), ("facilitator", True)])
def test_attendance_link_for_the_facilitator_once_begun(world, client_for, role, has_link):
    assert (
        page(client_for(world.facilitator), SessionFactory(group=world.group)).by_id("attendance-link")
        is None
    )
    begun = timezone.now() - timedelta(hours=1)
    session = SessionFactory(group=world.group, starts_at=begun, ends_at=begun + timedelta(hours=2))
    link = page(client_for(world.user_for(role)), session).by_id("stage-after").by_id("attendance-link")
    assert (link is not None) is has_link
    if has_link:
        assert link["href"] == reverse("sessions:attendance", kwargs={"session_id": session.pk})


def test_after_the_session_an_attendee_is_asked_to_reflect(world, client_for):
    session = held_session(world.group, present=[world.member, world.facilitator])
    soup = page(client_for(world.member), session)
    link = soup.by_id("stage-after").by_id("reflection-write")
    assert link["href"] == reverse("reflections:write", kwargs={"session_id": session.pk})
    reflect(session, world.member)
    soup = page(client_for(world.member), session)
    assert soup.by_id("reflection-write") is None
    assert soup.by_id("reflection-own") is not None


def test_reflections_not_open_before_the_session_is_held(world, client_for):
    soup = page(client_for(world.member), SessionFactory(group=world.group))
    panel = soup.find(data_panel="reflections")
    assert panel["data-held"] == "false"
    assert panel.by_id("reflection-write") is None


def test_follow_up_link_only_once_it_can_be_opened(world, client_for):
    session = held_session(world.group, present=[world.member], presenters=[world.member])
    soup = page(client_for(world.member), session)
    assert soup.by_id("followup-link") is None
    due = timezone.localdate(session.ends_at + timedelta(weeks=world.group.followup_weeks))
    assert soup.by_id("followup-later")["data-followup-opens-on"] == due.isoformat()

    weeks_ago = timedelta(weeks=world.group.followup_weeks, days=1)
    old = held_session(world.group, present=[world.member], presenters=[world.member], ended_ago=weeks_ago)
    link = page(client_for(world.member), old).by_id("followup-link")
    url = reverse("reflections:followup", kwargs={"session_id": old.pk})
    assert link["href"] == url
    assert client_for(world.member).get(url).status_code == 200


def test_follow_up_is_the_presenters_only(world, client_for):
    weeks_ago = timedelta(weeks=world.group.followup_weeks, days=1)
    session = held_session(
        world.group, present=[world.member, world.facilitator], presenters=[world.member], ended_ago=weeks_ago
    )
    soup = page(client_for(world.facilitator), session)
    assert soup.by_id("followup-link") is None and soup.by_id("followup-later") is None
    assert not FollowUp.objects.exists()


def test_presenters_summary_after_the_discussion(world, client_for):
    session = _booked_today(world)
    casus = session.casussen.get()
    run = live.live_start(session=session, casus=casus)
    live.live_step(run=run, action="finish")
    Casus.objects.filter(pk=casus.pk).update(takeaways="Eerst luisteren", outcome="Rust")
    author_view = page(client_for(world.member), session)
    assert (
        author_view.find(data_panel="summary").find(data_casus=str(casus.pk)).find(data_summary=True)
        is not None
    )
    assert author_view.by_id("summary-write") is not None
    peer_view = page(client_for(world.facilitator), session)
    assert (
        peer_view.find(data_panel="summary").find(data_casus=str(casus.pk)).find(data_summary=True)
        is not None
    )
    assert peer_view.by_id("summary-write") is None
    assert Presenter.objects.filter(session=session, user=world.member).exists()


def test_old_casussen_address_redirects_permanently(world, client_for):
    session = SessionFactory(group=world.group)
    response = client_for(world.member).get(reverse("casussen:session", kwargs={"session_id": session.pk}))
    assert response.status_code == 301
    assert response["Location"] == reverse("sessions:detail", kwargs={"session_id": session.pk})


@pytest.mark.parametrize(
    ("role", "steps"),
    [("member", ["reflection", "session"]), ("facilitator", ["attendance", "reflection", "session"])],
)
def test_after_finishing_the_live_page_shows_the_next_steps(world, client_for, role, steps):
    session = _booked_today(world)
    casus = session.casussen.get()
    run = live.live_start(session=session, casus=casus)
    live_page = reverse("casussen:live", kwargs={"session_id": session.pk})
    assert tree(client_for(world.facilitator).get(live_page).content).by_id("live-next-steps") is None
    live.live_step(run=run, action="finish")
    next_steps = tree(client_for(world.user_for(role)).get(live_page).content).by_id("live-next-steps")
    links = {link["data-next-step"]: link["href"] for link in next_steps.find_all("a", data_next_step=True)}
    assert list(links) == steps
    assert links["reflection"] == reverse("reflections:session", kwargs={"session_id": session.pk})
    assert links["session"].startswith(reverse("sessions:detail", kwargs={"session_id": session.pk}))
    if "attendance" in links:
        assert links["attendance"] == reverse("sessions:attendance", kwargs={"session_id": session.pk})


def test_a_cancelled_session_has_no_during_or_after(world, client_for):
    session = SessionFactory(group=world.group, status=Session.Status.CANCELLED, cancellation_reason="Ziekte")
    soup = page(client_for(world.facilitator), session)
    assert soup.by_id("session-header")["data-session-status"] == Session.Status.CANCELLED
    assert [s["id"] for s in soup.find_all("section") if s["id"].startswith("stage-")] == ["stage-before"]
