"""The group invitation goes through the outbox: inviting creates one row addressed to the invited e-mail
address (no account needed), nothing is sent inside the request, the sweep sends it once with an accept
link it makes at send time, a resend is a row of its own, and a closed invitation is not sent."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from groups import services as group_services
from groups.models import Invitation
from notifications import sweep
from notifications.models import CancelReason, Kind, Outbox, Status
from tests.factories import GroupFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/groepen/uitnodiging/[^/\s]+/)")


def _invite(client, world, email: str, django_capture_on_commit_callbacks):
    client.force_login(world.facilitator, backend="django.contrib.auth.backends.ModelBackend")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("groups:invite", kwargs={"group_id": world.group.pk}), {"emails": email, "role": "member"}
        )
    client.logout()
    return response


def test_inviting_queues_one_row_for_the_address_and_the_sweep_sends_a_working_link(
    client, world, django_capture_on_commit_callbacks
):
    response = _invite(client, world, "Nieuw@Example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert mail.outbox == []  # nothing is sent inside the request
    invitation = Invitation.objects.get(email="nieuw@example.org")
    row = Outbox.objects.get(kind=Kind.INVITATION)
    assert (row.recipient_id, row.address, row.invitation_id, row.group_id, row.status) == (
        None,
        "nieuw@example.org",
        invitation.pk,
        world.group.pk,
        Status.PENDING,
    )

    assert sweep.sweep_once() == 1
    assert sweep.sweep_once() == 0  # a retried sweep
    assert sweep.send_due(ids=[row.pk]) == 0  # a retried sender for exactly this row
    (message,) = mail.outbox
    assert message.to == ["nieuw@example.org"]
    assert world.group.name in message.subject
    assert "List-Unsubscribe" not in message.extra_headers  # nothing to unsubscribe from
    path = LINK.search(message.body).group(1)
    assert path in message.alternatives[0].content
    row.refresh_from_db()
    assert row.status == Status.SENT

    page = client.get(path)
    assert page.status_code == 200
    assert 'name="accept"' in page.content.decode()


def test_the_same_send_announced_twice_is_one_row_and_a_resend_is_a_new_one(world):
    invitation = Invitation.objects.create(
        group=world.group, email="twee@example.org", invited_by=world.facilitator,
        expires_at=timezone.now() + timedelta(days=14),
    )  # fmt: skip
    group_services.invitation_send(invitation=invitation)
    group_services.invitation_send(invitation=invitation)  # a retried announcement of the same send
    assert Outbox.objects.filter(invitation=invitation).count() == 1

    invitation.sent_at = timezone.now() + timedelta(seconds=1)  # a resend
    invitation.save(update_fields=["sent_at"])
    group_services.invitation_send(invitation=invitation)
    assert Outbox.objects.filter(invitation=invitation).count() == 2
    assert sweep.sweep_once() == 2
    assert [message.to for message in mail.outbox] == [["twee@example.org"], ["twee@example.org"]]


def test_the_database_refuses_a_second_row_for_one_send_and_a_row_without_an_addressee(world):
    invitation = Invitation.objects.create(
        group=world.group, email="drie@example.org", expires_at=timezone.now() + timedelta(days=14)
    )
    group_services.invitation_send(invitation=invitation)
    row = Outbox.objects.get(invitation=invitation)
    fields = {"kind": row.kind, "group": world.group, "due_at": row.due_at, "invitation": invitation}
    with pytest.raises(IntegrityError), transaction.atomic():
        Outbox.objects.create(**fields, address=row.address, subject_key=row.subject_key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outbox.objects.create(**fields, subject_key="invitation:no-address")


def test_an_invitation_revoked_before_the_sweep_is_not_sent(world):
    invitation = Invitation.objects.create(
        group=world.group, email="vier@example.org", expires_at=timezone.now() + timedelta(days=14)
    )
    group_services.invitation_send(invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    assert sweep.sweep_once() == 0
    assert mail.outbox == []
    row = Outbox.objects.get(invitation=invitation)
    assert (row.status, row.cancel_reason) == (Status.CANCELLED, CancelReason.INVITATION_CLOSED)


def test_a_group_name_full_of_markup_and_placeholders_is_sent_as_typed(
    client, world, django_capture_on_commit_callbacks
):
    name = "Noord & <Zuid> 100% {{ naam }} %(group)s"
    world.group.name = name
    world.group.save(update_fields=["name"])
    response = _invite(client, world, "vijf@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert sweep.sweep_once() == 1
    (message,) = mail.outbox
    assert name in message.subject and name in message.body
    assert escape(name) in message.alternatives[0].content


def test_the_mail_is_in_the_invited_persons_language_or_else_the_inviters(world):
    english = UserFactory(email="en@example.org", preferred_language="en")
    inviter = UserFactory(preferred_language="en")
    group = GroupFactory(organisation=world.group.organisation)
    for email, by in ((english.email, None), ("nobody@example.org", inviter)):
        invitation = Invitation.objects.create(
            group=group, email=email, invited_by=by, expires_at=timezone.now() + timedelta(days=14)
        )
        group_services.invitation_send(invitation=invitation)
    assert sweep.sweep_once() == 2
    assert all(message.subject.startswith("Invitation") for message in mail.outbox), [
        message.subject for message in mail.outbox
    ]
