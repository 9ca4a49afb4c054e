"""Signals sent by the casussen services inside the transaction of the change, so that apps further up
(notifications) can react without casussen importing them.

``casus_requeued`` (sender=Casus; casus=Casus, session=Session)
    Sent by ``services.casussen_requeue_for_cancelled`` for each booked casus a cancelled session gave
    back to the queue (``casus.status`` is submitted again, ``casus.session`` None); ``session`` is the
    cancelled session.
"""

from django.dispatch import Signal

casus_requeued = Signal()
