"""Signals sent by the groups services, inside the transaction of the change, so that apps further up
(notifications) can react without groups importing them (see ``sessions/signals.py`` for the pattern).

``membership_changed`` (sender=Membership; membership=Membership, active=bool)
    - active=True: ``services.invitation_accept`` created or re-activated the membership (or accepted an
      invitation for a membership that was already active, possibly raising the role to facilitator).
    - active=False: ``services.membership_deactivate`` ended an active membership (status ``left``).
"""

from django.dispatch import Signal

membership_changed = Signal()
