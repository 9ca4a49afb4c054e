"""The names docs/architecture.md ("Names") explains: the bijeenkomsten app is the package ``sessions`` with
the app label ``meetings`` (``sessions`` is django.contrib.sessions' label), the URL namespace ``sessions``
and the tables ``meetings_*``; a user's intervision groups come from ``groups.selectors``, never from
``user.groups`` (Django's auth groups)."""

import re
from pathlib import Path

from django.apps import apps
from django.urls import resolve, reverse

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "groups", "sessions", "casussen", "reflections", "notifications", "dashboards", "privacy"]
AUTH_GROUPS = re.compile(r"(?<!`)\b(?:\w+\.)*user\.groups\b")  # ``user.groups`` in a docstring is fine


def test_the_bijeenkomsten_app_is_the_package_sessions_with_the_label_meetings():
    config = apps.get_app_config("meetings")
    assert config.name == "sessions"
    assert apps.get_app_config("sessions").name == "django.contrib.sessions"
    tables = {model._meta.db_table for model in config.get_models()}
    assert tables
    assert [table for table in tables if not table.startswith("meetings_")] == []


def test_its_url_namespace_is_sessions():
    match = resolve(reverse("sessions:mine"))
    assert match.namespace == "sessions"
    assert match.func.__module__.startswith("sessions.")


def test_no_app_code_or_template_reads_the_auth_groups_of_a_user():
    files = [path for app in APPS for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]
    files += list((ROOT / "templates").rglob("*.html"))
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if AUTH_GROUPS.search(line)
    ]
    assert found == []
