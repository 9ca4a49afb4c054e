"""Rotating roles per session: voorzitter, tijdbewaker and notulist, or the roles the werkvorm names
(``MethodRole``; Balint has a process leader). The one place that says who is proposed for a role and who
may hand it to whom.

**The proposal** (``session_roles``). For each planned session of a group, in the order they start, each
role without a holder somebody chose goes to the candidate who has held *that* role least often, then
least recently (never first), then held fewest roles at all, then by name (and id): deterministic. The
candidates are the active members who said they come; when those are too few for the open roles, every
active member who did not decline, those who come first. A role marked ``avoid_presenter`` (the
voorzitter) goes to a presenter only when nobody else is left. Nobody holds two roles at one session. The
sessions before are counted with their holders (chosen or proposed), so two sessions in a row do not
propose the same people. A role nobody is left for is open.

**Changing a role** (``role_set``), while the session is planned: the holder (chosen or proposed) hands
it to another active member; any member takes an open role; a facilitator gives any role to any active
member. The new holder is stored (``SessionRole`` with ``chosen_by``) and kept by later proposals. A
member who already held a chosen role at the session gets the giver's old one (a swap).

**History**: when the session's attendance is registered (``sessions.attendance``) the proposals that
stood are stored (``roles_settle``), so the dashboard's balance and later proposals count them.

Every read is a fixed number of queries, whatever the number of members, sessions or roles.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groups.models import Membership
from intervisie.errors import DomainError

from .models import RSVP, Presenter, Session
from .role_models import MethodRole, SessionRole
from .signals import roles_changed

# Planned sessions that began this long ago without their attendance registered still count in the chain
# of proposals (as long as the home page asks the facilitator to register them).
CHAIN_BACK = timedelta(days=14)
NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class RoleSpec:
    key: str
    position: int
    name_nl: str
    name_en: str
    description_nl: str = ""
    description_en: str = ""
    avoid_presenter: bool = False

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl

    @property
    def description(self) -> str:
        return self.description_en if (get_language() or "nl").startswith("en") else self.description_nl


DEFAULT_ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        "voorzitter",
        1,
        "Voorzitter",
        "Chair",
        "Leidt de bespreking door de fasen van de werkvorm.",
        "Leads the discussion through the phases of the method.",
        avoid_presenter=True,
    ),
    RoleSpec(
        "tijdbewaker",
        2,
        "Tijdbewaker",
        "Timekeeper",
        "Bewaakt de tijd per fase.",
        "Keeps the time of each phase.",
    ),
    RoleSpec(
        "notulist",
        3,
        "Notulist",
        "Note-taker",
        "Schrijft de afspraken en wat de inbrenger meeneemt op.",
        "Writes down the agreements and what the presenter takes away.",
    ),
)


@dataclass(frozen=True)
class RoleSlot:
    """One role at one session and who holds it: ``proposed`` when nobody chose the holder (yet)."""

    spec: RoleSpec
    holder: Any  # User or None (open)
    proposed: bool

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def holder_id(self) -> int | None:
        return self.holder.pk if self.holder is not None else None


class RoleError(DomainError):
    """A change of role the rules do not allow."""

    NOT_PLANNED = "not_planned"
    NOT_MEMBER = "not_member"
    UNKNOWN_ROLE = "unknown_role"
    NOT_YOURS = "not_yours"
    OPEN_FOR_SELF = "open_for_self"
    BAD_TARGET = "bad_target"
    TAKEN = "taken"
    MESSAGES = {
        NOT_PLANNED: _("Rollen veranderen kan alleen bij een geplande bijeenkomst."),
        NOT_MEMBER: _("Je bent geen deelnemer van deze groep."),
        UNKNOWN_ROLE: _("Deze rol hoort niet bij de werkvorm van deze bijeenkomst."),
        NOT_YOURS: _("Alleen wie deze rol heeft of de begeleider kan hem aan een ander geven."),
        OPEN_FOR_SELF: _("Een open rol kun je zelf nemen; de begeleider kan hem aan iemand anders geven."),
        BAD_TARGET: _("Kies een deelnemer van deze groep."),
        TAKEN: _("Iemand anders veranderde de rollen net. Kijk opnieuw en probeer het nog eens."),
    }


def _spec(role: MethodRole) -> RoleSpec:
    return RoleSpec(
        role.key,
        role.position,
        role.name_nl,
        role.name_en,
        role.description_nl,
        role.description_en,
        role.avoid_presenter,
    )


def _specs_by_method(method_ids: Iterable[int | None]) -> dict[int | None, tuple[RoleSpec, ...]]:
    """The roles of each werkvorm (one query); a werkvorm without roles, or none, has ``DEFAULT_ROLES``."""
    ids = {method_id for method_id in method_ids if method_id is not None}
    found: dict[int | None, list[RoleSpec]] = defaultdict(list)
    if ids:
        for role in MethodRole.objects.filter(method_id__in=ids).order_by("method_id", "position"):
            found[role.method_id].append(_spec(role))
    result: dict[int | None, tuple[RoleSpec, ...]] = {None: DEFAULT_ROLES}
    for method_id in ids:
        result[method_id] = tuple(found[method_id]) or DEFAULT_ROLES
    return result


def _row_spec(row: SessionRole) -> RoleSpec:
    return RoleSpec(row.key, row.position, row.name_nl, row.name_en)


class _Tally:
    """How often and how lately each member held each role, and how many roles in all."""

    def __init__(self) -> None:
        self.count: dict[tuple[int, str], int] = defaultdict(int)
        self.last: dict[tuple[int, str], datetime] = {}
        self.total: dict[int, int] = defaultdict(int)

    def add(self, user_id: int, key: str, when: datetime, n: int = 1) -> None:
        self.count[(user_id, key)] += n
        self.total[user_id] += n
        if when > self.last.get((user_id, key), NEVER):
            self.last[(user_id, key)] = when


def _fairness(
    user_id: int, key: str, said: dict[int, str], tally: _Tally, names: dict[int, tuple[str, int]]
) -> tuple[int, int, datetime, int, tuple[str, int]]:
    """Who goes first for role ``key``: who comes, then held it least often, least recently, fewest roles
    at all, then by name and id."""
    return (
        0 if said.get(user_id) == RSVP.Answer.ATTEND else 1,
        tally.count[(user_id, key)],
        tally.last.get((user_id, key), NEVER),
        tally.total[user_id],
        names[user_id],
    )


def _plan(session: Session) -> list[RoleSlot]:
    """The roles of a planned ``session`` with their holders (chosen or proposed). Seven queries."""
    return _plan_with_members(session)[0]


def _plan_with_members(session: Session) -> tuple[list[RoleSlot], list[Any]]:
    """``_plan`` and the group's active members (users, by name)."""
    lower = min(timezone.now() - CHAIN_BACK, session.starts_at)
    chain = list(
        Session.objects.filter(
            group_id=session.group_id,
            status=Session.Status.PLANNED,
            starts_at__gte=lower,
            starts_at__lte=session.starts_at,
        )
        .order_by("starts_at", "pk")
        .only("pk", "starts_at", "method_id", "group_id")
    )
    chain = [s for s in chain if (s.starts_at, s.pk) <= (session.starts_at, session.pk)]
    if not any(s.pk == session.pk for s in chain):
        chain.append(session)
    chain_ids = [s.pk for s in chain]
    tally = _Tally()
    history = (
        SessionRole.objects.filter(
            session__group_id=session.group_id, session__starts_at__lt=session.starts_at
        )
        .exclude(session__status=Session.Status.CANCELLED)
        .exclude(session_id__in=chain_ids)
        .values("user_id", "key")
        .annotate(n=Count("pk"), last=Max("session__starts_at"))
        .order_by()
    )
    for entry in history:
        tally.add(entry["user_id"], entry["key"], entry["last"], entry["n"])
    rows: dict[int, dict[str, SessionRole]] = defaultdict(dict)
    for row in SessionRole.objects.filter(session_id__in=chain_ids).select_related("user"):
        rows[row.session_id][row.key] = row
    answers: dict[int, dict[int, str]] = defaultdict(dict)
    for session_id, user_id, answer in RSVP.objects.filter(session_id__in=chain_ids).values_list(
        "session_id", "user_id", "answer"
    ):
        answers[session_id][user_id] = answer
    presenting: dict[int, set[int]] = defaultdict(set)
    for session_id, user_id in Presenter.objects.filter(session_id__in=chain_ids).values_list(
        "session_id", "user_id"
    ):
        presenting[session_id].add(user_id)
    members = {
        m.user_id: m.user
        for m in Membership.objects.filter(
            group_id=session.group_id, status=Membership.Status.ACTIVE
        ).select_related("user")
    }
    specs_by_method = _specs_by_method(s.method_id for s in chain)
    names = {user_id: (user.display_name.casefold(), user_id) for user_id, user in members.items()}

    slots: list[RoleSlot] = []
    for current in chain:
        specs = specs_by_method[current.method_id]
        chosen = {
            key: row.user_id
            for key, row in rows[current.pk].items()
            if row.user_id in members and any(spec.key == key for spec in specs)
        }
        taken = set(chosen.values())
        said = answers[current.pk]
        open_specs = [spec for spec in specs if spec.key not in chosen]
        pool = [u for u in members if said.get(u) == RSVP.Answer.ATTEND and u not in taken]
        if len(pool) < len(open_specs):
            pool = [u for u in members if said.get(u) != RSVP.Answer.DECLINE and u not in taken]
        proposed: dict[str, int | None] = {}
        for spec in open_specs:
            candidates = pool
            if spec.avoid_presenter:
                candidates = [u for u in pool if u not in presenting[current.pk]] or pool
            if not candidates:
                proposed[spec.key] = None
                continue
            best = min((_fairness(u, spec.key, said, tally, names), u) for u in candidates)[1]
            proposed[spec.key] = best
            pool = [u for u in pool if u != best]
        held: list[tuple[str, int | None]] = [*chosen.items(), *proposed.items()]
        for role_key, holder_id in held:
            if holder_id is not None:
                tally.add(holder_id, role_key, current.starts_at)
        if current.pk == session.pk:
            for spec in specs:
                if spec.key in chosen:
                    slots.append(RoleSlot(spec, members[chosen[spec.key]], proposed=False))
                else:
                    holder = proposed.get(spec.key)
                    slots.append(RoleSlot(spec, members.get(holder) if holder else None, proposed=True))
    return slots, sorted(members.values(), key=lambda user: names[user.pk])


