"""Members who join a group after its sessions were planned get their messages; members who leave lose the
ones that did not go out yet (groups' ``membership_changed`` signal)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from groups.models import Membership
from groups.services import invitation_accept, membership_deactivate
from notifications import sweep
from notifications.models import CancelReason, Kind, Outbox, Status
from notifications.planning import local_days_before
from sessions.calendar import session_zone
from tests.factories import InvitationFactory, UserFactory

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db

BEFORE = {Kind.REMINDER_FIRST, Kind.REMINDER_SECOND, Kind.RSVP_NUDGE, Kind.NO_CASUS}


def join(group, user, role=Membership.Role.MEMBER):
    invitation = InvitationFactory(group=group, email=user.email, role=role)
    return invitation_accept(invitation_id=invitation.pk, user=user)


def rows_of(user, session, **filters):
    return Outbox.objects.filter(recipient=user, session=session, **filters)


def test_a_member_who_joins_gets_the_invite_and_reminders_of_upcoming_sessions(
    django_capture_on_commit_callbacks,
):
    group, _, (anna,) = group_with_members(members=1)
    soon = plan_session(group, starts_at=timezone.now() + timedelta(days=10))
    later = plan_session(group, starts_at=timezone.now() + timedelta(days=24))
    past = plan_session(group, starts_at=timezone.now() + timedelta(hours=1))
    Outbox.objects.filter(session=past).delete()
    past.starts_at = timezone.now() - timedelta(days=1)  # a session that already started: nothing for it
    type(past).objects.filter(pk=past.pk).update(
        starts_at=past.starts_at, ends_at=past.starts_at + timedelta(hours=2)
    )
    others = set(Outbox.objects.values_list("id", "kind", "recipient_id", "due_at", "status"))
    bram = UserFactory()
    assert not Outbox.objects.filter(recipient=bram).exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        join(group, bram)

    for session in (soon, later):
        mine = rows_of(bram, session, status=Status.PENDING)
        assert set(mine.values_list("kind", flat=True)) == BEFORE | {Kind.INVITE}
        zone = session_zone(session)
        reminder = mine.get(kind=Kind.REMINDER_FIRST)
        assert reminder.due_at == local_days_before(session.starts_at, group.reminder_first_days, zone)
        assert mine.get(kind=Kind.INVITE).subject_key == f"session:{session.pk}:invite:{session.sequence}"
    assert not Outbox.objects.filter(recipient=bram, session=past).exists()
    # The other members' rows are as they were.
    assert (
        set(
            Outbox.objects.exclude(recipient=bram).values_list(
                "id", "kind", "recipient_id", "due_at", "status"
            )
        )
        == others
    )
    # The invites are handed to a sender after the commit, and go out (with the .ics) to the new member.
    from notifications.tasks import send_due

    queued = [c.args[0] for c in callbacks if getattr(c, "func", None) == send_due.delay]
    invites = Outbox.objects.filter(recipient=bram, kind=Kind.INVITE).values_list("id", flat=True)
    assert [sorted(ids) for ids in queued] == [sorted(invites)]
    sweep.sweep_once()
    invites = [m for m in mail.outbox if m.to == [bram.email]]
    assert len(invites) == 2 and all(m.attachments for m in invites)


def test_a_facilitator_who_joins_also_gets_the_quorum_warning():
    group, _, _ = group_with_members(members=1)
    session = plan_session(group)
    carla = UserFactory()
    join(group, carla, role=Membership.Role.FACILITATOR)
    assert rows_of(carla, session, kind=Kind.QUORUM_RISK, status=Status.PENDING).exists()


def test_a_member_who_leaves_loses_only_their_unsent_messages_and_gets_them_back_on_rejoining():
    group, _, (anna, bram) = group_with_members(members=2)
    session = plan_session(group)
    sweep.sweep_once()  # the invites go out
    assert rows_of(bram, session, kind=Kind.INVITE, status=Status.SENT).exists()
    pending_before = set(rows_of(bram, session, status=Status.PENDING).values_list("id", "kind", "due_at"))
    assert {kind for _, kind, _ in pending_before} == BEFORE

    membership_deactivate(membership=Membership.objects.get(group=group, user=bram))

    assert not rows_of(bram, session, status=Status.PENDING).exists()
    cancelled = rows_of(bram, session, status=Status.CANCELLED)
    assert set(cancelled.values_list("kind", flat=True)) == BEFORE
    assert set(cancelled.values_list("cancel_reason", flat=True)) == {CancelReason.LEFT}
    assert rows_of(bram, session, kind=Kind.INVITE, status=Status.SENT).exists()  # sent stays sent
    assert set(rows_of(anna, session, status=Status.PENDING).values_list("kind", flat=True)) == BEFORE

    mail.outbox.clear()
    join(group, bram)
    # Back to what they had: the same rows, pending with the same times, and no second invite for the
    # version of the session they already have in their calendar.
    assert (
        set(rows_of(bram, session, status=Status.PENDING).values_list("id", "kind", "due_at"))
        == pending_before
    )
    assert rows_of(bram, session, kind=Kind.INVITE).count() == 1
    sweep.sweep_once()
    assert mail.outbox == []


def test_the_sweep_still_skips_a_row_of_someone_who_left():
    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group)
    # A row forced back to pending after leaving (or one the leave missed) is still not sent.
    membership_deactivate(membership=Membership.objects.get(group=group, user=anna))
    row = rows_of(anna, session, kind=Kind.REMINDER_FIRST).get()
    Outbox.objects.filter(pk=row.pk).update(
        status=Status.PENDING, cancel_reason="", due_at=timezone.now() - timedelta(minutes=1)
    )
    sweep.sweep_once()
    row.refresh_from_db()
    assert row.status == Status.CANCELLED and row.cancel_reason == CancelReason.NOT_MEMBER
    assert not [m for m in mail.outbox if m.to == [anna.email]]
