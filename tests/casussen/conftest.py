import pytest

from tests.factories import MembershipFactory
from tests.sessions.factories import SessionFactory

from .factories import booked_casus


@pytest.fixture
def session(world):
    return SessionFactory(group=world.group)


@pytest.fixture
def presenter(world):
    return MembershipFactory(group=world.group).user


@pytest.fixture
def booked(session, presenter):
    return booked_casus(session=session, author=presenter)
