import pytest

from tests.factories import MembershipFactory

from .factories import SessionFactory, booked_casus


@pytest.fixture
def session(world):
    return SessionFactory(group=world.group)


@pytest.fixture
def presenter(world):
    return MembershipFactory(group=world.group).user


@pytest.fixture
def booked(session, presenter):
    return booked_casus(session=session, author=presenter)
