"""Shared helpers for the proof suite: the permission-matrix rows and a snapshot of all stored app data."""

import functools
import hashlib
import json

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import CharField, F, Value
from django.db.models.functions import JSONObject

from tests.permission_matrix import LOGIN, Row, all_rows

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


def post_rows() -> list[Row]:
    return [row for row in all_rows() if row.method == "post"]


def allowed_role(row: Row) -> str | None:
    """The first role that the row lets through (2xx/3xx), so input reaches the form and the service."""
    for role in ROLE_ORDER:
        expected = row.expect.get(role)
        if expected != LOGIN and isinstance(expected, int) and expected < 400:
            return role
    return None


def _state_models() -> list:
    models = []
    for label in STATE_APPS:
        try:
            models.extend(apps.get_app_config(label).get_models())
        except LookupError:
            continue
    return models


def _rows(model):
    """Every row of ``model`` as one JSON object (volatile columns left out), in one portable query part."""
    columns = {f.attname: F(f.attname) for f in model._meta.concrete_fields if f.attname not in VOLATILE}
    return model._base_manager.annotate(_row=JSONObject(**columns)).values_list(
        Value(model._meta.label, output_field=CharField()), "_row"
    )


@functools.cache
def _snapshot_query() -> tuple[str, tuple]:
    """The UNION ALL of every state table's rows, compiled once: the tables do not change during a run."""
    first, *rest = (_rows(model).order_by() for model in _state_models())
    sql, params = first.union(*rest, all=True).query.get_compiler(connection.alias).as_sql()
    return sql, tuple(params)


def snapshot() -> dict:
    """Row count and a digest of every row of every app table, in one query on SQLite and PostgreSQL alike
    (each table's rows as JSON objects)."""
    rows: dict[str, list[str]] = {model._meta.label: [] for model in _state_models()}
    with connection.cursor() as cursor:
        cursor.execute(*_snapshot_query())
        for label, row in cursor.fetchall():
            # SQLite returns the JSON text, psycopg the decoded object: compare both as sorted-key JSON.
            rows[label].append(json.dumps(json.loads(row) if isinstance(row, str) else row, sort_keys=True))
    return {
        label: (len(texts), hashlib.md5("|".join(sorted(texts)).encode()).hexdigest())  # noqa: S324
        for label, texts in rows.items()
    }


def diff(before: dict, after: dict) -> dict:
    """The tables whose rows changed, with their row counts before and after."""
    return {
        label: (before.get(label, (0, ""))[0], state[0])
        for label, state in after.items()
        if state != before.get(label)
    }


@pytest.fixture(params=["phone", "desktop"])
def viewport(request) -> str:
    """The width a browser journey runs at: each test that asks for it runs at 390 px (touch) and desktop
    width; pass it to ``new_page(..., viewport=viewport)`` and ``Shots(name, viewport)``."""
    return request.param


@pytest.fixture
def login_as(world):
    """login_as(client, role) logs a (possibly CSRF-enforcing) client in as the World's user for ``role``."""

    def make(client, role):
        user = world.user_for(role)
        if user is not None:
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
