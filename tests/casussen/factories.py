"""Factories for the casussen app's models; sessions come from tests/sessions/factories.py."""

import factory
from django.utils import timezone

from casussen.models import Casus
from tests.factories import GroupFactory, UserFactory


class CasusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Casus

    group = factory.SubFactory(GroupFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Casustitel {n}")
    situatie = "Een situatie uit het werk."
    kernvraag = "Hoe kan ik dit beter aanpakken?"
    status = Casus.Status.SUBMITTED
    submitted_at = factory.LazyFunction(timezone.now)


def booked_casus(*, session, author, **kwargs) -> Casus:
    from casussen import services

    casus = CasusFactory(group=session.group, author=author, **kwargs)
    return services.casus_book(casus=casus, session=session)


def held_today(session):
    """A session booked for a later day, moved to today (keeping its length) so that its live guide may start:
    an hour from now, or later today if the day ends sooner (it stays upcoming, so casussen can still be
    booked on it, except in the day's last minute)."""
    from datetime import datetime, time, timedelta

    from sessions.models import Session

    if timezone.localdate(session.starts_at) > timezone.localdate():
        now = timezone.now()
        last_minute = datetime.combine(
            timezone.localdate(), time(23, 59), tzinfo=timezone.get_current_timezone()
        )
        start = min(now + timedelta(hours=1), last_minute)
        Session.objects.filter(pk=session.pk).update(
            starts_at=start, ends_at=start + (session.ends_at - session.starts_at)
        )
        session.refresh_from_db()
    return session


def start_live(*, session, casus):
    """Start the live guide as a facilitator does, on the session's day (``held_today``), through
    ``casussen.live.live_start``."""
    from casussen import live

    return live.live_start(session=held_today(session), casus=casus)
