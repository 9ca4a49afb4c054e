from dataclasses import dataclass, field
from functools import cached_property

import pytest

from accounts.models import User
from groups.models import Group, Membership

from .factories import (
    FacilitatorFactory,
    GroupFactory,
    MembershipFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
)
from .permission_matrix import LOGGED_IN_ROLES

ROLES = ("anonymous", *LOGGED_IN_ROLES)


@dataclass
class World:
    """Two groups of one organisation: ``group`` (with a facilitator, a member and a former member) and
    ``other_group`` (with the outsider); plus an organisation admin who is no member of either. Made on
    first use: ``foreign_admin`` (another organisation's admin) and ``revoked_member``."""

    group: Group
    other_group: Group
    facilitator: User
    member: User
    former_member: User
    outsider: User
    admin: User
    extra: dict = field(default_factory=dict)

    @cached_property
    def foreign_admin(self) -> User:
        """Admin of another organisation and facilitator of a group there (made on first use)."""
        from .factories import UserFactory

        user = UserFactory(is_staff=True, display_name="Otto Oostwaarts")
        organisation = OrganisationFactory(name="Organisatie Oost")
        OrganisationAdminFactory(organisation=organisation, user=user)
        FacilitatorFactory(group=GroupFactory(organisation=organisation, name="Groep Oost"), user=user)
        return user

    @cached_property
    def revoked_member(self) -> User:
        """Joined ``group`` through an invitation that was revoked afterwards (made on first use)."""
        return revoked_member(self.group)

    def user_for(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, role)

    def membership(self, user: User) -> Membership:
        return Membership.objects.get(user=user, group=self.group)


def revoked_member(group: Group) -> User:
    """A member who joined through an invitation that was then revoked (which ends the membership)."""
    from groups import services

    from .factories import InvitationFactory, UserFactory

    user = UserFactory()
    invitation = InvitationFactory(group=group, email=user.email)
    services.invitation_accept(invitation_id=invitation.pk, user=user)
    services.invitation_revoke(invitation=invitation)
    return user


@pytest.fixture
def world(db) -> World:
    organisation = OrganisationFactory()
    group = GroupFactory(organisation=organisation, name="Groep Noord")
    other_group = GroupFactory(organisation=organisation, name="Groep Zuid")
    facilitator = FacilitatorFactory(group=group).user
    member = MembershipFactory(group=group).user
    former = MembershipFactory(group=group)
    former.status = Membership.Status.LEFT
    from django.utils import timezone

    former.left_at = timezone.now()
    former.save()
    outsider = MembershipFactory(group=other_group).user
    admin = OrganisationAdminFactory(organisation=organisation).user
    return World(
        group=group,
        other_group=other_group,
        facilitator=facilitator,
        member=member,
        former_member=former.user,
        outsider=outsider,
        admin=admin,
    )


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client logged in as that user (anonymous for None)."""

    def make(user):
        client.logout()
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


def pytest_collection_modifyitems(items):
    """Every transactional test (live_server, transactional_db, ``django_db(transaction=True)``) restores the
    serialized database instead of flushing into fresh content types. Mixing both kinds makes the next
    serialized test re-insert content types that the flush's post_migrate already recreated."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        transactional = (
            "transactional_db" in fixtures
            or "live_server" in fixtures
            or (marker is not None and marker.kwargs.get("transaction"))
        )
        if transactional and "django_db_serialized_rollback" not in fixtures:
            item.fixturenames.append("django_db_serialized_rollback")


def pytest_runtest_setup(item):
    """A test marked ``postgres``, ``redis``, ``integration`` or ``browser`` is skipped where that service
    is missing, and fails in CI (tests/services.py)."""
    from . import services

    services.check(item)


def pytest_terminal_summary(terminalreporter):
    """After a run with browser tests, say where their screenshots are, and how many there are."""
    from tests.browser import ARTIFACTS

    reports = [r for key in ("passed", "failed") for r in terminalreporter.stats.get(key, [])]
    if not any("browser" in getattr(report, "keywords", {}) for report in reports):
        return
    shots = list(ARTIFACTS.rglob("*.png")) if ARTIFACTS.is_dir() else []
    if shots:
        terminalreporter.write_line(f"browser screenshots: {ARTIFACTS.resolve()} ({len(shots)} files)")
