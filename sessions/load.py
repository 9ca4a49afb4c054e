"""Who carries the group: who brought a casus when (``Presenter`` rows of sessions that were not cancelled)
and who held which role (``SessionRole``). Read by the group's overview (``sessions:group_load``), the
home page's gentle prompt (``presenting_items``) and the facilitator's dashboard (``group_balance``).

The order everywhere: the members who never presented first, then whoever presented longest ago (a claimed
slot at a coming session counts as presenting then), then by name. The prompt goes to the first member
(facilitators guide rather than present, so they are not prompted) of a group whose next session with a
free presenter slot is coming, unless they already present at a coming session. Each read is a fixed
number of queries whatever the number of members, sessions or groups.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Count, F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import todo
from groups.models import Group, Membership

from .models import Presenter, Session
from .role_models import SessionRole

NEVER = datetime.min.replace(tzinfo=UTC)
BALANCE_WINDOW = timedelta(days=365)  # the dashboard's balance: the last 12 months


@dataclass
class MemberLoad:
    membership: Membership
    presented: list[Session] = field(default_factory=list)  # oldest first; planned ones are coming
    roles: dict[str, int] = field(default_factory=dict)  # role name -> times held
    presentations: int = 0  # held sessions in the window (the dashboard)

    @property
    def user(self) -> Any:
        return self.membership.user

    @property
    def last_presented(self) -> datetime | None:
        return self.presented[-1].starts_at if self.presented else None

    @property
    def roles_total(self) -> int:
        return sum(self.roles.values())

    @property
    def total(self) -> int:
        return self.presentations + self.roles_total

    roles_row: list[tuple[str, int]] = field(default_factory=list)  # the dashboard's columns, in order


def _order_key(last: datetime | None, user: Any) -> tuple[bool, datetime, str, int]:
    return (last is not None, last or NEVER, user.display_name.casefold(), user.pk)


def group_load(group: Group, *, since: datetime | None = None) -> list[MemberLoad]:
    """The group's active members with the sessions they presented at (not cancelled; held ones since
    ``since`` counted in ``presentations``) and the roles they held at held sessions since ``since``
    (all when None), in the order above. Three queries."""
    members = {
        m.user_id: MemberLoad(m)
        for m in Membership.objects.filter(group=group, status=Membership.Status.ACTIVE).select_related(
            "user"
        )
    }
    presenters = (
        Presenter.objects.filter(session__group=group, user_id__in=list(members))
        .exclude(session__status=Session.Status.CANCELLED)
        .select_related("session")
        .order_by("session__starts_at", "session_id")
    )
    for presenter in presenters:
        load = members[presenter.user_id]
        load.presented.append(presenter.session)
        held = presenter.session.status == Session.Status.HELD
        if held and (since is None or presenter.session.starts_at >= since):
            load.presentations += 1
    roles = SessionRole.objects.filter(
        session__group=group, session__status=Session.Status.HELD, user_id__in=list(members)
    )
    if since is not None:
        roles = roles.filter(session__starts_at__gte=since)
    counted: dict[int, dict[str, int]] = defaultdict(dict)
    for entry in roles.values("user_id", "key", "name_nl", "name_en").annotate(n=Count("pk")).order_by("key"):
        name = SessionRole(name_nl=entry["name_nl"], name_en=entry["name_en"]).name
        counted[entry["user_id"]][name] = counted[entry["user_id"]].get(name, 0) + entry["n"]
    for user_id, load in members.items():
        load.roles = dict(sorted(counted[user_id].items()))
    return sorted(members.values(), key=lambda load: _order_key(load.last_presented, load.user))


@dataclass(frozen=True)
class Balance:
    """The dashboard's table: per member, presentations and roles at held sessions of the window."""

    rows: list[MemberLoad]
    role_names: list[str]
    since: datetime

    @property
    def most(self) -> int:
        return max([1, *(row.total for row in self.rows)])


def group_balance(group: Group, *, now: datetime | None = None) -> Balance:
    """``group_load`` over the last 12 months, with the names of the roles held (the table's columns)."""
    since = (now or timezone.now()) - BALANCE_WINDOW
    rows = group_load(group, since=since)
    names = sorted({name for row in rows for name in row.roles})
    for row in rows:
        row.roles_row = [(name, row.roles.get(name, 0)) for name in names]
    rows.sort(key=lambda row: (-row.total, row.user.display_name.casefold(), row.user.pk))
    return Balance(rows=rows, role_names=names, since=since)


def presenting_items(person: todo.Person) -> list[todo.TodoItem]:
    """The gentle prompt on the home page: "Jij hebt het langst geen casus ingebracht" for the member who
    waited longest, in each group whose next session with a free presenter slot is coming. Two queries."""
    if not person.groups:
        return []
    open_sessions = (
        Session.objects.filter(
            group_id__in=person.group_ids, status=Session.Status.PLANNED, starts_at__gt=person.now
        )
        .annotate(taken=Count("presenters"))
        .filter(taken__lt=F("presenter_slots"))
        .order_by("group_id", "starts_at", "pk")
        .only("pk", "group_id", "starts_at", "presenter_slots")
    )
    next_open: dict[int, Session] = {}
    for found in open_sessions:
        next_open.setdefault(found.group_id, found)
    if not next_open:
        return []
    last = (
        Presenter.objects.filter(user_id=OuterRef("user_id"), session__group_id=OuterRef("group_id"))
        .exclude(session__status=Session.Status.CANCELLED)
        .order_by("-session__starts_at")
        .values("session__starts_at")[:1]
    )
    candidates: dict[int, list[tuple[tuple[bool, datetime, str, int], Membership]]] = defaultdict(list)
    for membership in (
        Membership.objects.filter(
            group_id__in=list(next_open), status=Membership.Status.ACTIVE, role=Membership.Role.MEMBER
        )
        .select_related("user")
        .annotate(last_presented=Subquery(last))
    ):
        last_at: datetime | None = membership.last_presented
        candidates[membership.group_id].append((_order_key(last_at, membership.user), membership))
    items = []
    for group_id, session in next_open.items():
        if not candidates[group_id]:
            continue
        key, first = min(candidates[group_id], key=lambda pair: pair[0])
        coming = key[0] and key[1] > person.now  # the longest waiting already claims a coming slot
        if first.user_id != person.user.pk or coming:
            continue
        group = person.groups[group_id]
        items.append(
            todo.TodoItem(
                kind="present",
                text=_("Jij hebt het langst geen casus ingebracht — wil je de volgende keer?"),
                url=reverse("sessions:detail", args=[session.pk]) + "#presenters",
                action=_("Naar de inbrengplek"),
                group=group,
                when=session.starts_at,
                details=[group.name],
            )
        )
    return items
