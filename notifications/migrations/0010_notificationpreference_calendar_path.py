from django.db import migrations, models


class Migration(migrations.Migration):
    """How a member's sessions reach their calendar: invites (the default, what everybody had) or the feed."""

    dependencies = [
        ("notifications", "0009_outbox_doubt_has_reason"),
    ]

    operations = [
        migrations.AddField(
            model_name="notificationpreference",
            name="calendar_path",
            field=models.CharField(
                choices=[
                    ("invites", "uitnodigingen per e-mail in mijn eigen agenda"),
                    ("feed", "een abonnement op mijn persoonlijke agenda-link"),
                ],
                default="invites",
                max_length=8,
                verbose_name="bijeenkomsten in je agenda via",
            ),
        ),
        migrations.AddConstraint(
            model_name="notificationpreference",
            constraint=models.CheckConstraint(
                condition=models.Q(("calendar_path__in", ["invites", "feed"])),
                name="notification_pref_calendar_path",
            ),
        ),
    ]
