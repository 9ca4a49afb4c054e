"""Signals sent by the sessions services, inside the transaction of the change, so that apps further up
(notifications, dashboards) can react without sessions importing them. A receiver that writes rows (an
outbox) therefore commits or rolls back together with the change; one that talks to the outside world
should use ``transaction.on_commit``.

All are sent with keyword arguments as documented below; ``sender`` is the model class named.

``session_planned_or_changed`` (sender=Session; session=Session, created=bool, changed=set[str])
    - created=True, changed=set(): a session came into being. Sent by ``schedule.schedule_generate`` for
      every occurrence it creates (daily beat run and right after a schedule change) and by
      ``services.session_create`` for a one-off session.
    - created=False, changed={field names}: ``services.session_update`` changed a planned session; the
      names are among starts_at, ends_at, location, online_link (calendar fields: ``session.sequence``
      went up by one, so a new METHOD:REQUEST invite replaces the event) and method, presenter_slots,
      quorum_override, facilitator (no new SEQUENCE). Not sent when nothing changed.
    - created=False, changed={"status"}: ``schedule.schedule_generate`` restored a session that an
      earlier rule change had cancelled and that fits the rule again (planned again, SEQUENCE up by one:
      a new METHOD:REQUEST invite brings it back).

``session_cancelled`` (sender=Session; session=Session, reason=str)
    Sent by ``services.session_cancel`` (a facilitator/admin cancels, with reason) and by
    ``schedule.schedule_generate`` when a rule change leaves a future planned session outside the rule
    (``session.cancelled_by_schedule`` is then True; such sessions are cancelled, never deleted, because
    members got an invite for them). ``session.sequence`` went up by one (for the METHOD:CANCEL invite).

Both session signals carry ``schedule_change`` (str | None): the change id when the session is created,
moved, cancelled or restored by a confirmed schedule change (``schedule.schedule_save``), which is then
announced as a whole by ``schedule_changed``; None otherwise (the daily run, a one-off session, a
facilitator's edit or cancellation).

``schedule_changed`` (sender=Schedule; group=Group, schedule=Schedule, change_id=str, created, moved,
cancelled, restored: list[int] of session ids, moved_from: dict[int, datetime] (a moved session's start
before the change, UTC), held: dict[int, dict[str, list[int]]] (of each cancelled session, before the
change: ``"casus"`` the authors of its booked casussen, ``"rsvp"`` the members who said they would come
or might))
    Sent once per confirmed schedule change, after its transaction committed (``schedule.schedule_save``;
    not sent when the change does nothing). The change id is unique per change of that schedule.

``rsvp_changed`` (sender=RSVP; rsvp=RSVP, previous_answer=str | None)
    Sent by ``services.rsvp_set`` when a member's answer (or decline reason/note) is stored or changed;
    previous_answer is None for the first answer. Not sent when the same answer is posted again.

``session_held`` (sender=Session; session=Session)
    Status just became held, attendance rows written (sent by the casussen app's attendance service).

``presenter_changed`` (sender=Presenter; presenter=Presenter, claimed=bool)
    Sent by ``services.presenter_claim`` (claimed=True, after the slot row was inserted) and
    ``services.presenter_release`` (claimed=False, after the row was deleted: ``presenter.pk`` is None but
    session_id, user_id and slot are still set).

``phase_deadlines_changed`` (sender=Session; session=Session)
    Sent by ``written.session_format_set`` (a session switched to written or back to live: its deadlines
    were proposed or removed) and ``written.phase_deadline_move`` (one deadline moved).

``date_poll_opened`` (sender=DatePoll; poll=DatePoll)
    Sent by ``polls.poll_open`` when a facilitator opens a date poll (its options are saved): the members
    are asked to answer.

``date_poll_closed`` (sender=DatePoll; poll=DatePoll)
    Sent by ``polls.poll_confirm`` and ``polls.poll_close`` when a date poll closes (with or without a
    chosen option): its invitations to answer that have not gone out are no longer needed.

``rsvp_removed`` (sender=RSVP; session=Session, user_id=int)
    Sent by ``polls.poll_confirm`` for each member whose answer was removed because they gave none for the
    session's new date (inside its transaction, before the move): they are asked again, so what their old
    answer stopped (reminders, the nudge) is wanted again.

``roles_changed`` (sender=SessionRole; session=Session)
    Sent by ``roles.role_set`` inside its transaction when somebody hands over, takes or assigns a role of
    a session.
"""

from django.dispatch import Signal

session_planned_or_changed = Signal()
session_cancelled = Signal()
rsvp_changed = Signal()
session_held = Signal()
presenter_changed = Signal()
schedule_changed = Signal()
phase_deadlines_changed = Signal()
date_poll_opened = Signal()
date_poll_closed = Signal()
rsvp_removed = Signal()
roles_changed = Signal()
