"""Walks the whole URLconf: every named URL must have rows, and every row holds for every role."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.permission_matrix import LOGIN, Row, all_rows, markers

from .conftest import ROLES

# Django admin (/beheer/, superusers only) has its own matrix: tests/test_admin_matrix.py.
EXEMPT_NAMESPACES = {"admin"}


def _named_urls(patterns=None, namespace="") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            names |= _named_urls(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


ROWS = all_rows()


def test_every_url_has_a_row():
    covered = {row.name for row in ROWS}
    missing = sorted(_named_urls() - covered)
    assert not missing, f"URLs without a permission-matrix row: {missing}"


def test_every_row_names_a_real_url():
    unknown = sorted({row.name for row in ROWS} - _named_urls())
    assert not unknown, f"Rows for URLs that do not exist: {unknown}"


# Leaks being fixed: (row id, role or "*") -> what leaks. Strict: once the fix lands the entry must go.
KNOWN_LEAKS: dict[tuple[str, str], str] = {}


def _cases():
    for row in ROWS:
        for role in dict.fromkeys((*ROLES, *row.extra_roles)):
            marks = ()
            reason = KNOWN_LEAKS.get((row.id, role)) or KNOWN_LEAKS.get((row.id, "*"))
            if reason:
                marks = pytest.mark.xfail(strict=True, reason=reason)
            yield pytest.param(row, role, id=f"{row.id}[{role}]", marks=marks)


@pytest.mark.parametrize(("row", "role"), list(_cases()))
def test_permission(row: Row, role: str, world, client_for):
    expected = row.extra_roles.get(role, row.expect.get(role))
    assert expected is not None, f"row {row.id} has no expectation for {role}"
    markers.seed(world)
    user = getattr(world, role) if role != "anonymous" else None
    url = reverse(row.name, kwargs=row.kwargs(world))
    data = row.data(world)
    client = client_for(user)
    response = getattr(client, row.method)(url, data=data)
    if expected == LOGIN:
        assert response.status_code == 302, response
        assert response["Location"].startswith(reverse("accounts:login")), response["Location"]
    else:
        assert response.status_code == expected, (row.id, role, response.status_code)
    # Every answer (error pages too) is read; a 200 must also show what the row says it shows.
    markers.check_body(
        response,
        reader=role,
        seen_as=row.seen_as,
        shows=row.shows if response.status_code == 200 else (),
        also=row.reads.get(role, ()),
    )
    if row.check is not None:
        row.check(world, role, response)
