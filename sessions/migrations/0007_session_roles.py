"""Rotating roles per session: the werkvorm's roles (MethodRole; a werkvorm without them uses voorzitter,
tijdbewaker and notulist, sessions/roles.py DEFAULT_ROLES) and who holds one at a session (SessionRole).
The Balint method names its own: a process leader who keeps the time and the phases (methods.md: "pick a
process leader"), and a note-taker. Idempotent like 0004: a role is made only when its method has none of
that key."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

BALINT_ROLES = [
    # (key, name_nl, name_en, description_nl, description_en, avoid_presenter)
    (
        "procesbegeleider",
        "Procesbegeleider",
        "Process leader",
        "Bewaakt de tijd en de fasen.",
        "Keeps the time and the phases.",
        True,
    ),
    (
        "notulist",
        "Notulist",
        "Note-taker",
        "Schrijft de afspraken en wat de inbrenger meeneemt op.",
        "Writes down the agreements and what the presenter takes away.",
        False,
    ),
]


def add_balint_roles(apps, schema_editor):
    Method = apps.get_model("meetings", "Method")
    MethodRole = apps.get_model("meetings", "MethodRole")
    method = Method.objects.filter(slug="balint").first()
    if method is None:
        return
    for position, (key, name_nl, name_en, description_nl, description_en, avoid) in enumerate(
        BALINT_ROLES, 1
    ):
        if not MethodRole.objects.filter(method=method, key=key).exists():
            MethodRole.objects.create(
                method=method,
                position=position,
                key=key,
                name_nl=name_nl,
                name_en=name_en,
                description_nl=description_nl,
                description_en=description_en,
                avoid_presenter=avoid,
            )


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_written_format"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MethodRole",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("key", models.SlugField(max_length=32, verbose_name="code")),
                ("name_nl", models.CharField(max_length=60, verbose_name="naam (nl)")),
                ("name_en", models.CharField(max_length=60, verbose_name="naam (en)")),
                (
                    "description_nl",
                    models.CharField(blank=True, max_length=255, verbose_name="omschrijving (nl)"),
                ),
                (
                    "description_en",
                    models.CharField(blank=True, max_length=255, verbose_name="omschrijving (en)"),
                ),
                (
                    "avoid_presenter",
                    models.BooleanField(default=False, verbose_name="niet voor de inbrenger"),
                ),
                (
                    "method",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="roles",
                        to="meetings.method",
                    ),
                ),
            ],
            options={
                "verbose_name": "rol in de werkvorm",
                "verbose_name_plural": "rollen in de werkvorm",
                "ordering": ["method", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("method", "key"),
                        name="method_role_unique_key",
                        violation_error_message="Deze werkvorm heeft deze rol al.",
                    ),
                    models.UniqueConstraint(
                        fields=("method", "position"),
                        name="method_role_unique_position",
                        violation_error_message="Deze werkvorm heeft al een rol op deze plaats.",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SessionRole",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.SlugField(max_length=32, verbose_name="code")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("name_nl", models.CharField(max_length=60, verbose_name="naam (nl)")),
                ("name_en", models.CharField(max_length=60, verbose_name="naam (en)")),
                ("chosen_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "chosen_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="roles",
                        to="meetings.session",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="session_roles",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "rol",
                "verbose_name_plural": "rollen",
                "ordering": ["session", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("session", "key"),
                        name="session_role_unique_role",
                        violation_error_message="Deze rol heeft bij deze bijeenkomst al iemand.",
                    ),
                    models.UniqueConstraint(
                        fields=("session", "user"),
                        name="session_role_unique_user",
                        violation_error_message="Deze deelnemer heeft bij deze bijeenkomst al een rol.",
                    ),
                ],
            },
        ),
        migrations.RunPython(add_balint_roles, migrations.RunPython.noop),
    ]
