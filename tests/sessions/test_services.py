from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from sessions import services
from sessions.models import RSVP, Presenter, Session
from sessions.signals import presenter_changed, rsvp_changed, session_cancelled, session_planned_or_changed
from tests.factories import MembershipFactory

from .factories import SessionFactory


@pytest.fixture
def received():
    events = []

    def make(name):
        def receiver(sender, **kwargs):
            events.append((name, kwargs))

        return receiver

    receivers = {
        session_planned_or_changed: make("planned"),
        session_cancelled: make("cancelled"),
        rsvp_changed: make("rsvp"),
        presenter_changed: make("presenter"),
    }
    for signal, receiver in receivers.items():
        signal.connect(receiver, weak=False)
    yield events
    for signal, receiver in receivers.items():
        signal.disconnect(receiver)


@pytest.fixture
def session(world):
    return SessionFactory(group=world.group)


def test_rsvp_set_and_change_until_start(world, session, received):
    first = services.rsvp_set(session=session, user=world.member, answer=RSVP.Answer.ATTEND)
    assert received[-1] == ("rsvp", {"signal": rsvp_changed, "rsvp": first, "previous_answer": None})
    changed = services.rsvp_set(
        session=session, user=world.member, answer=RSVP.Answer.DECLINE, decline_reason=RSVP.Reason.BUSY
    )
    assert changed.pk == first.pk and changed.decline_reason == "busy"
    assert received[-1][1]["previous_answer"] == "attend"
    assert RSVP.objects.filter(session=session).count() == 1

    # The same answer again is no change: no signal.
    count = len(received)
    services.rsvp_set(
        session=session, user=world.member, answer=RSVP.Answer.DECLINE, decline_reason=RSVP.Reason.BUSY
    )
    assert len(received) == count

    # Once the session has started, answers are final.
    with pytest.raises(services.SessionError):
        services.rsvp_set(
            session=session,
            user=world.member,
            answer=RSVP.Answer.ATTEND,
            now=session.starts_at + timedelta(minutes=1),
        )


def test_decline_needs_a_reason_and_other_answers_drop_it(world, session):
    with pytest.raises(ValidationError):
        services.rsvp_set(session=session, user=world.member, answer=RSVP.Answer.DECLINE)
    rsvp = services.rsvp_set(
        session=session, user=world.member, answer=RSVP.Answer.MAYBE, decline_reason="sick", decline_note="x"
    )
    assert (rsvp.decline_reason, rsvp.decline_note) == ("", "")


@pytest.mark.parametrize("who", ["outsider", "former_member", "admin"])
def test_non_members_cannot_rsvp_or_claim(world, session, who):
    user = getattr(world, who)
    with pytest.raises(services.SessionError):
        services.rsvp_set(session=session, user=user, answer=RSVP.Answer.ATTEND)
    with pytest.raises(services.SessionError):
        services.presenter_claim(session=session, user=user)
    assert not RSVP.objects.exists() and not Presenter.objects.exists()


def test_cancelled_session_takes_no_answers(world, session, received):
    services.session_cancel(session=session, reason="Ziek")
    session.refresh_from_db()
    assert (session.status, session.cancellation_reason, session.sequence) == ("cancelled", "Ziek", 1)
    assert received[-1][0] == "cancelled" and received[-1][1]["reason"] == "Ziek"
    with pytest.raises(services.SessionError):
        services.rsvp_set(session=session, user=world.member, answer=RSVP.Answer.ATTEND)
    with pytest.raises(services.SessionError):
        services.session_cancel(session=session, reason="nogmaals")


def test_cancel_needs_a_reason(session):
    with pytest.raises(ValidationError):
        services.session_cancel(session=session, reason="  ")
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED


def test_reschedule_raises_sequence_and_tells_members(session, received):
    new_start = session.starts_at + timedelta(days=1)
    changed = services.session_update(
        session=session, starts_at=new_start, ends_at=new_start + timedelta(hours=2)
    )
    assert changed == {"starts_at", "ends_at"}
    session.refresh_from_db()
    assert session.sequence == 1
    assert received[-1][0] == "planned"
    assert received[-1][1]["created"] is False and received[-1][1]["changed"] == {"starts_at", "ends_at"}

    # A change that does not move the event keeps SEQUENCE; no change sends nothing.
    services.session_update(session=session, quorum_override=2)
    session.refresh_from_db()
    assert session.sequence == 1 and session.quorum == 2
    count = len(received)
    assert services.session_update(session=session, quorum_override=2) == set()
    assert len(received) == count


def test_one_off_session_is_announced(world, received):
    start = timezone.now() + timedelta(days=3)
    session = services.session_create(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
    assert session.recurrence_id is None
    assert received[-1][0] == "planned" and received[-1][1]["created"] is True
    with pytest.raises(ValidationError):
        services.session_create(group=world.group, starts_at=start, ends_at=start - timedelta(hours=1))


def test_presenter_claim_release(world, session, received):
    other = MembershipFactory(group=world.group).user
    claim = services.presenter_claim(session=session, user=world.member)
    assert claim.slot == 1 and received[-1][1]["claimed"] is True
    with pytest.raises(services.SessionError):
        services.presenter_claim(session=session, user=world.member)  # one slot per member
    with pytest.raises(services.SessionError):
        services.presenter_claim(session=session, user=other)  # the only slot is taken
    services.presenter_release(session=session, user=world.member)
    assert received[-1][1]["claimed"] is False and received[-1][1]["presenter"].user_id == world.member.pk
    assert services.presenter_claim(session=session, user=other).slot == 1


def test_presenter_slots_limited_by_method(world):
    from sessions.models import Method

    session = SessionFactory(group=world.group, method=None)  # no werkvorm yet: any number of slots
    method = Method.objects.create(slug="balint-test", name_nl="Balint", name_en="Balint", max_presenters=1)
    with pytest.raises(ValidationError):
        services.session_update(session=session, method=method, presenter_slots=2)
    services.session_update(session=session, presenter_slots=2)
    services.presenter_claim(session=session, user=world.member)
    services.presenter_claim(session=session, user=world.facilitator)
    with pytest.raises(ValidationError):
        services.session_update(session=session, presenter_slots=1)