def session_roles(session: Session) -> list[RoleSlot]:
    """The roles of ``session`` in their order with their holders: for a planned session the chosen ones
    and the proposal for the rest (seven queries); for a held one what was stored (one query); none for a
    cancelled one."""
    if session.status == Session.Status.CANCELLED:
        return []
    if session.status != Session.Status.PLANNED:
        return [
            RoleSlot(_row_spec(row), row.user, proposed=False)
            for row in SessionRole.objects.filter(session=session).select_related("user").order_by("position")
        ]
    return _plan(session)


@dataclass(frozen=True)
class RoleRow:
    """One role on the session page with what the reader may do with it."""

    slot: RoleSlot
    mine: bool
    may_hand_over: bool  # the reader holds it: to another member
    may_take: bool  # it is open: for the reader
    may_assign: bool  # the reader facilitates: to anyone
    choices: list[Any]  # whom it may go to (hand over: the others; assign: everyone)


def roles_for_reader(session: Session, user: Any, *, facilitates: bool) -> list[RoleRow]:
    """The session page's roles with the reader's abilities (``role_set_check`` says the same): seven
    queries for a planned session, one for a held one."""
    if session.status != Session.Status.PLANNED:
        return [
            RoleRow(slot, slot.holder_id == user.pk, False, False, False, [])
            for slot in session_roles(session)
        ]
    slots, members = _plan_with_members(session)
    result = []
    for slot in slots:
        mine = slot.holder_id == user.pk
        hand_over = mine and not facilitates
        choices = members if facilitates else [m for m in members if m.pk != user.pk] if hand_over else []
        result.append(RoleRow(slot, mine, hand_over, slot.holder is None, facilitates, choices))
    return result


