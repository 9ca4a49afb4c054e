"""An outbox row belongs to one group: its session and alert are that group's (clean, check constraint and, on
PostgreSQL, composite foreign keys), and the sweep never mails one group's casus title to someone who is no
active member of that group, even for a row forged past the database's checks. The admin retry re-queues
only rows that never reached the mail server."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from casussen.models import Casus
from notifications import sweep
from notifications.models import Alert, CancelReason, Doubt, Handover, Kind, Outbox, Status
from tests.factories import OrganisationAdminFactory, UserFactory

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Casustitel-van-groep-A"


@pytest.fixture
def two_groups():
    """Group A (casus titles in mails, a booked casus) and group B whose member Bert is the attacker."""
    group_a, _, (anna,) = group_with_members(members=1, show_casus_title_in_email=True, name="Groep A")
    group_b, _, (bert,) = group_with_members(members=1, show_casus_title_in_email=True, name="Groep B")
    session_a = plan_session(group_a, location="Kamer A")
    session_b = plan_session(group_b, location="Kamer B")
    Casus.objects.create(
        group=group_a,
        author=anna,
        title=SECRET_TITLE,
        situatie="Een situatie.",
        kernvraag="Hoe nu verder?",
        status=Casus.Status.BOOKED,
        session=session_a,
        booked_at=timezone.now(),
    )
    return group_a, session_a, group_b, session_b, bert


def _berts_reminder(session_b, bert) -> Outbox:
    return Outbox.objects.get(session=session_b, recipient=bert, kind=Kind.REMINDER_FIRST)


def _bodies() -> str:
    return "".join(m.subject + m.body + "".join(a.content for a in m.alternatives) for m in mail.outbox)


def _defer_tenant_keys():
    """Forging past the PostgreSQL foreign keys: they are deferred, so checked only at a commit (or the test's
    closing constraint check, before which the forged row is deleted)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS outbox_session_in_group, outbox_alert_in_group DEFERRED")


def test_clean_refuses_another_groups_session_and_alert(two_groups):
    group_a, session_a, group_b, session_b, bert = two_groups
    row = _berts_reminder(session_b, bert)
    row.session = session_a
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert set(error.value.message_dict) == {"session"}
    alert_a = Alert.objects.create(group=group_a, rule=Alert.Rule.TREND)
    alert_row = Outbox(kind=Kind.ATTENDANCE_ALERT, recipient=bert, subject_key="alert:x", group=group_b)
    alert_row.alert, alert_row.due_at = alert_a, timezone.now()
    with pytest.raises(ValidationError) as error:
        alert_row.full_clean()
    assert set(error.value.message_dict) == {"alert"}
    alert = Alert(group=group_b, rule=Alert.Rule.QUORUM, subject_key="session:x", session=session_a)
    with pytest.raises(ValidationError) as error:
        alert.full_clean()
    assert set(error.value.message_dict) == {"session"}
    row.session = session_b
    row.full_clean()  # its own group's session is fine


def test_a_row_about_a_session_names_its_group(two_groups):
    _, _, _, session_b, bert = two_groups
    with pytest.raises(IntegrityError), transaction.atomic():
        Outbox.objects.filter(pk=_berts_reminder(session_b, bert).pk).update(group=None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="composite foreign keys: PostgreSQL only")
