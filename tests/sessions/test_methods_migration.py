"""The werkvormen are the sessions app's data: sessions/migrations/0004_methods.py seeds them, by slug and
idempotently; casussen's old seeding migration no longer does anything."""

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from sessions.models import DoorvraagPrompt, Method, MethodPhase

pytestmark = pytest.mark.django_db

seeding = importlib.import_module("sessions.migrations.0004_methods")


def test_the_test_database_got_every_shipped_method_from_the_sessions_migration():
    slugs = {method[0] for method in seeding.METHODS}
    assert set(Method.objects.values_list("slug", flat=True)) >= slugs
    for slug, *_rest, phases in seeding.METHODS:
        assert MethodPhase.objects.filter(method__slug=slug).count() == len(phases)
    assert DoorvraagPrompt.objects.count() == len(seeding.PROMPTS)


def test_running_it_again_changes_nothing_and_keeps_edits():
    incident = Method.objects.get(slug="incidentmethode")
    incident.name_nl = "Incidentmethode (aangepast)"
    incident.save()
    incident.phases.filter(position=1).update(minutes=7)
    counts = (Method.objects.count(), MethodPhase.objects.count(), DoorvraagPrompt.objects.count())
    seeding.create(apps, None)
    assert (Method.objects.count(), MethodPhase.objects.count(), DoorvraagPrompt.objects.count()) == counts
    incident.refresh_from_db()
    assert incident.name_nl == "Incidentmethode (aangepast)"
    assert incident.phases.get(position=1).minutes == 7


def test_a_missing_shipped_method_is_made_with_its_phases():
    Method.objects.filter(slug="balint").delete()
    seeding.create(apps, None)
    balint = Method.objects.get(slug="balint")
    shipped = next(method for method in seeding.METHODS if method[0] == "balint")
    assert balint.phases.count() == len(shipped[-1])


def test_casussens_old_seeding_migration_is_a_no_op():
    migration = MigrationLoader(connection).get_migration("casussen", "0002_methods")
    assert all(isinstance(op, RunPython) for op in migration.operations)
    assert all(op.code is RunPython.noop for op in migration.operations)
