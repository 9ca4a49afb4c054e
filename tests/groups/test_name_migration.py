"""Migration 0002 cleans the group names that were accepted before names were checked (line breaks and
other control characters, surrounding spaces), so that 0003 can add the CHECK constraints."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from groups.models import Group
from tests.factories import GroupFactory, OrganisationFactory

migration = importlib.import_module("groups.migrations.0002_group_name_rules")
CHECKS = ("group_name_no_control_characters", "group_name_trimmed")

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="drops constraints inside the test's transaction (PostgreSQL)"
)


@pytest.mark.django_db
def test_old_names_are_cleaned():
    organisation = OrganisationFactory()
    GroupFactory(organisation=organisation, name="Team Oost")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    constraints = [c for c in Group._meta.constraints if c.name in CHECKS]
    with connection.schema_editor() as editor:
        for constraint in constraints:
            editor.remove_constraint(Group, constraint)
    bad = {
        "line": GroupFactory(organisation=organisation, name="Team\r\nNoord").pk,
        "spaces": GroupFactory(organisation=organisation, name="  Team West \t").pk,
        "clash": GroupFactory(organisation=organisation, name="Team\nOost").pk,
        "empty": GroupFactory(organisation=organisation, name="\n").pk,
    }
    with connection.cursor() as cursor:  # settle the inserts' deferred foreign-key checks (as a commit would)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    migration.clean_group_names(apps, None)
    names = dict(Group.objects.filter(pk__in=bad.values()).values_list("pk", "name"))
    assert names[bad["line"]] == "Team Noord"
    assert names[bad["spaces"]] == "Team West"
    assert names[bad["clash"]] == f"Team Oost ({bad['clash']})"
    assert names[bad["empty"]] == f"Groep {bad['empty']}"
    with connection.cursor() as cursor:  # 0002 commits before 0003 adds the constraints
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with connection.schema_editor() as editor:  # the constraints go back on: every row now passes them
        for constraint in constraints:
            editor.add_constraint(Group, constraint)
