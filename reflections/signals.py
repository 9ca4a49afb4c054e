"""Signals of the reflections app, for apps further up (dashboards precompute per-session figures).

Sent with ``sender=Reflection`` inside the transaction of the change:
"""

from django.dispatch import Signal

# session=Session: every attendee has answered, so the round closed early and its aggregate (if it has
# >= 3 answers) is published now rather than 14 days after the session.
reflection_round_closed = Signal()
