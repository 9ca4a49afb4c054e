from django.db import migrations, models


class Migration(migrations.Migration):
    """Every constraint's violation_error_message: a human sentence instead of the constraint's name (no
    change in the database)."""

    dependencies = [
        ("notifications", "0015_schedule_changed_kind"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name='alert',
            name='alert_one_open_per_condition',
            constraint=models.UniqueConstraint(condition=models.Q(('closed_at__isnull', True)), fields=('group', 'rule', 'subject_key'), name='alert_one_open_per_condition', violation_error_message='Dit signaal staat al open.'),
        ),
        migrations.AlterConstraint(
            model_name='alert',
            name='alert_closed_after_opened',
            constraint=models.CheckConstraint(condition=models.Q(('closed_at__isnull', True), ('closed_at__gte', models.F('opened_at')), _connector='OR'), name='alert_closed_after_opened', violation_error_message='Een signaal kan niet opgeheven zijn voordat het begon.'),
        ),
        migrations.AlterConstraint(
            model_name='groupnotificationsettings',
            name='group_notif_no_casus_days',
            constraint=models.CheckConstraint(condition=models.Q(('no_casus_days__gte', 1), ('no_casus_days__lte', 60)), name='group_notif_no_casus_days', violation_error_message="Kies voor 'nog geen casus' 1 tot en met 60 dagen vooraf."),
        ),
        migrations.AlterConstraint(
            model_name='mailoutage',
            name='mail_outage_single_row',
            constraint=models.CheckConstraint(condition=models.Q(('pk', 1)), name='mail_outage_single_row', violation_error_message='Er is maar één storing van de mailserver tegelijk.'),
        ),
        migrations.AlterConstraint(
            model_name='notificationpreference',
            name='notification_pref_calendar_path',
            constraint=models.CheckConstraint(condition=models.Q(('calendar_path__in', ['invites', 'feed'])), name='notification_pref_calendar_path', violation_error_message='Kies van de lijst hoe bijeenkomsten in je agenda komen.'),
        ),
        migrations.AlterConstraint(
            model_name='oneclickuse',
            name='oneclick_use_once',
            constraint=models.UniqueConstraint(fields=('outbox', 'action'), name='oneclick_use_once', violation_error_message='Deze link is al gebruikt.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_sent_has_time',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'sent'), _negated=True), ('sent_at__isnull', False), _connector='OR'), name='outbox_sent_has_time', violation_error_message='Een verstuurd bericht heeft een tijd van verzenden.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_sending_is_claimed',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'sending'), _negated=True), models.Q(('claim_token__isnull', False), ('claimed_at__isnull', False)), _connector='OR'), name='outbox_sending_is_claimed', violation_error_message='Een bericht dat wordt verstuurd, is opgepakt door een verzender.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_unique_message',
            constraint=models.UniqueConstraint(fields=('recipient', 'kind', 'subject_key'), name='outbox_unique_message', violation_error_message='Dit bericht staat al klaar voor deze ontvanger.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_session_alert_have_group',
            constraint=models.CheckConstraint(condition=models.Q(('group__isnull', False), models.Q(('alert__isnull', True), ('session__isnull', True)), _connector='OR'), name='outbox_session_alert_have_group', violation_error_message='Een bericht over een bijeenkomst of een signaal hoort bij een groep.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_status_valid',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sending', 'sent', 'failed', 'cancelled', 'held', 'bundled', 'doubt'])), name='outbox_status_valid', violation_error_message='Kies een status van de lijst.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_doubt_has_reason',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('doubt__in', ['no_reply', 'worker_stopped', 'time_limit']), ('status', 'doubt')), models.Q(models.Q(('status', 'doubt'), _negated=True), ('doubt', '')), _connector='OR'), name='outbox_doubt_has_reason', violation_error_message='Een onzeker bericht heeft een reden waarom het onzeker is, een ander bericht niet.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_unique_addressed_message',
            constraint=models.UniqueConstraint(condition=models.Q(('recipient__isnull', True)), fields=('kind', 'subject_key'), name='outbox_unique_addressed_message', violation_error_message='Dit bericht staat al klaar.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_account_or_invited_address',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('address', ''), ('recipient__isnull', False)), models.Q(('invitation__isnull', False), ('recipient__isnull', True), models.Q(('address', ''), _negated=True)), _connector='OR'), name='outbox_account_or_invited_address', violation_error_message='Een bericht gaat naar een account, of bij een uitnodiging naar het uitgenodigde adres.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_cancel_reason_valid',
            constraint=models.CheckConstraint(condition=models.Q(('cancel_reason', ''), models.Q(('cancel_reason__in', ['session_cancelled', 'left', 'declined', 'superseded', 'answered', 'presenter_released', 'session_held', 'tenant_mismatch', 'recipient_inactive', 'group_off', 'user_off', 'not_member', 'too_late', 'not_needed', 'no_password', 'invitation_closed']), ('status', 'cancelled')), _connector='OR'), name='outbox_cancel_reason_valid', violation_error_message='Alleen een geannuleerd bericht heeft een reden van annuleren.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_kind_valid',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['invite', 'cancellation', 'schedule_changed', 'reminder_first', 'reminder_second', 'rsvp_nudge', 'casus_prep', 'no_casus', 'casus_requeued', 'quorum_risk', 'reflection_request', 'reflection_reminder', 'followup', 'attendance_alert', 'digest', 'admin_digest', 'password_reset', 'invitation'])), name='outbox_kind_valid', violation_error_message='Kies een soort bericht van de lijst.'),
        ),
    ]