def role_holders(session: Session) -> list[RoleSlot]:
    """Who has which role, for the live guide (read-only): ``session_roles`` without the open ones."""
    return [slot for slot in session_roles(session) if slot.holder is not None]


def _active(group_id: int, user_ids: Iterable[int]) -> dict[int, Membership]:
    return {
        m.user_id: m
        for m in Membership.objects.filter(
            group_id=group_id, user_id__in=list(user_ids), status=Membership.Status.ACTIVE
        )
    }


def role_set_check(*, slot: RoleSlot, by: User, to: User, by_facilitates: bool) -> None:
    """Whether ``by`` may give ``slot`` to ``to`` (both active members): a facilitator any role to anyone;
    its holder to another; anybody an open role to themselves. RoleError otherwise."""
    if by_facilitates:
        return
    if slot.holder_id == by.pk:
        return
    if slot.holder is None:
        if to.pk == by.pk:
            return
        raise RoleError(code=RoleError.OPEN_FOR_SELF)
    raise RoleError(code=RoleError.NOT_YOURS)


@transaction.atomic
def role_set(*, session: Session, key: str, by: User, to: User, now: datetime | None = None) -> SessionRole:
    """Give the role ``key`` of ``session`` to ``to`` (by its holder, by a member taking an open role, or by
    a facilitator; ``role_set_check``). Stored as chosen by ``by``; a chosen role ``to`` held at this
    session goes to the previous holder (a swap), or back to the proposal when the role was open."""
    now = now or timezone.now()
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.PLANNED:
        raise RoleError(code=RoleError.NOT_PLANNED)
    memberships = _active(session.group_id, {by.pk, to.pk})
    if by.pk not in memberships:
        raise RoleError(code=RoleError.NOT_MEMBER)
    if to.pk not in memberships:
        raise RoleError(code=RoleError.BAD_TARGET, field="to")
    slot = next((s for s in _plan(session) if s.key == key), None)
    if slot is None:
        raise RoleError(code=RoleError.UNKNOWN_ROLE)
    role_set_check(
        slot=slot,
        by=by,
        to=to,
        by_facilitates=memberships[by.pk].role == Membership.Role.FACILITATOR,
    )
    rows = {row.key: row for row in SessionRole.objects.select_for_update().filter(session=session)}
    if slot.holder_id == to.pk and not slot.proposed:
        return rows[key]
    spec_keys = {s.key for s in _plan_specs(session)}
    try:
        with transaction.atomic():
            for stale in [row for row in rows.values() if row.key not in spec_keys]:
                stale.delete()  # a role of the session's previous werkvorm
            if key in rows:
                rows[key].delete()
            theirs = next((r for r in rows.values() if r.user_id == to.pk and r.key in spec_keys), None)
            if theirs is not None and theirs.key != key:
                previous = slot.holder_id
                if previous is not None and previous != to.pk:
                    theirs.user_id, theirs.chosen_by, theirs.chosen_at = previous, by, now
                    theirs.full_clean()
                    theirs.save()
                else:
                    theirs.delete()
            row = SessionRole(
                session=session,
                key=slot.key,
                position=slot.spec.position,
                name_nl=slot.spec.name_nl,
                name_en=slot.spec.name_en,
                user=to,
                chosen_by=by,
                chosen_at=now,
            )
            row.full_clean()
            row.save()
    except IntegrityError as error:
        raise RoleError(code=RoleError.TAKEN) from error
    roles_changed.send(sender=SessionRole, session=session)
    return row


def _plan_specs(session: Session) -> tuple[RoleSpec, ...]:
    return _specs_by_method([session.method_id])[session.method_id]


@transaction.atomic
def roles_settle(*, session: Session) -> int:
    """Store the proposal that stood for a session that has just been held (its holders count in later
    proposals and on the dashboard). Roles already stored stay. Returns the number stored."""
    slots = _plan(session) if session.status == Session.Status.PLANNED else []
    if not slots:
        return 0
    new = [
        SessionRole(
            session=session,
            key=slot.key,
            position=slot.spec.position,
            name_nl=slot.spec.name_nl,
            name_en=slot.spec.name_en,
            user=slot.holder,
        )
        for slot in slots
        if slot.proposed and slot.holder is not None
    ]
    # A row the proposal did not use (a holder who left, a role of an earlier werkvorm) stays as it was.
    SessionRole.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def roles_held_q(since: datetime) -> Q:
    """The stored roles that count in a balance from ``since`` on: of sessions held since then."""
    return Q(session__status=Session.Status.HELD, session__starts_at__gte=since)
