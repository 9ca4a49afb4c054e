"""The admin's "retry" brings back only rows that are still the current truth: never an invite to an older
version of a session, a row a newer plan replaced, or a message about a session that changed since."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import planning, sweep
from notifications.models import CancelReason, Kind, Outbox, Status
from sessions import services as session_services
from tests.factories import UserFactory

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db

URL = "admin:notifications_outbox_changelist"


def _retry(client, rows):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse(URL), {"action": "retry_now", "_selected_action": [r.pk for r in rows], "index": "0"}
    )
    assert response.status_code == 302 and response["Location"] == reverse(URL)
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def _status(row):
    row.refresh_from_db()
    return row.status


def test_retry_refuses_the_invite_to_an_older_version_and_revives_the_current_one(client):
    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=20))
    first = Outbox.objects.get(recipient=anna, session=session, kind=Kind.INVITE)
    Outbox.objects.filter(pk=first.pk).update(status=Status.FAILED, last_error="550 mailbox full")
    later = session.starts_at + timedelta(days=1)
    session_services.session_update(session=session, starts_at=later, ends_at=later + timedelta(hours=2))
    second = Outbox.objects.get(recipient=anna, session=session, kind=Kind.INVITE, status=Status.PENDING)
    later = later + timedelta(days=1)
    session_services.session_update(session=session, starts_at=later, ends_at=later + timedelta(hours=2))
    current = Outbox.objects.get(recipient=anna, session=session, kind=Kind.INVITE, status=Status.PENDING)
    assert _status(second) == Status.CANCELLED and second.cancel_reason == CancelReason.SUPERSEDED
    Outbox.objects.filter(pk=current.pk).update(status=Status.FAILED, last_error="421 try later")

    messages = _retry(client, [first, second, current])

    assert (_status(first), _status(second), _status(current)) == (
        Status.FAILED,
        Status.CANCELLED,
        Status.PENDING,
    )
    levels = [level for level, _text in messages]
    assert levels == ["success", "warning"]
    assert f"{first.pk}, {second.pk}" in messages[1][1] and str(current.pk) not in messages[1][1]
    # What goes out is the session as it is now, once.
    mail.outbox.clear()
    sweep.sweep_once()
    sent = [m for m in mail.outbox if m.to == [anna.email]]
    assert len(sent) == 1
    assert Outbox.objects.get(pk=current.pk).status == Status.SENT


def test_retry_refuses_rows_about_a_session_that_changed_since(client):
    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=20))
    reminder = Outbox.objects.get(recipient=anna, session=session, kind=Kind.REMINDER_FIRST)
    session_services.session_cancel(session=session, reason="ziek")
    cancellation = Outbox.objects.get(recipient=anna, session=session, kind=Kind.CANCELLATION)
    Outbox.objects.filter(pk=cancellation.pk).update(status=Status.FAILED, last_error="421 try later")
    assert _status(reminder) == Status.CANCELLED

    messages = _retry(client, [reminder, cancellation])

    # The cancellation is still true and comes back; a reminder for a cancelled session does not.
    assert (_status(reminder), _status(cancellation)) == (Status.CANCELLED, Status.PENDING)
    assert [level for level, _text in messages] == ["success", "warning"]


def test_retry_refused_leaves_current_failed_rows_alone():
    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group, starts_at=timezone.now() + timedelta(days=20))
    rows = list(Outbox.objects.filter(recipient=anna, session=session))
    assert {row.kind for row in rows} >= {Kind.INVITE, Kind.REMINDER_FIRST}
    assert planning.retry_refused([row.pk for row in rows]) == set()
