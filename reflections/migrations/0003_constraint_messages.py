from django.db import migrations, models


class Migration(migrations.Migration):
    """Every constraint's violation_error_message: a human sentence instead of the constraint's name (no
    change in the database)."""

    dependencies = [
        ("reflections", "0002_eye_opener_question"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name='followup',
            name='followup_one_per_presenter',
            constraint=models.UniqueConstraint(fields=('session', 'presenter'), name='followup_one_per_presenter', violation_error_message='Deze inbrenger heeft de follow-up van deze bijeenkomst al ingevuld.'),
        ),
        migrations.AlterConstraint(
            model_name='followup',
            name='followup_outcome_valid',
            constraint=models.CheckConstraint(condition=models.Q(('outcome__in', ['applied', 'partly', 'not_yet', 'not'])), name='followup_outcome_valid', violation_error_message='Kies van de lijst wat er van het advies kwam.'),
        ),
        migrations.AlterConstraint(
            model_name='reflection',
            name='reflection_one_per_author',
            constraint=models.UniqueConstraint(fields=('session', 'author'), name='reflection_one_per_author', violation_error_message='Deze persoon heeft al een reflectie op deze bijeenkomst geschreven.'),
        ),
        migrations.AlterConstraint(
            model_name='reflection',
            name='reflection_usefulness_range',
            constraint=models.CheckConstraint(condition=models.Q(('usefulness__gte', 1), ('usefulness__lte', 5)), name='reflection_usefulness_range', violation_error_message='Kies bij elke vraag een cijfer van 1 tot en met 5.'),
        ),
        migrations.AlterConstraint(
            model_name='reflection',
            name='reflection_depth_range',
            constraint=models.CheckConstraint(condition=models.Q(('depth__gte', 1), ('depth__lte', 5)), name='reflection_depth_range', violation_error_message='Kies bij elke vraag een cijfer van 1 tot en met 5.'),
        ),
        migrations.AlterConstraint(
            model_name='reflection',
            name='reflection_candor_range',
            constraint=models.CheckConstraint(condition=models.Q(('candor__gte', 1), ('candor__lte', 5)), name='reflection_candor_range', violation_error_message='Kies bij elke vraag een cijfer van 1 tot en met 5.'),
        ),
        migrations.AlterConstraint(
            model_name='reflection',
            name='reflection_safety_range',
            constraint=models.CheckConstraint(condition=models.Q(('safety__gte', 1), ('safety__lte', 5)), name='reflection_safety_range', violation_error_message='Kies bij elke vraag een cijfer van 1 tot en met 5.'),
        ),
        migrations.AlterConstraint(
            model_name='reflection',
            name='reflection_stayed_intervision_range',
            constraint=models.CheckConstraint(condition=models.Q(('stayed_intervision__gte', 1), ('stayed_intervision__lte', 5)), name='reflection_stayed_intervision_range', violation_error_message='Kies bij elke vraag een cijfer van 1 tot en met 5.'),
        ),
        migrations.AlterConstraint(
            model_name='reflection',
            name='reflection_time_well_used_range',
            constraint=models.CheckConstraint(condition=models.Q(('time_well_used__gte', 1), ('time_well_used__lte', 5)), name='reflection_time_well_used_range', violation_error_message='Kies bij elke vraag een cijfer van 1 tot en met 5.'),
        ),
        migrations.AlterConstraint(
            model_name='reflection',
            name='reflection_presenter_fields',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('as_presenter', True), ('advice_fit__gte', 1), ('advice_fit__lte', 5)), models.Q(('advice_fit__isnull', True), ('as_presenter', False), ('eye_opener', ''), ('eye_opener_question__isnull', True)), _connector='OR'), name='reflection_presenter_fields', violation_error_message='Alleen de inbrenger zegt hoe goed het advies paste (altijd, met een cijfer van 1 tot en met 5) en welke vraag de ogen opende.'),
        ),
    ]
