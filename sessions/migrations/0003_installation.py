"""This installation's random key (sessions.models.Installation), made once. Sessions that exist now keep the
calendar UID their invites went out with (``legacy_uid_below``); later ones get the key in theirs."""

import secrets

import django.utils.timezone
from django.db import migrations, models
from django.db.models import Max


def make_installation(apps, schema_editor):
    Installation = apps.get_model("meetings", "Installation")
    Session = apps.get_model("meetings", "Session")
    last = Session.objects.aggregate(last=Max("pk"))["last"] or 0
    Installation.objects.get_or_create(
        pk=1, defaults={"key": secrets.token_hex(8), "legacy_uid_below": last + 1}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_session_cancelled_by_schedule"),
    ]

    operations = [
        migrations.CreateModel(
            name="Installation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(editable=False, max_length=32)),
                ("legacy_uid_below", models.BigIntegerField(default=0, editable=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
            ],
            options={
                "verbose_name": "installatie",
                "verbose_name_plural": "installatie",
                "constraints": [
                    models.CheckConstraint(condition=models.Q(("pk", 1)), name="installation_single_row")
                ],
            },
        ),
        migrations.RunPython(make_installation, migrations.RunPython.noop),
    ]
