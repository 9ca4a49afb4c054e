"""Signals sent by the sessions services, inside the transaction of the change, so that apps further up
(notifications, dashboards) can react without sessions importing them.

All are sent with ``sender=Session`` (or ``RSVP``) and keyword arguments as documented below.
"""

from django.dispatch import Signal

# session=Session, created=bool, changed=set[str] of changed field names (start/end/location/...)
session_planned_or_changed = Signal()
# session=Session, reason=str
session_cancelled = Signal()
# rsvp=RSVP, previous_answer=str | None
rsvp_changed = Signal()
# session=Session (status just became held, attendance rows written)
session_held = Signal()
# membership-independent: presenter=Presenter, claimed=bool (False when released)
presenter_changed = Signal()
