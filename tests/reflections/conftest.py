from datetime import timedelta

import pytest

from tests.sessions.factories import held_session

from .factories import members


@pytest.fixture
def crew(world):
    """The world's group with four extra members: facilitator, member and four others attend."""
    extra = members(world.group, 4)
    return [world.facilitator, world.member, *extra]


@pytest.fixture
def open_session(world, crew):
    """Held 3 hours ago: reflections open for 14 days; six attendees, the member presents."""
    return held_session(world.group, present=crew, presenters=[world.member])


@pytest.fixture
def closed_window_session(world, crew):
    """Held 20 days ago: the 14-day window has passed."""
    return held_session(world.group, ended_ago=timedelta(days=20), present=crew)
