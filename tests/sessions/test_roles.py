"""Rotating roles: the fair, deterministic proposal and the rules of handing over, taking and assigning
(sessions/roles.py), the database constraints and their messages, and the record kept when a session is
held."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from groups.models import Membership
from sessions import roles
from sessions.attendance import attendance_register
from sessions.models import RSVP, MethodRole, Presenter, Session, SessionRole
from tests.factories import FacilitatorFactory, MembershipFactory, UserFactory
from tests.sessions.factories import SessionFactory, held_session, shipped_method

pytestmark = pytest.mark.django_db


def _group_of(n: int):
    """A group with a facilitator and ``n`` members named A, B, C, … (the order of names breaks ties)."""
    facilitator = FacilitatorFactory(user=UserFactory(display_name="Zora Begeleider"))
    group = facilitator.group
    members = [
        MembershipFactory(group=group, user=UserFactory(display_name=f"{chr(65 + i)} Lid")).user
        for i in range(n)
    ]
    return group, facilitator.user, members


def _attend(session, *users):
    for user in users:
        RSVP.objects.create(session=session, user=user, answer=RSVP.Answer.ATTEND)


def _holders(session):
    return {
        slot.key: (slot.holder.display_name if slot.holder else None) for slot in roles.session_roles(session)
    }


def test_default_roles_go_to_attendees_by_name_when_nobody_held_one():
    group, facilitator, (a, b, c, d) = _group_of(4)
    session = SessionFactory(group=group)
    _attend(session, b, c, d)
    assert _holders(session) == {"voorzitter": "B Lid", "tijdbewaker": "C Lid", "notulist": "D Lid"}
    assert all(slot.proposed for slot in roles.session_roles(session))


def test_whoever_held_a_role_least_often_and_least_recently_is_proposed():
    group, facilitator, (a, b, c, d) = _group_of(4)
    earlier = held_session(group, starts_at=timezone.now() - timedelta(days=60))
    later = held_session(group, starts_at=timezone.now() - timedelta(days=30))
    for session, chair in ((earlier, a), (later, b)):
        SessionRole.objects.create(
            session=session, key="voorzitter", name_nl="Voorzitter", name_en="Chair", user=chair
        )
    session = SessionFactory(group=group)
    _attend(session, a, b, c)
    # C never chaired; then A chaired longer ago than B.
    assert _holders(session)["voorzitter"] == "C Lid"
    _attend(session, d)
    SessionRole.objects.create(
        session=SessionFactory(
            group=group, starts_at=timezone.now() - timedelta(days=5), status=Session.Status.HELD
        ),
        key="voorzitter",
        name_nl="Voorzitter",
        name_en="Chair",
        user=c,
    )
    SessionRole.objects.create(
        session=SessionFactory(
            group=group, starts_at=timezone.now() - timedelta(days=4), status=Session.Status.HELD
        ),
        key="voorzitter",
        name_nl="Voorzitter",
        name_en="Chair",
        user=d,
    )
    assert _holders(session)["voorzitter"] == "A Lid"


def test_the_presenter_is_not_proposed_as_voorzitter_if_avoidable():
    group, facilitator, (a, b, c, d) = _group_of(4)
    session = SessionFactory(group=group)
    _attend(session, a, b, c, d)
    Presenter.objects.create(session=session, user=a, slot=1)
    holders = _holders(session)
    assert holders["voorzitter"] == "B Lid"
    assert "A Lid" in holders.values()  # another role is fine
    # With only the presenter left, the presenter chairs rather than nobody.
    small, f2, (p,) = _group_of(1)
    only = SessionFactory(group=small)
    _attend(only, p)
    RSVP.objects.create(session=only, user=f2, answer=RSVP.Answer.DECLINE, decline_reason="busy")
    Presenter.objects.create(session=only, user=p, slot=1)
    assert _holders(only)["voorzitter"] == "A Lid"


def test_too_few_attendees_widens_to_members_who_did_not_decline():
    group, facilitator, (a, b, c, d) = _group_of(4)
    session = SessionFactory(group=group)
    _attend(session, d)
    RSVP.objects.create(session=session, user=a, answer=RSVP.Answer.DECLINE, decline_reason="busy")
    holders = _holders(session)
    assert holders["voorzitter"] == "D Lid"  # who comes, first
    assert "A Lid" not in holders.values()  # who declined, never
    assert set(holders.values()) == {"D Lid", "B Lid", "C Lid"}


def test_consecutive_sessions_rotate():
    group, facilitator, members = _group_of(6)
    now = timezone.now()
    first = SessionFactory(group=group, starts_at=now + timedelta(days=7))
    second = SessionFactory(group=group, starts_at=now + timedelta(days=35))
    _attend(first, *members)
    _attend(second, *members)
    one, two = _holders(first), _holders(second)
    assert set(one.values()).isdisjoint(two.values())
    assert _holders(second) == two  # deterministic


def test_the_werkvorm_names_its_roles():
    group, facilitator, (a, b, c) = _group_of(3)
    balint = shipped_method("balint")
    assert list(balint.roles.values_list("key", flat=True)) == ["procesbegeleider", "notulist"]
    session = SessionFactory(group=group, method=balint)
    _attend(session, a, b, c)
    assert list(_holders(session)) == ["procesbegeleider", "notulist"]


def test_open_role_when_nobody_is_left():
    group, facilitator, (a,) = _group_of(1)
    session = SessionFactory(group=group)
    RSVP.objects.create(session=session, user=facilitator, answer=RSVP.Answer.DECLINE, decline_reason="busy")
    assert _holders(session) == {"voorzitter": "A Lid", "tijdbewaker": None, "notulist": None}


def test_holder_hands_over_and_the_rest_is_proposed_again():
    group, facilitator, (a, b, c, d) = _group_of(4)
    session = SessionFactory(group=group)
    _attend(session, a, b, c)
    assert _holders(session) == {"voorzitter": "A Lid", "tijdbewaker": "B Lid", "notulist": "C Lid"}
    roles.role_set(session=session, key="tijdbewaker", by=b, to=d)
    holders = _holders(session)
    assert holders["tijdbewaker"] == "D Lid"
    row = SessionRole.objects.get(session=session, key="tijdbewaker")
    assert (row.user, row.chosen_by) == (d, b)
    assert {s.key: s.proposed for s in roles.session_roles(session)}["tijdbewaker"] is False


def test_only_the_holder_or_a_facilitator_gives_a_role_away():
    group, facilitator, (a, b, c, d) = _group_of(4)
    session = SessionFactory(group=group)
    _attend(session, a, b, c)
    with pytest.raises(roles.RoleError) as refused:
        roles.role_set(session=session, key="tijdbewaker", by=c, to=d)
    assert refused.value.code == roles.RoleError.NOT_YOURS
    roles.role_set(session=session, key="tijdbewaker", by=facilitator, to=d)
    assert _holders(session)["tijdbewaker"] == "D Lid"


def test_a_member_takes_an_open_role_for_themselves_only():
    group, facilitator, (a,) = _group_of(1)
    session = SessionFactory(group=group)
    RSVP.objects.create(session=session, user=facilitator, answer=RSVP.Answer.DECLINE, decline_reason="busy")
    other = MembershipFactory(group=group, user=UserFactory(display_name="B Lid")).user
    RSVP.objects.create(session=session, user=other, answer=RSVP.Answer.DECLINE, decline_reason="busy")
    assert _holders(session)["notulist"] is None
    with pytest.raises(roles.RoleError) as refused:
        roles.role_set(session=session, key="notulist", by=a, to=other)
    assert refused.value.code == roles.RoleError.OPEN_FOR_SELF
    roles.role_set(session=session, key="notulist", by=other, to=other)
    assert _holders(session)["notulist"] == "B Lid"


def test_a_chosen_holder_given_another_role_swaps():
    group, facilitator, (a, b, c, d) = _group_of(4)
    session = SessionFactory(group=group)
    _attend(session, a, b, c, d)
    roles.role_set(session=session, key="notulist", by=facilitator, to=d)
    roles.role_set(session=session, key="voorzitter", by=facilitator, to=d)
    rows = dict(SessionRole.objects.filter(session=session).values_list("key", "user__display_name"))
    assert rows == {"voorzitter": "D Lid", "notulist": "A Lid"}  # A chaired, now takes D's notes


def test_refusals():
    group, facilitator, (a, b) = _group_of(2)
    session = SessionFactory(group=group)
    outsider = MembershipFactory().user
    with pytest.raises(roles.RoleError) as refused:
        roles.role_set(session=session, key="voorzitter", by=outsider, to=a)
    assert refused.value.code == roles.RoleError.NOT_MEMBER
    with pytest.raises(roles.RoleError) as refused:
        roles.role_set(session=session, key="voorzitter", by=facilitator, to=outsider)
    assert refused.value.code == roles.RoleError.BAD_TARGET and refused.value.field == "to"
    with pytest.raises(roles.RoleError) as refused:
        roles.role_set(session=session, key="procesbegeleider", by=facilitator, to=a)
    assert refused.value.code == roles.RoleError.UNKNOWN_ROLE
    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    with pytest.raises(roles.RoleError) as refused:
        roles.role_set(session=session, key="voorzitter", by=facilitator, to=a)
    assert refused.value.code == roles.RoleError.NOT_PLANNED
    assert roles.session_roles(Session.objects.get(pk=session.pk)) == []


def test_constraints_one_holder_per_role_and_one_role_per_person():
    group, facilitator, (a, b) = _group_of(2)
    session = SessionFactory(group=group)
    fields = {"session": session, "name_nl": "Voorzitter", "name_en": "Chair"}
    SessionRole.objects.create(key="voorzitter", user=a, **fields)
    with pytest.raises(ValidationError) as second_holder:
        SessionRole(key="voorzitter", user=b, **fields).full_clean()
    assert "Deze rol heeft bij deze bijeenkomst al iemand." in str(second_holder.value)
    with pytest.raises(ValidationError) as second_role:
        SessionRole(key="notulist", user=a, **fields).full_clean()
    assert "Deze deelnemer heeft bij deze bijeenkomst al een rol." in str(second_role.value)
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionRole.objects.create(key="voorzitter", user=b, **fields)
    with pytest.raises(ValidationError) as duplicate:
        MethodRole(
            method=shipped_method("balint"), position=9, key="notulist", name_nl="x", name_en="x"
        ).full_clean()
    assert "Deze werkvorm heeft deze rol al." in str(duplicate.value)


def test_registering_attendance_keeps_the_proposal_as_the_record():
    group, facilitator, (a, b, c) = _group_of(3)
    start = timezone.now() - timedelta(hours=3)
    Membership.objects.filter(group=group).update(joined_at=start - timedelta(days=30))
    session = SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=2))
    _attend(session, a, b, c)
    proposed = _holders(session)
    attendance_register(
        session=session,
        statuses={a.pk: "present", b.pk: "present", c.pk: "present"},
        started_at=start,
        ended_at=start + timedelta(hours=2),
        break_minutes=0,
        registered_by=facilitator,
    )
    held = Session.objects.get(pk=session.pk)
    assert _holders(held) == proposed
    assert SessionRole.objects.filter(session=held, chosen_by__isnull=True).count() == 3
