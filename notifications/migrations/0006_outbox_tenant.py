"""An outbox row's session and alert belong to the row's group, and an alert's session to the alert's group.

Everywhere: a check constraint that a row about a session or alert names its group. On PostgreSQL also
composite foreign keys (session_id, group_id) → meetings_session (id, group_id) and (alert_id, group_id) →
notifications_alert (id, group_id), on unique (id, group_id) pairs of the referenced tables. SQLite cannot add
a foreign key to an existing table; there ``Outbox.clean`` and the sweep (which cancels a row whose group
differs from its session's or alert's) keep one group's data out of another's mail."""

from django.db import migrations, models

# Rows written before this rule whose group is missing or wrong: the group becomes the session's (or alert's),
# and a row not sent yet is cancelled, since it was not planned for that group.
REPAIR = """
UPDATE notifications_outbox SET
    status = CASE WHEN status IN ('sent', 'bundled') THEN status ELSE 'cancelled' END,
    last_error = CASE WHEN status IN ('sent', 'bundled') THEN last_error
        ELSE 'group does not match the session or alert' END,
    claim_token = CASE WHEN status IN ('sent', 'bundled') THEN claim_token ELSE NULL END,
    group_id = COALESCE(
        (SELECT s.group_id FROM meetings_session s WHERE s.id = notifications_outbox.session_id),
        (SELECT a.group_id FROM notifications_alert a WHERE a.id = notifications_outbox.alert_id)
    )
WHERE (session_id IS NOT NULL AND group_id IS DISTINCT FROM
        (SELECT s.group_id FROM meetings_session s WHERE s.id = notifications_outbox.session_id))
   OR (alert_id IS NOT NULL AND group_id IS DISTINCT FROM
        (SELECT a.group_id FROM notifications_alert a WHERE a.id = notifications_outbox.alert_id))
"""

POSTGRES_FORWARD = """
ALTER TABLE meetings_session ADD CONSTRAINT meetings_session_id_group_uniq UNIQUE (id, group_id);
ALTER TABLE notifications_alert ADD CONSTRAINT notifications_alert_id_group_uniq UNIQUE (id, group_id);
DELETE FROM notifications_alert a WHERE a.session_id IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM meetings_session s WHERE s.id = a.session_id AND s.group_id = a.group_id);
ALTER TABLE notifications_outbox ADD CONSTRAINT outbox_session_in_group
    FOREIGN KEY (session_id, group_id) REFERENCES meetings_session (id, group_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE notifications_outbox ADD CONSTRAINT outbox_alert_in_group
    FOREIGN KEY (alert_id, group_id) REFERENCES notifications_alert (id, group_id)
    DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE notifications_alert ADD CONSTRAINT alert_session_in_group
    FOREIGN KEY (session_id, group_id) REFERENCES meetings_session (id, group_id)
    DEFERRABLE INITIALLY DEFERRED;
"""

POSTGRES_BACKWARD = """
ALTER TABLE notifications_alert DROP CONSTRAINT alert_session_in_group;
ALTER TABLE notifications_outbox DROP CONSTRAINT outbox_alert_in_group;
ALTER TABLE notifications_outbox DROP CONSTRAINT outbox_session_in_group;
ALTER TABLE notifications_alert DROP CONSTRAINT notifications_alert_id_group_uniq;
ALTER TABLE meetings_session DROP CONSTRAINT meetings_session_id_group_uniq;
"""


def repair(apps, schema_editor):
    sql = REPAIR
    if schema_editor.connection.vendor != "postgresql":
        sql = sql.replace("IS DISTINCT FROM", "IS NOT")  # SQLite's spelling
    schema_editor.execute(sql)


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_handover"),
        ("meetings", "0002_session_cancelled_by_schedule"),
    ]

    operations = [
        migrations.RunPython(repair, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="outbox",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("group__isnull", False),
                    models.Q(("alert__isnull", True), ("session__isnull", True)),
                    _connector="OR",
                ),
                name="outbox_session_alert_have_group",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
