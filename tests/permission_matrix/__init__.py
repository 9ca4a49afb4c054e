"""The permission matrix: every named URL has rows saying what each role gets.

Each app adds a module ``rows_<app>.py`` here with a ``ROWS`` list of ``Row``; ``test_permission_matrix``
collects them all and fails for any URL in the URLconf without a row.
"""

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field

LOGIN = "login"  # expected: a redirect to the login page


@dataclass(frozen=True)
class Row:
    name: str  # "namespace:name"
    # role -> status code (int) or LOGIN, for every role in tests.conftest.ROLES
    expect: dict
    kwargs: Callable = lambda world: {}  # builds URL kwargs from the World (may create objects)
    method: str = "get"
    data: Callable = lambda world: {}
    label: str = ""
    extra_roles: dict = field(default_factory=dict)  # overrides of ``expect`` for single roles
    # Markers (tests/permission_matrix/markers.py) the page must show to every role that answers 200 and
    # may read them (or role -> markers, for pages of one's own data); no answer may hold a marker the role
    # may not read.
    shows: tuple | dict = ()
    # Token pages (feed, one-click links): the body is judged for the token's owner, not the requester.
    seen_as: str | None = None
    # role -> markers this role may also read on this page (its own data, e.g. a former member's export
    # names the group they were in).
    reads: dict = field(default_factory=dict)
    # Called after the request as check(world, role, response): e.g. that a refused POST changed nothing.
    check: Callable | None = None

    @property
    def id(self) -> str:
        return f"{self.name}:{self.method}{'-' + self.label if self.label else ''}"


def standard(
    view: int = 200,
    *,
    member=None,
    facilitator=None,
    admin=None,
    outsider=404,
    anonymous=LOGIN,
    foreign_admin=404,
    former_member=404,
    revoked_member=404,
):
    """A row's expectations for a group page: member/facilitator/admin default to ``view``; whoever is not in
    the group (another group's member, another organisation's admin, a removed member, a member whose
    invitation was revoked) gets a 404."""
    return {
        "anonymous": anonymous,
        "outsider": outsider,
        "member": view if member is None else member,
        "facilitator": view if facilitator is None else facilitator,
        "admin": view if admin is None else admin,
        "foreign_admin": foreign_admin,
        "former_member": former_member,
        "revoked_member": revoked_member,
    }


LOGGED_IN_ROLES = (
    "outsider",
    "member",
    "facilitator",
    "admin",
    "foreign_admin",
    "former_member",
    "revoked_member",
)


def logged_in(status, **overrides) -> dict:
    """Pages of one's own (profile, settings): every logged-in role gets ``status``, anonymous the login."""
    return {"anonymous": LOGIN, **dict.fromkeys(LOGGED_IN_ROLES, status), **overrides}


def public(status, **overrides) -> dict:
    """Pages without login (token pages, password reset): every role gets ``status``."""
    return {**dict.fromkeys(("anonymous", *LOGGED_IN_ROLES), status), **overrides}


# Who sees most of a page, in order: the browser checks open each page as the first of these that gets a 200.
VIEWERS = ("facilitator", "member", "admin", "outsider", "anonymous")


def route(name: str) -> str:
    """The URL pattern of ``name`` ("namespace:name"), e.g. "groep/%(group_id)s/aanwezigheid.csv"."""
    from django.urls import get_resolver

    resolver = get_resolver()
    *namespaces, url_name = name.split(":")
    for namespace in namespaces:
        resolver = resolver.namespace_dict[namespace][1]
    return resolver.reverse_dict.getlist(url_name)[0][0][0][0]


def page_viewer(row: Row) -> str | None:
    """The first of ``VIEWERS`` that ``row`` answers with 200, or None."""
    return next((r for r in VIEWERS if row.extra_roles.get(r, row.expect.get(r)) == 200), None)


def all_rows() -> list[Row]:
    """Every ``ROWS`` of the ``rows_<app>.py`` modules of this package."""
    rows = []
    for module in pkgutil.iter_modules(__path__):
        if module.name.startswith("rows_"):
            rows.extend(importlib.import_module(f"{__name__}.{module.name}").ROWS)
    return rows