@pytest.mark.parametrize("forge", ["session", "group", "alert"])
def test_postgresql_refuses_a_row_pointing_into_another_group(two_groups, forge):
    group_a, session_a, group_b, session_b, bert = two_groups
    pk = _berts_reminder(session_b, bert).pk
    change = {"session": {"session": session_a}, "group": {"group": group_a}}.get(forge)
    if forge == "alert":
        change = {"alert": Alert.objects.create(group=group_a, rule=Alert.Rule.TREND)}
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Outbox.objects.filter(pk=pk).update(**change)
    with pytest.raises(IntegrityError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        Alert.objects.create(group=group_b, rule=Alert.Rule.QUORUM, subject_key="s", session=session_a)


@pytest.mark.parametrize(
    "forge",
    [
        "session",  # Bert's own row, pointed at group A's session
        "group",  # ... and its group too, so that row and session agree
        "group_only",  # group A's name on a row about Bert's own session
    ],
)
def test_the_sweep_never_mails_another_groups_casus_title(two_groups, forge):
    group_a, session_a, group_b, session_b, bert = two_groups
    row = _berts_reminder(session_b, bert)
    _defer_tenant_keys()
    changes = {
        "session": "session_id = %s",
        "group": "session_id = %s, group_id = %s",
        "group_only": "group_id = %s",
    }[forge]
    params = {"session": [session_a.pk], "group": [session_a.pk, group_a.pk], "group_only": [group_a.pk]}[
        forge
    ]
    with connection.cursor() as cursor:  # a raw UPDATE: no clean(), no model code
        cursor.execute(
            f"UPDATE notifications_outbox SET {changes}, due_at = %s WHERE id = %s",  # noqa: S608
            [*params, timezone.now() - timedelta(minutes=1), row.pk],
        )
    sweep.send_due(ids=[row.pk])
    row.refresh_from_db()
    row.delete()  # the forged row would fail the end-of-test constraint check (PostgreSQL)
    assert row.status == Status.CANCELLED
    assert not [m for m in mail.outbox if bert.email in m.to]
    assert SECRET_TITLE not in _bodies()


def test_the_sweep_reads_the_title_setting_of_the_sessions_group(two_groups):
    """The title shows when the session's group chose it, whatever the row says (the row agrees here)."""
    group_a, session_a, _, _, _ = two_groups
    anna_row = Outbox.objects.get(
        session=session_a, kind=Kind.REMINDER_FIRST, recipient__memberships__role="member"
    )
    Outbox.objects.filter(pk=anna_row.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    sweep.send_due(ids=[anna_row.pk])
    assert SECRET_TITLE in _bodies()  # the member of group A gets it: the check is not too strict


def _retry_rows(two_groups):
    _, _, _, session_b, bert = two_groups
    rows = list(Outbox.objects.filter(session=session_b, recipient=bert).order_by("pk")[:5])
    assert len(rows) == 5
    failed, cancelled, sent, journaled, interrupted = rows
    now = timezone.now()
    Outbox.objects.filter(pk=failed.pk).update(status=Status.FAILED, last_error="SMTPRecipientsRefused")
    Outbox.objects.filter(pk=cancelled.pk).update(
        status=Status.CANCELLED, cancel_reason=CancelReason.SESSION_CANCELLED
    )
    Outbox.objects.filter(pk=sent.pk).update(status=Status.SENT, sent_at=now)
    # A row the mail server accepted whose hand-over is journaled but not settled yet, then marked failed.
    Outbox.objects.filter(pk=journaled.pk).update(status=Status.FAILED, last_error="x")
    Handover.objects.create(outbox_id=journaled.pk, sent_at=now)
    Outbox.objects.filter(pk=interrupted.pk).update(status=Status.DOUBT, doubt=Doubt.WORKER_STOPPED)
    return {
        "failed": failed,
        "cancelled": cancelled,
        "sent": sent,
        "journaled": journaled,
        "interrupted": interrupted,
    }


def _statuses(rows) -> dict:
    return {name: Outbox.objects.get(pk=row.pk).status for name, row in rows.items()}


def test_retry_requeues_only_rows_that_never_reached_the_mail_server(two_groups):
    rows = _retry_rows(two_groups)
    assert sweep.outbox_retry(ids=[row.pk for row in rows.values()]) == 2
    assert _statuses(rows) == {
        "failed": Status.PENDING,
        "cancelled": Status.PENDING,
        "sent": Status.SENT,
        "journaled": Status.FAILED,
        "interrupted": Status.DOUBT,
    }
    assert sweep.outbox_retry(ids=[row.pk for row in rows.values()], interrupted=True) == 1
    assert _statuses(rows)["interrupted"] == Status.PENDING
    assert _statuses(rows)["journaled"] == Status.FAILED


def test_retry_action_in_admin_is_for_superusers(client, two_groups):
    rows = _retry_rows(two_groups)
    ids = [str(row.pk) for row in rows.values()]
    url = reverse("admin:notifications_outbox_changelist")
    data = {"action": "retry_now", "_selected_action": ids, "index": "0"}
    beheerder = OrganisationAdminFactory(organisation=two_groups[2].organisation).user
    client.force_login(beheerder)
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert _statuses(rows)["failed"] == Status.FAILED
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    assert _statuses(rows) == {
        "failed": Status.PENDING,
        "cancelled": Status.PENDING,
        "sent": Status.SENT,
        "journaled": Status.FAILED,
        "interrupted": Status.DOUBT,
    }
    response = client.post(url, {**data, "action": "resend_interrupted"})
    assert response.status_code == 302
    assert _statuses(rows)["interrupted"] == Status.PENDING
