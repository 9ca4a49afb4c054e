"""Dashboard test helpers: wall-clock times in Europe/Amsterdam (held sessions come from
tests/sessions/factories.held_session)."""

from datetime import datetime
from zoneinfo import ZoneInfo


def local(year, month, day, hour=19, minute=0) -> datetime:
    """An Europe/Amsterdam wall-clock time."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo("Europe/Amsterdam"))
