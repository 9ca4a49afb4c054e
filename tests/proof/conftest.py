"""Shared helpers for the proof suite: the permission-matrix rows and a snapshot of all stored app data."""

import importlib
import pkgutil

import pytest
from django.apps import apps
from django.db import connection

from tests import permission_matrix
from tests.permission_matrix import LOGIN, Row

# Every app whose rows count as "state": a rejected request must leave all of them untouched.
STATE_APPS = (
    "accounts",
    "groups",
    "meetings",
    "casussen",
    "reflections",
    "notifications",
    "dashboards",
    "privacy",
)
# Columns that legitimately change on any authenticated request.
VOLATILE = {"last_login"}

ROLE_ORDER = ("member", "facilitator", "admin", "outsider", "anonymous")


def all_rows() -> list[Row]:
    rows = []
    for module in pkgutil.iter_modules(permission_matrix.__path__):
        if module.name.startswith("rows_"):
            rows.extend(importlib.import_module(f"tests.permission_matrix.{module.name}").ROWS)
    return rows


def post_rows() -> list[Row]:
    return [row for row in all_rows() if row.method == "post"]


def allowed_role(row: Row) -> str | None:
    """The first role that the row lets through (2xx/3xx), so input reaches the form and the service."""
    for role in ROLE_ORDER:
        expected = row.expect.get(role)
        if expected != LOGIN and isinstance(expected, int) and expected < 400:
            return role
    return None


def _state_tables() -> list[tuple[str, str, str]]:
    tables = []
    for label in STATE_APPS:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models():
            tables.append((model._meta.label, model._meta.db_table, model._meta.pk.column))
    return tables


def snapshot() -> dict:
    """Row count and a digest of every row of every app table (one SQL query; volatile columns left out)."""
    volatile = "".join(f" - '{column}'" for column in sorted(VOLATILE))
    parts = [
        f"SELECT %s, count(*), md5(coalesce(string_agg((to_jsonb(t){volatile})::text, '|' "
        f'ORDER BY t."{pk}"), \'\')) FROM "{table}" t'
        for _label, table, pk in _state_tables()
    ]
    labels = [label for label, _table, _pk in _state_tables()]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), labels)
        return {label: (count, digest) for label, count, digest in cursor.fetchall()}


def diff(before: dict, after: dict) -> dict:
    """The tables whose rows changed, with their row counts before and after."""
    return {
        label: (before.get(label, (0, ""))[0], state[0])
        for label, state in after.items()
        if state != before.get(label)
    }


@pytest.fixture
def login_as(world):
    """login_as(client, role) logs a (possibly CSRF-enforcing) client in as the World's user for ``role``."""

    def make(client, role):
        user = world.user_for(role)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
