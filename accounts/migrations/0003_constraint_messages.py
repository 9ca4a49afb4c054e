import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    """Every constraint's violation_error_message: a human sentence instead of the constraint's name (no
    change in the database)."""

    dependencies = [
        ("accounts", "0002_professional_registration"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name='user',
            name='user_email_ci_unique',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), name='user_email_ci_unique', violation_error_message='Er is al een account met dit e-mailadres.'),
        ),
    ]
