from django.db import migrations, models


class Migration(migrations.Migration):
    """Every constraint's violation_error_message: a human sentence instead of the constraint's name (no
    change in the database)."""

    dependencies = [
        ("casussen", "0003_advance_contribution"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name='advice',
            name='advice_one_per_member',
            constraint=models.UniqueConstraint(fields=('run', 'author'), name='advice_one_per_member', violation_error_message='Deze persoon heeft bij deze bespreking al een advies gegeven.'),
        ),
        migrations.AlterConstraint(
            model_name='advice',
            name='advice_text_not_empty',
            constraint=models.CheckConstraint(condition=models.Q(('text', ''), _negated=True), name='advice_text_not_empty', violation_error_message='Een advies kan niet leeg zijn.'),
        ),
        migrations.AlterConstraint(
            model_name='casus',
            name='casus_status_valid',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'submitted', 'booked', 'discussed', 'purged'])), name='casus_status_valid', violation_error_message='Kies een status uit de lijst.'),
        ),
        migrations.AlterConstraint(
            model_name='casus',
            name='casus_wish_valid',
            constraint=models.CheckConstraint(condition=models.Q(('wish__in', ['advice', 'questions', 'mirror', 'experiences'])), name='casus_wish_valid', violation_error_message='Kies uit de lijst wat je van de groep wilt.'),
        ),
        migrations.AlterConstraint(
            model_name='casus',
            name='casus_kernvraag_when_submitted',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'purged']), models.Q(('kernvraag', ''), _negated=True), _connector='OR'), name='casus_kernvraag_when_submitted', violation_error_message='Een ingediende casus heeft een kernvraag.'),
        ),
        migrations.AlterConstraint(
            model_name='casus',
            name='casus_session_matches_status',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['booked', 'discussed']), ('session__isnull', False)), models.Q(('status__in', ['draft', 'submitted']), ('session__isnull', True)), ('status', 'purged'), _connector='OR'), name='casus_session_matches_status', violation_error_message='Een ingeplande of besproken casus hoort bij een bijeenkomst; een concept of een ingediende casus nog niet.'),
        ),
        migrations.AlterConstraint(
            model_name='casus',
            name='casus_purged_is_empty',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'purged'), _negated=True), models.Q(('background', ''), ('kernvraag', ''), ('outcome', ''), ('situatie', ''), ('title', ''), ('tried', ''), ('action_1', ''), ('action_2', ''), ('purged_at__isnull', False), ('takeaways', '')), _connector='OR'), name='casus_purged_is_empty', violation_error_message='Een gewiste casus heeft geen tekst meer en een datum waarop hij gewist is.'),
        ),
        migrations.AlterConstraint(
            model_name='casusvote',
            name='casus_vote_unique',
            constraint=models.UniqueConstraint(fields=('casus', 'session', 'voter'), name='casus_vote_unique', violation_error_message='Deze persoon heeft voor deze bijeenkomst al op deze casus gestemd.'),
        ),
        migrations.AlterConstraint(
            model_name='liverun',
            name='liverun_one_active_per_session',
            constraint=models.UniqueConstraint(condition=models.Q(('finished_at__isnull', True)), fields=('session',), name='liverun_one_active_per_session', violation_error_message='Bij deze bijeenkomst loopt al een bespreking.'),
        ),
        migrations.AlterConstraint(
            model_name='liverun',
            name='liverun_once_per_casus',
            constraint=models.UniqueConstraint(condition=models.Q(('casus__isnull', False)), fields=('session', 'casus'), name='liverun_once_per_casus', violation_error_message='Deze casus is bij deze bijeenkomst al besproken.'),
        ),
        migrations.AlterConstraint(
            model_name='liverun',
            name='liverun_extra_minutes_range',
            constraint=models.CheckConstraint(condition=models.Q(('extra_minutes__lte', 240)), name='liverun_extra_minutes_range', violation_error_message='Een fase kan hoogstens 240 minuten verlengd worden.'),
        ),
        migrations.AlterConstraint(
            model_name='parkeditem',
            name='parked_item_text_unless_purged',
            constraint=models.CheckConstraint(condition=models.Q(('purged_at__isnull', False), models.Q(('text', ''), _negated=True), _connector='OR'), name='parked_item_text_unless_purged', violation_error_message='Een onderwerp op de parkeerplaats kan niet leeg zijn.'),
        ),
        migrations.AlterConstraint(
            model_name='question',
            name='question_text_not_empty',
            constraint=models.CheckConstraint(condition=models.Q(('text', ''), _negated=True), name='question_text_not_empty', violation_error_message='Een vraag kan niet leeg zijn.'),
        ),
    ]
