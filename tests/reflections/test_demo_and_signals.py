from datetime import timedelta

from reflections import demo, selectors
from reflections.models import FollowUp, Reflection
from reflections.signals import reflection_round_closed
from tests.sessions.factories import held_session

from .factories import reflect


def test_demo_seed_fills_held_sessions_once(world, crew):
    old = held_session(world.group, ended_ago=timedelta(weeks=6), present=crew, presenters=[world.member])
    users = {f"u{i}": user for i, user in enumerate(crew)}
    demo.seed(group=world.group, users=users)
    demo.seed(group=world.group, users=users)  # safe twice
    # Every attendee wrote one, but the one in seven the demo lets skip (which one depends on the ids).
    writers = {user.pk for user in crew if not demo.skips(old.pk, user.pk)}
    assert set(Reflection.objects.filter(session=old).values_list("author_id", flat=True)) == writers
    assert Reflection.objects.filter(session=old).count() == len(writers)
    assert FollowUp.objects.filter(session=old).count() == 1
    assert selectors.session_aggregates([old.pk])[old.pk].answers == len(writers)


def test_demo_seed_without_held_sessions_does_nothing(world, crew):
    demo.seed(group=world.group, users={"a": crew[0]})
    assert not Reflection.objects.exists()


def test_round_closed_signal_when_everyone_answered(world, crew):
    session = held_session(world.group, present=crew[:3])
    seen = []

    def receiver(sender, session, **kwargs):
        seen.append(session.pk)

    reflection_round_closed.connect(receiver)
    try:
        reflect(session, crew[0])
        reflect(session, crew[1])
        assert seen == []
        reflect(session, crew[2])
        assert seen == [session.pk]
    finally:
        reflection_round_closed.disconnect(receiver)
