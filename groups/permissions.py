"""The one place that decides who may see or change a group's things.

Levels, from the product notes:
- VIEW: active members (any role) and the organisation's admins: the group page, the schedule.
- MEMBER: active members only. Confidential content (casussen, reflections, RSVPs) needs this level:
  an organisation admin who is not a member does not read casussen.
- FACILITATE: the group's facilitators: running sessions, attendance, dashboards.
- MANAGE: facilitators and organisation admins: invitations, members, schedule settings.
- ADMINISTER: the organisation's admins (and superusers) only: the group's settings, members' roles.
  Facilitators may read the settings page (``group_required(Need.MANAGE, change=Need.ADMINISTER)``).
- Creating a group needs an organisation the user administers (``administered_organisations``).

A group the user cannot VIEW is a 404 (its existence is not revealed); a visible group with a missing
level is a 403; anonymous users are sent to the login page (by ``login_required``).
"""

from dataclasses import dataclass
from enum import Enum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import Group, Membership, Organisation, OrganisationAdmin


class Need(Enum):
    VIEW = "view"
    MEMBER = "member"
    FACILITATE = "facilitate"
    MANAGE = "manage"
    ADMINISTER = "administer"


@dataclass(frozen=True)
class Access:
    role: str | None  # "member", "facilitator" or None (not an active member)
    is_admin: bool

    @property
    def is_member(self) -> bool:
        return self.role is not None

    @property
    def is_facilitator(self) -> bool:
        return self.role == Membership.Role.FACILITATOR

    @property
    def may_manage(self) -> bool:
        return self.allows(Need.MANAGE)

    @property
    def may_administer(self) -> bool:
        return self.allows(Need.ADMINISTER)

    def allows(self, need: Need) -> bool:
        match need:
            case Need.VIEW:
                return self.is_member or self.is_admin
            case Need.MEMBER:
                return self.is_member
            case Need.FACILITATE:
                return self.is_facilitator
            case Need.MANAGE:
                return self.is_facilitator or self.is_admin
            case Need.ADMINISTER:
                return self.is_admin
        return False


NO_ACCESS = Access(role=None, is_admin=False)


def visible_groups(user) -> QuerySet[Group]:
    """Groups whose page the user may open (members, and admins of the organisation)."""
    if not user.is_authenticated:
        return Group.objects.none()
    if user.is_superuser:
        return Group.objects.all()
    is_member = Membership.objects.filter(group=OuterRef("pk"), user=user, status=Membership.Status.ACTIVE)
    is_admin = OrganisationAdmin.objects.filter(organisation=OuterRef("organisation_id"), user=user)
    return Group.objects.filter(Q(Exists(is_member)) | Q(Exists(is_admin)))


def administered_organisations(user) -> QuerySet[Organisation]:
    """Organisations in which the user may create and configure groups (superusers: all)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(admin_links__user=user)


def organisation_admin_required(view):
    """For views that are not about one group (creating a group): the user must administer at least one
    organisation; others get a 403 (anonymous users the login page)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not administered_organisations(request.user).exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def administered_organisation_ids(user) -> list[int]:
    if not user.is_authenticated:
        return []
    return list(OrganisationAdmin.objects.filter(user=user).values_list("organisation_id", flat=True))


def group_access(user, group: Group) -> Access:
    """This user's access to this group, in at most two small queries (cached per user object)."""
    if not user.is_authenticated:
        return NO_ACCESS
    cache = user.__dict__.setdefault("_group_access_cache", {})
    if group.pk in cache:
        return cache[group.pk]
    role = (
        Membership.objects.filter(user=user, group_id=group.pk, status=Membership.Status.ACTIVE)
        .order_by("pk")  # not the default ordering, which joins users and groups
        .values_list("role", flat=True)
        .first()
    )
    is_admin = (
        user.is_superuser
        or OrganisationAdmin.objects.filter(user=user, organisation_id=group.organisation_id).exists()
    )
    cache[group.pk] = Access(role=role, is_admin=is_admin)
    return cache[group.pk]


def require(user, group: Group, need: Need) -> Access:
    """Raise Http404 if the group is not visible to the user, PermissionDenied if the level is missing."""
    access = group_access(user, group)
    if not access.allows(Need.VIEW):
        raise Http404
    if not access.allows(need):
        raise PermissionDenied
    return access


def group_required(need: Need, *, change: Need | None = None):
    """For views with a ``group_id`` URL argument: loads the group, checks the level, and sets
    ``request.group`` and ``request.access`` before calling the view. ``change`` is the level a POST
    needs when it is higher than the level to read the page."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, group_id: int, **kwargs):
            group = Group.objects.select_related("organisation").filter(pk=group_id).first()
            if group is None:
                raise Http404
            request.group = group
            request.access = require(
                request.user, group, change if change and request.method == "POST" else need
            )
            return view(request, *args, group_id=group_id, **kwargs)

        return wrapped

    return decorator


def object_in_group_or_404(queryset: QuerySet, user, need: Need, **lookup):
    """Fetch an object of a group-owned model (one with a ``group`` relation) and check ``need``.

    The queryset is first narrowed to groups the user can see, so another group's object is a 404.
    """
    obj = queryset.filter(group__in=visible_groups(user), **lookup).select_related("group").first()
    if obj is None:
        raise Http404
    require(user, obj.group, need)
    return obj
