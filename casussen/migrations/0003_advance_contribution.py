import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("casussen", "0002_methods"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="advice",
            name="written_in_advance",
            field=models.BooleanField(default=False, verbose_name="vooraf geschreven"),
        ),
        migrations.AddField(
            model_name="question",
            name="written_in_advance",
            field=models.BooleanField(default=False, verbose_name="vooraf geschreven"),
        ),
        migrations.CreateModel(
            name="AdvanceContribution",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("questions", models.TextField(blank=True, max_length=4000, verbose_name="je vragen")),
                ("advice", models.TextField(blank=True, max_length=1000, verbose_name="je advies")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("updated_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("questions_delivered_at", models.DateTimeField(blank=True, null=True)),
                ("advice_delivered_at", models.DateTimeField(blank=True, null=True)),
                ("summary_shared_at", models.DateTimeField(blank=True, null=True)),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "casus",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="advance_contributions",
                        to="casussen.casus",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="meetings.session"
                    ),
                ),
            ],
            options={
                "ordering": ["created_at", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("casus", "author"),
                        name="advance_one_per_member",
                        violation_error_message="Je hebt voor deze casus al iets vooraf geschreven.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("advice", ""), ("questions", ""), _negated=True),
                        name="advance_not_empty",
                        violation_error_message="Schrijf een vraag of een advies.",
                    ),
                ],
            },
        ),
    ]
