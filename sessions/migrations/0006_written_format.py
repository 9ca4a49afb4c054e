import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0005_date_poll"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="format",
            field=models.CharField(
                choices=[("live", "live"), ("written", "schriftelijk")],
                default="live",
                max_length=8,
                verbose_name="vorm",
            ),
        ),
        migrations.AddConstraint(
            model_name="session",
            constraint=models.CheckConstraint(
                condition=models.Q(("format__in", ["live", "written"])),
                name="session_format_valid",
                violation_error_message="Kies live of schriftelijk.",
            ),
        ),
        migrations.CreateModel(
            name="PhaseDeadline",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("due_at", models.DateTimeField(verbose_name="uiterlijk")),
                (
                    "phase",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="meetings.methodphase",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="phase_deadlines",
                        to="meetings.session",
                    ),
                ),
            ],
            options={
                "verbose_name": "termijn",
                "verbose_name_plural": "termijnen",
                "ordering": ["session", "phase__position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("session", "phase"),
                        name="phase_deadline_unique",
                        violation_error_message="Deze fase heeft al een termijn.",
                    )
                ],
            },
        ),
    ]
