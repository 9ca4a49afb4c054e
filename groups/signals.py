"""Signals sent by the groups services, inside the transaction of the change, so that apps further up
(notifications) can react without groups importing them (see ``sessions/signals.py`` for the pattern).

``membership_changed`` (sender=Membership; membership=Membership, active=bool)
    - active=True: ``services.invitation_accept`` created or re-activated the membership (or accepted an
      invitation for a membership that was already active, possibly raising the role to facilitator).
    - active=True: ``services.membership_role_change`` changed an active member's role (member ↔
      facilitator); ``membership.role`` is the new role.
    - active=False: ``services.membership_deactivate`` ended an active membership (status ``left``), also
      when ``services.invitation_revoke`` revoked the accepted invitation it rested on.

``invitation_sent`` (sender=Invitation; invitation=Invitation)
    ``services.invitation_send``: the invitation's e-mail is to go out, at its creation and at each resend
    (``invitation.sent_at`` tells the sends apart). notifications queues it in its outbox, which makes the
    accept link when it sends the mail.

``group_changed`` (sender=Group; group=Group, changed=set[str])
    ``services.group_update`` saved new settings; ``changed`` holds the names of the fields that changed
    (e.g. reminder_first_days, quorum, is_active). Not sent when nothing changed.
"""

from django.dispatch import Signal

membership_changed = Signal()
group_changed = Signal()
invitation_sent = Signal()
