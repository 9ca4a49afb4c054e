"""Signal receivers: run inside the groups and sessions services' transactions, so the outbox changes commit
or roll back with the change itself. Rows due right away are handed to a sender after the commit."""

from functools import partial

from django.db import transaction

from accounts import signals as account_signals
from casussen import signals as casus_signals
from groups import signals as group_signals
from sessions import signals

from . import planning


def _send_soon(ids: list[int]) -> None:
    """Queue a sender for rows due right away, after the commit. ``robust``: if the broker is down the
    change still stands and the next sweep sends these rows (the outbox is the source of truth)."""
    if ids:
        from .tasks import send_due

        transaction.on_commit(partial(send_due.delay, ids), robust=True)


def on_session_planned_or_changed(
    sender, *, session, created=False, changed=(), schedule_change=None, **kwargs
):
    _send_soon(
        planning.session_plan(
            session=session, created=created, changed=changed or (), schedule_change=schedule_change
        )
    )


def on_session_cancelled(sender, *, session, schedule_change=None, **kwargs):
    _send_soon(planning.plan_session_cancelled(session=session, schedule_change=schedule_change))


def on_schedule_changed(
    sender, *, group, schedule, change_id, created=(), moved=(), cancelled=(), restored=(), **kwargs
):
    """Sent after the change committed: the messages are planned in a transaction of their own."""
    with transaction.atomic():
        ids = planning.plan_schedule_changed(
            group_id=group.pk,
            schedule_id=schedule.pk,
            change_id=change_id,
            created=created,
            moved=moved,
            cancelled=cancelled,
            restored=restored,
            moved_from=kwargs.get("moved_from"),
            held=kwargs.get("held"),
        )
        _send_soon(ids)


def on_casus_requeued(sender, *, casus, session, **kwargs):
    _send_soon(planning.plan_casus_requeued(casus=casus, session=session))


def on_advance_summary_shared(sender, *, casus, user_ids, **kwargs):
    _send_soon(planning.plan_advance_summary(casus=casus, user_ids=user_ids))


def on_rsvp_changed(sender, *, rsvp, **kwargs):
    planning.rsvp_update(rsvp=rsvp)


def on_session_held(sender, *, session, **kwargs):
    planning.session_held(session=session)


def on_presenter_changed(sender, *, presenter, claimed=True, **kwargs):
    planning.presenter_update(presenter=presenter, claimed=claimed)


def on_phase_deadlines_changed(sender, *, session, **kwargs):
    from .written_planning import plan_written

    plan_written(session=session)


def on_membership_changed(sender, *, membership, active, **kwargs):
    if active:
        from .written_planning import plan_written_for_group

        _send_soon(planning.member_join(group_id=membership.group_id, user_id=membership.user_id))
        plan_written_for_group(group_id=membership.group_id)
    else:
        planning.member_leave(group_id=membership.group_id, user_id=membership.user_id)


def on_invitation_sent(sender, *, invitation, **kwargs):
    _send_soon(planning.invitation_queue(invitation=invitation))


def on_password_reset_requested(sender, *, user, **kwargs):
    _send_soon(planning.password_reset_queue(user_id=user.pk))


def connect() -> None:
    uid = "notifications"
    account_signals.password_reset_requested.connect(
        on_password_reset_requested, dispatch_uid=f"{uid}.password_reset"
    )
    group_signals.membership_changed.connect(on_membership_changed, dispatch_uid=f"{uid}.membership")
    group_signals.invitation_sent.connect(on_invitation_sent, dispatch_uid=f"{uid}.invitation")
    signals.session_planned_or_changed.connect(on_session_planned_or_changed, dispatch_uid=f"{uid}.planned")
    signals.session_cancelled.connect(on_session_cancelled, dispatch_uid=f"{uid}.cancelled")
    signals.schedule_changed.connect(on_schedule_changed, dispatch_uid=f"{uid}.schedule_changed")
    casus_signals.casus_requeued.connect(on_casus_requeued, dispatch_uid=f"{uid}.casus_requeued")
    casus_signals.advance_summary_shared.connect(
        on_advance_summary_shared, dispatch_uid=f"{uid}.advance_summary_shared"
    )
    signals.rsvp_changed.connect(on_rsvp_changed, dispatch_uid=f"{uid}.rsvp")
    signals.session_held.connect(on_session_held, dispatch_uid=f"{uid}.held")
    signals.presenter_changed.connect(on_presenter_changed, dispatch_uid=f"{uid}.presenter")
    from .poll_mail import on_date_poll_closed, on_date_poll_opened, on_rsvp_removed

    signals.date_poll_opened.connect(on_date_poll_opened, dispatch_uid=f"{uid}.date_poll")
    signals.rsvp_removed.connect(on_rsvp_removed, dispatch_uid=f"{uid}.rsvp_removed")
    signals.date_poll_closed.connect(on_date_poll_closed, dispatch_uid=f"{uid}.date_poll_closed")
    signals.phase_deadlines_changed.connect(on_phase_deadlines_changed, dispatch_uid=f"{uid}.phase_deadlines")
