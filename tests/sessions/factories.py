from datetime import timedelta

import factory
from django.utils import timezone

from sessions.models import RSVP, Schedule, Session
from tests.factories import GroupFactory


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(minutes=150))
    location = "Stadskantoor, kamer 2.14"


class RSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RSVP

    session = factory.SubFactory(SessionFactory)
    answer = RSVP.Answer.ATTEND


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    group = factory.SubFactory(GroupFactory)
    rrule = "FREQ=WEEKLY;INTERVAL=4;BYDAY=TU"
    duration_minutes = 150
    timezone = "Europe/Amsterdam"
    horizon_months = 6
