from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0016_constraint_messages"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="outbox",
            name="outbox_kind_valid",
        ),
        migrations.AlterField(
            model_name="outbox",
            name="kind",
            field=models.CharField(
                choices=[
                    ("invite", "uitnodiging voor een bijeenkomst"),
                    ("cancellation", "afgelaste bijeenkomst"),
                    ("schedule_changed", "rooster gewijzigd"),
                    ("reminder_first", "eerste herinnering"),
                    ("reminder_second", "tweede herinnering"),
                    ("rsvp_nudge", "vraag om je aan of af te melden"),
                    ("casus_prep", "casusvoorbereiding (inbrenger)"),
                    ("no_casus", "nog geen casus"),
                    ("casus_requeued", "je casus terug in de wachtrij (inbrenger)"),
                    ("quorum_risk", "te weinig aanmeldingen (begeleider)"),
                    ("reflection_request", "verzoek om een reflectie"),
                    ("reflection_reminder", "herinnering: de reflectie sluit bijna"),
                    ("written_phase", "herinnering: schriftelijke intervisie"),
                    ("followup", "follow-up van je casus"),
                    ("attendance_alert", "aanwezigheidssignaal (begeleider)"),
                    ("digest", "dagelijks overzicht"),
                    ("admin_digest", "dagelijks signalenoverzicht (beheerder)"),
                    ("password_reset", "link om een nieuw wachtwoord te kiezen"),
                    ("invitation", "uitnodiging voor een intervisiegroep"),
                ],
                max_length=24,
                verbose_name="soort",
            ),
        ),
        migrations.AddConstraint(
            model_name="outbox",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "invite",
                            "cancellation",
                            "schedule_changed",
                            "reminder_first",
                            "reminder_second",
                            "rsvp_nudge",
                            "casus_prep",
                            "no_casus",
                            "casus_requeued",
                            "quorum_risk",
                            "reflection_request",
                            "reflection_reminder",
                            "written_phase",
                            "followup",
                            "attendance_alert",
                            "digest",
                            "admin_digest",
                            "password_reset",
                            "invitation",
                        ],
                    )
                ),
                name="outbox_kind_valid",
                violation_error_message="Kies een soort bericht van de lijst.",
            ),
        ),
    ]
