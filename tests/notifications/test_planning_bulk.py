"""Planning for a member across all upcoming sessions is set-based: a join or a role change costs the same
number of queries with one session on the calendar as with many, and plans exactly what planning each session
on its own did (``test_membership.py`` checks the rows a join makes)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from groups.models import Membership
from groups.services import invitation_accept, membership_deactivate, membership_role_change
from notifications import planning, sweep
from notifications.models import CancelReason, Kind, Outbox, Status
from notifications.planning import invite_key, local_days_before
from sessions import services as session_services
from sessions.calendar import session_zone
from tests.factories import InvitationFactory, MembershipFactory

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db


def _join_queries(sessions: int) -> tuple[int, int, int]:
    """Queries of one member_join in a group with ``sessions`` upcoming sessions, and the rows it planned."""
    group, _, _ = group_with_members(members=3)
    for day in range(sessions):
        plan_session(group, starts_at=timezone.now() + timedelta(days=10 + 7 * day))
    newcomer = MembershipFactory(group=group, role=Membership.Role.FACILITATOR).user
    with CaptureQueriesContext(connection) as queries:
        due = planning.member_join(group_id=group.pk, user_id=newcomer.pk)
    planned = Outbox.objects.filter(recipient=newcomer, status=Status.PENDING).count()
    return len(queries), len(due), planned


def test_a_join_takes_as_many_queries_with_six_sessions_as_with_one():
    one, one_invites, one_planned = _join_queries(1)
    six, six_invites, six_planned = _join_queries(6)
    assert (one_invites, six_invites) == (1, 6)
    assert six_planned == 6 * one_planned > 0
    assert six == one, f"{one} queries for one session, {six} for six"


def test_a_role_change_plans_the_quorum_warning_for_every_upcoming_session_and_takes_it_back():
    group, _, (anna, _bram) = group_with_members(members=2)
    sessions = [plan_session(group, starts_at=timezone.now() + timedelta(days=10 + 7 * i)) for i in range(3)]
    membership = Membership.objects.get(group=group, user=anna)
    assert not Outbox.objects.filter(recipient=anna, kind=Kind.QUORUM_RISK).exists()

    membership_role_change(membership=membership, role=Membership.Role.FACILITATOR)

    warnings = Outbox.objects.filter(recipient=anna, kind=Kind.QUORUM_RISK, status=Status.PENDING)
    assert {row.session_id: row.due_at for row in warnings} == {
        s.pk: local_days_before(s.starts_at, group.alert_quorum_days, session_zone(s)) for s in sessions
    }
    assert {row.group_id for row in warnings} == {group.pk}

    membership_role_change(membership=membership, role=Membership.Role.MEMBER)

    assert not Outbox.objects.filter(recipient=anna, kind=Kind.QUORUM_RISK, status=Status.PENDING).exists()
    assert set(
        Outbox.objects.filter(recipient=anna, kind=Kind.QUORUM_RISK).values_list("cancel_reason", flat=True)
    ) == {CancelReason.SUPERSEDED}
    # Her reminders did not move.
    reminders = Outbox.objects.filter(recipient=anna, kind=Kind.REMINDER_FIRST, status=Status.PENDING)
    assert reminders.count() == 3


def test_a_decline_still_holds_when_a_join_replans_all_sessions():
    group, _, (anna, bram) = group_with_members(members=2)
    first, second = (plan_session(group, starts_at=timezone.now() + timedelta(days=d)) for d in (10, 17))
    session_services.rsvp_set(session=first, user=anna, answer="decline", decline_reason="busy")
    newcomer = MembershipFactory(group=group).user

    planning.member_join(group_id=group.pk, user_id=newcomer.pk)

    anna_reminders = Outbox.objects.filter(recipient=anna, kind__in=planning.DECLINE_CANCELS)
    assert set(anna_reminders.filter(session=first).values_list("status", flat=True)) == {Status.CANCELLED}
    assert set(anna_reminders.filter(session=second).values_list("status", flat=True)) == {Status.PENDING}
    assert (
        Outbox.objects.filter(recipient=bram, session=first, kind__in=planning.DECLINE_CANCELS)
        .exclude(status=Status.PENDING)
        .count()
        == 0
    )


def test_a_member_who_rejoins_after_the_session_moved_gets_only_the_invite_to_its_new_version():
    group, _, (anna, bram) = group_with_members(members=2)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=20))
    old_key = invite_key(session)
    membership_deactivate(membership=Membership.objects.get(group=group, user=bram))
    old_invite = Outbox.objects.get(recipient=bram, session=session, kind=Kind.INVITE)
    assert (old_invite.status, old_invite.cancel_reason) == (Status.CANCELLED, CancelReason.LEFT)

    later = session.starts_at + timedelta(days=2)
    session_services.session_update(session=session, starts_at=later, ends_at=later + timedelta(hours=2))
    session.refresh_from_db()
    assert invite_key(session) != old_key

    invitation = InvitationFactory(group=group, email=bram.email)
    invitation_accept(invitation_id=invitation.pk, user=bram)

    old_invite.refresh_from_db()
    assert (old_invite.status, old_invite.cancel_reason) == (Status.CANCELLED, CancelReason.SUPERSEDED)
    invites = Outbox.objects.filter(recipient=bram, session=session, kind=Kind.INVITE, status=Status.PENDING)
    assert list(invites.values_list("subject_key", flat=True)) == [invite_key(session)]
    sweep.sweep_once()
    sent = [m for m in mail.outbox if m.to == [bram.email]]
    assert len(sent) == 1 and sent[0].attachments
