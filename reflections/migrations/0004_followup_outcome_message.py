from django.db import migrations, models


class Migration(migrations.Migration):
    """The follow-up's outcome message in idiomatic Dutch ("uit de lijst"); no change in the database."""

    dependencies = [
        ("reflections", "0003_constraint_messages"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name='followup',
            name='followup_outcome_valid',
            constraint=models.CheckConstraint(condition=models.Q(('outcome__in', ['applied', 'partly', 'not_yet', 'not'])), name='followup_outcome_valid', violation_error_message='Kies uit de lijst wat er van het advies kwam.'),
        ),
    ]
