from django.db import migrations, models


class Migration(migrations.Migration):
    """Every constraint's violation_error_message: a human sentence instead of the constraint's name (no
    change in the database)."""

    dependencies = [
        ("meetings", "0007_session_roles"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name='attendance',
            name='attendance_unique_session_user',
            constraint=models.UniqueConstraint(fields=('session', 'user'), name='attendance_unique_session_user', violation_error_message='De aanwezigheid van deze persoon bij deze bijeenkomst is al geregistreerd.'),
        ),
        migrations.AlterConstraint(
            model_name='installation',
            name='installation_single_row',
            constraint=models.CheckConstraint(condition=models.Q(('pk', 1)), name='installation_single_row', violation_error_message='Er is maar één installatie.'),
        ),
        migrations.AlterConstraint(
            model_name='method',
            name='method_max_presenters_pos',
            constraint=models.CheckConstraint(condition=models.Q(('max_presenters__gte', 1)), name='method_max_presenters_pos', violation_error_message='Een werkvorm heeft minstens 1 inbrenger.'),
        ),
        migrations.AlterConstraint(
            model_name='methodphase',
            name='method_phase_position_unique',
            constraint=models.UniqueConstraint(fields=('method', 'position'), name='method_phase_position_unique', violation_error_message='Deze werkvorm heeft al een fase op deze plaats.'),
        ),
        migrations.AlterConstraint(
            model_name='methodphase',
            name='method_phase_minutes',
            constraint=models.CheckConstraint(condition=models.Q(('minutes__gte', 1), ('minutes__lte', 240)), name='method_phase_minutes', violation_error_message='Een fase duurt 1 tot en met 240 minuten.'),
        ),
        migrations.AlterConstraint(
            model_name='presenter',
            name='presenter_unique_slot',
            constraint=models.UniqueConstraint(fields=('session', 'slot'), name='presenter_unique_slot', violation_error_message='Deze plek voor een inbrenger is al bezet.'),
        ),
        migrations.AlterConstraint(
            model_name='presenter',
            name='presenter_unique_user',
            constraint=models.UniqueConstraint(fields=('session', 'user'), name='presenter_unique_user', violation_error_message='Deze persoon brengt al een casus in bij deze bijeenkomst.'),
        ),
        migrations.AlterConstraint(
            model_name='presenter',
            name='presenter_slot_range',
            constraint=models.CheckConstraint(condition=models.Q(('slot__gte', 1), ('slot__lte', 6)), name='presenter_slot_range', violation_error_message='Een bijeenkomst heeft inbrengersplekken 1 tot en met 6.'),
        ),
        migrations.AlterConstraint(
            model_name='rsvp',
            name='rsvp_unique_session_user',
            constraint=models.UniqueConstraint(fields=('session', 'user'), name='rsvp_unique_session_user', violation_error_message='Deze persoon heeft al geantwoord of die naar deze bijeenkomst komt.'),
        ),
        migrations.AlterConstraint(
            model_name='rsvp',
            name='rsvp_reason_iff_decline',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('answer', 'decline'), models.Q(('decline_reason', ''), _negated=True)), models.Q(models.Q(('answer', 'decline'), _negated=True), ('decline_reason', '')), _connector='OR'), name='rsvp_reason_iff_decline', violation_error_message='Geef een reden als je niet kunt komen; bij een ander antwoord hoort geen reden.'),
        ),
        migrations.AlterConstraint(
            model_name='schedule',
            name='schedule_duration_range',
            constraint=models.CheckConstraint(condition=models.Q(('duration_minutes__gte', 15), ('duration_minutes__lte', 600)), name='schedule_duration_range', violation_error_message='Een bijeenkomst duurt 15 tot en met 600 minuten.'),
        ),
        migrations.AlterConstraint(
            model_name='schedule',
            name='schedule_horizon_range',
            constraint=models.CheckConstraint(condition=models.Q(('horizon_months__gte', 1), ('horizon_months__lte', 24)), name='schedule_horizon_range', violation_error_message='Je kunt 1 tot en met 24 maanden vooruit plannen.'),
        ),
        migrations.AlterConstraint(
            model_name='session',
            name='session_ends_after_start',
            constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='session_ends_after_start', violation_error_message='De eindtijd moet na de begintijd liggen.'),
        ),
        migrations.AlterConstraint(
            model_name='session',
            name='session_presenter_slots_range',
            constraint=models.CheckConstraint(condition=models.Q(('presenter_slots__gte', 1), ('presenter_slots__lte', 6)), name='session_presenter_slots_range', violation_error_message='Een bijeenkomst heeft 1 tot en met 6 inbrengers.'),
        ),
        migrations.AlterConstraint(
            model_name='session',
            name='session_reason_only_if_cancelled',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'cancelled'), ('cancellation_reason', ''), _connector='OR'), name='session_reason_only_if_cancelled', violation_error_message='Alleen een geannuleerde bijeenkomst heeft een reden van annulering.'),
        ),
        migrations.AlterConstraint(
            model_name='session',
            name='session_actual_end_after_start',
            constraint=models.CheckConstraint(condition=models.Q(('actual_started_at__isnull', True), ('actual_ended_at__isnull', True), ('actual_ended_at__gt', models.F('actual_started_at')), _connector='OR'), name='session_actual_end_after_start', violation_error_message='Het werkelijke einde moet na het werkelijke begin liggen.'),
        ),
        migrations.AlterConstraint(
            model_name='session',
            name='session_unique_occurrence',
            constraint=models.UniqueConstraint(condition=models.Q(('recurrence_id__isnull', False)), fields=('group', 'recurrence_id'), name='session_unique_occurrence', violation_error_message='Deze bijeenkomst van het rooster bestaat al.'),
        ),
    ]
