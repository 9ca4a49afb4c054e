from django.db import migrations, models


class Migration(migrations.Migration):
    """The choice constraints' messages in idiomatic Dutch ("uit de lijst"); no change in the database."""

    dependencies = [
        ("notifications", "0019_advance_summary_kind"),
    ]

    operations = [
        migrations.AlterConstraint(
            model_name='notificationpreference',
            name='notification_pref_calendar_path',
            constraint=models.CheckConstraint(condition=models.Q(('calendar_path__in', ['invites', 'feed'])), name='notification_pref_calendar_path', violation_error_message='Kies uit de lijst hoe bijeenkomsten in je agenda komen.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_status_valid',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['pending', 'sending', 'sent', 'failed', 'cancelled', 'held', 'bundled', 'doubt'])), name='outbox_status_valid', violation_error_message='Kies een status uit de lijst.'),
        ),
        migrations.AlterConstraint(
            model_name='outbox',
            name='outbox_kind_valid',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['invite', 'cancellation', 'schedule_changed', 'reminder_first', 'reminder_second', 'rsvp_nudge', 'casus_prep', 'no_casus', 'casus_requeued', 'quorum_risk', 'date_poll', 'reflection_request', 'reflection_reminder', 'written_phase', 'followup', 'advance_summary', 'attendance_alert', 'digest', 'admin_digest', 'password_reset', 'invitation'])), name='outbox_kind_valid', violation_error_message='Kies een soort bericht uit de lijst.'),
        ),
    ]
