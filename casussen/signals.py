"""Signals sent by the casussen services inside the transaction of the change, so that apps further up
(notifications) can react without casussen importing them.

``casus_requeued`` (sender=Casus; casus=Casus, session=Session)
    Sent by ``services.casussen_requeue_for_cancelled`` for each booked casus a cancelled session gave
    back to the queue (``casus.status`` is submitted again, ``casus.session`` None); ``session`` is the
    cancelled session.

``advance_summary_shared`` (sender=Casus; casus=Casus, user_ids=list[int])
    Sent by ``advance.advance_share_summary`` when the presenter shares their summary with the members who
    wrote in advance (``user_ids``: those newly shared with), inside its transaction.
"""

from django.dispatch import Signal

casus_requeued = Signal()
advance_summary_shared = Signal()
