"""Once seeded the werkvormen (sessions.Method) and the doorvraag prompts; that data is the sessions app's
now: ``sessions/migrations/0004_methods.py`` makes them, idempotently (by slug). Databases where this ran
keep what it made; this stays as a no-op so the migrations that depend on it keep their order."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("casussen", "0001_initial"), ("meetings", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
