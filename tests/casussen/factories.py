from datetime import timedelta

import factory
from django.utils import timezone

from casussen.models import Casus
from sessions.models import Method, Session
from tests.factories import GroupFactory, UserFactory


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    group = factory.SubFactory(GroupFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(minutes=150))
    method = factory.LazyFunction(lambda: Method.objects.get(slug="incidentmethode"))


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
