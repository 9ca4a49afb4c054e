from dataclasses import dataclass

import pytest

from sessions.models import RSVP, Attendance, Session
from tests.factories import MembershipFactory
from tests.sessions.factories import held_session

from .factories import local

P, L, E, A = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.EXCUSED,
    Attendance.Status.ABSENT,
)


@dataclass
class History:
    """Four held sessions of ``world.group`` with hand-computed figures (see the docstring of history)."""

    sessions: list[Session]
    anna: object
    bram: object
    cees: object


@pytest.fixture
def history(world) -> History:
    """world.group: facilitator F, member M, plus Anna, Bram, Cees.

    | session (local)      | F | M | Anna      | Bram      | Cees   | rate | minutes, break | net |
    | 2025-12-08 19:00     | P | P | P         | P         | P      | 5/5  | 150, 15        | 135 |
    | 2026-01-12 19:00     | P | L | P         | E (busy)  | A      | 3/5  | 120, 0         | 120 |
    | 2026-02-09 19:00     | P | P | E (sick)  | E (busy)  | A      | 2/5  | 180, 30        | 150 |
    | 2026-04-13 19:00 DST | P | P | P         | E (busy)  | A      | 3/5  | 150, 10        | 140 |

    Mean rate 65%; net 545 minutes (9,08 h); 'te druk' 3 of 4 declines (75%); Bram and Cees fade.
    Member M attended all four: 2025 one session (135 min), 2026 three (410 min).
    """
    group, f, m = world.group, world.facilitator, world.member
    anna = MembershipFactory(group=group, user__display_name="Anna de Vries").user
    bram = MembershipFactory(group=group, user__display_name="Bram Jansen").user
    cees = MembershipFactory(group=group, user__display_name="Cees Smit").user
    busy, sick = RSVP.Reason.BUSY, RSVP.Reason.SICK
    rows = [
        (local(2025, 12, 8), {f: P, m: P, anna: P, bram: P, cees: P}, 150, 15, {}),
        (local(2026, 1, 12), {f: P, m: L, anna: P, bram: E, cees: A}, 120, 0, {bram: busy}),
        (local(2026, 2, 9), {f: P, m: P, anna: E, bram: E, cees: A}, 180, 30, {anna: sick, bram: busy}),
        (local(2026, 4, 13), {f: P, m: P, anna: P, bram: E, cees: A}, 150, 10, {bram: busy}),
    ]
    sessions = [
        held_session(
            group, starts_at=when, attendance=attendance, minutes=minutes, break_minutes=pause,
            facilitator=f, declines=declines, presenters=[m] if n == 1 else [], announce=True,
        )
        for n, (when, attendance, minutes, pause, declines) in enumerate(rows)
    ]  # fmt: skip
    return History(sessions=sessions, anna=anna, bram=bram, cees=cees)
