"""A row is in doubt exactly when it names why (after 0008 moved the old "interrupted" rows over)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0008_outbox_doubt_mail_outage"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="outbox",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("doubt__in", ["no_reply", "worker_stopped", "time_limit"]), ("status", "doubt")
                    ),
                    models.Q(models.Q(("status", "doubt"), _negated=True), ("doubt", "")),
                    _connector="OR",
                ),
                name="outbox_doubt_has_reason",
            ),
        ),
    ]
