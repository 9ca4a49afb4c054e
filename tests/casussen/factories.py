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
