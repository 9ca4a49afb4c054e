"""What one reader may see and do on a session's page, on top of the group level that
``groups.permissions`` checks (``Need.MEMBER`` to open the page). The page and its tests ask these
abilities by name (``can.see_decline_reasons``, …).

- Why someone declined ("ziek", "vakantie", a note) can be health information: only the group's
  facilitators see the reason; the other members see that someone cannot come.
- Facilitators and organisation admins change and cancel a planned session.
- Facilitators register attendance, once the session has begun.
"""

from dataclasses import dataclass

from django.utils import timezone

from groups.permissions import Access, Need

from .models import Session


def may_see_decline_reasons(access: Access) -> bool:
    return access.is_facilitator


@dataclass(frozen=True)
class SessionAbilities:
    manage: bool
    see_decline_reasons: bool
    register_attendance: bool


def session_abilities(session: Session, access: Access) -> SessionAbilities:
    return SessionAbilities(
        manage=access.allows(Need.MANAGE) and session.status == Session.Status.PLANNED,
        see_decline_reasons=may_see_decline_reasons(access),
        register_attendance=access.allows(Need.FACILITATE)
        and session.status != Session.Status.CANCELLED
        and session.starts_at <= timezone.now(),
    )
