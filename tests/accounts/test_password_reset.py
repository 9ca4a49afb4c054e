"""Password reset: the same neutral answer for every address, throttled per address and per client, the
mail an outbox row that the sweep sends once with a link made at send time."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.urls import reverse

from notifications import sweep
from notifications.models import Kind, Outbox, Status
from tests.factories import PASSWORD, UserFactory

from .pages import login, submit

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "nieuw-geheim-wachtwoord"


def _request(client, email, **extra):
    return submit(client, reverse("accounts:password_reset"), "email", {"email": email}, **extra)


def _reset_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/account/wachtwoord/herstellen/\S+/)", message.body).group(1)


def _set_password(client, link: str, password: str):
    page = client.get(link, follow=True)  # Django swaps the token for a session-bound URL
    assert page.status_code == 200
    return submit(
        client,
        page.redirect_chain[-1][0],
        "new_password1",
        {"new_password1": password, "new_password2": password},
    )


def test_the_mail_is_an_outbox_row_sent_once_with_a_working_link(form_client):
    user = UserFactory(email="vergeten@example.org")
    response = _request(form_client, "Vergeten@Example.org ")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []  # nothing is sent by the request itself
    row = Outbox.objects.get()
    assert (row.kind, row.recipient, row.status) == (Kind.PASSWORD_RESET, user, Status.PENDING)

    assert sweep.sweep_once() == 1
    assert sweep.sweep_once() == 0  # a retried sweep
    assert sweep.send_due(ids=[row.pk]) == 0  # a retried sender for exactly this row
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["vergeten@example.org"]
    assert "List-Unsubscribe" not in message.extra_headers  # asked for, so nothing to unsubscribe from
    link = _reset_link(message)
    assert link in message.alternatives[0].content
    row.refresh_from_db()
    assert row.status == Status.SENT
    token = link.rstrip("/").rsplit("/", 1)[1]
    stored = Outbox.objects.filter(pk=row.pk).values().get()
    assert not any(token in str(value) for value in stored.values())  # the secret is in no database row

    response = _set_password(form_client, link, NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    reused = form_client.get(link, follow=True)
    assert reused.context["validlink"] is False
    assert login(form_client, user.email, NEW_PASSWORD).status_code == 302


def test_a_second_request_in_the_same_interval_sends_no_second_mail(form_client):
    UserFactory(email="twee@example.org")
    assert _request(form_client, "twee@example.org").status_code == 302
    sweep.sweep_once()
    assert _request(form_client, "TWEE@example.org").status_code == 302
    assert Outbox.objects.count() == 1
    assert sweep.sweep_once() == 0
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("make", ["unknown", "inactive", "no_password"])
def test_no_mail_without_an_account_that_can_reset_and_the_same_answer(form_client, make):
    known = UserFactory(email="bekend@example.org")
    expected = _request(form_client, known.email)
    address = "iemand@example.org"
    if make == "inactive":
        UserFactory(email=address, is_active=False)
    elif make == "no_password":
        user = UserFactory(email=address)
        user.set_unusable_password()
        user.save()
    response = _request(form_client, address)
    assert (response.status_code, response["Location"]) == (expected.status_code, expected["Location"])
    assert list(Outbox.objects.values_list("recipient__email", flat=True)) == [known.email]


def test_requests_per_address_are_throttled_whether_or_not_it_has_an_account(form_client):
    UserFactory(email="bestaat@example.org")
    limit = settings.PASSWORD_RESET_ADDRESS_LIMIT
    for address in ("bestaat@example.org", "bestaat-niet@example.org"):
        statuses = [_request(form_client, address).status_code for _ in range(limit)]
        assert statuses == [302] * limit
        refused = _request(form_client, address.upper())
        assert refused.status_code == 429
        form = refused.context["form"]
        assert form.non_field_errors()  # said on the form ...
        assert f'value="{address.upper()}"' in refused.content.decode()  # ... which keeps what was typed
    assert Outbox.objects.count() == 1


def test_requests_per_client_are_throttled_across_addresses(form_client):
    limit = settings.PASSWORD_RESET_IP_LIMIT
    assert limit > settings.PASSWORD_RESET_ADDRESS_LIMIT
    statuses = [_request(form_client, f"adres-{n}@example.org").status_code for n in range(limit + 1)]
    assert statuses == [302] * limit + [429]
    user = UserFactory(email="elders@example.org")
    assert _request(form_client, user.email).status_code == 429
    assert _request(form_client, user.email, REMOTE_ADDR="198.51.100.8").status_code == 302
    assert list(Outbox.objects.values_list("recipient", flat=True)) == [user.pk]


def test_behind_a_proxy_a_forged_header_does_not_escape_the_client_throttle(settings, form_client):
    settings.TRUSTED_PROXY_COUNT = 1
    limit = settings.PASSWORD_RESET_IP_LIMIT
    statuses = [
        _request(
            form_client,
            f"adres-{n}@example.org",
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        ).status_code
        for n in range(limit + 1)
    ]
    assert statuses == [302] * limit + [429]
    other = _request(
        form_client, "ander@example.org", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.10"
    )
    assert other.status_code == 302


def test_setting_a_new_password_lifts_the_login_lock(form_client):
    user = UserFactory(email="opgesloten@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = login(form_client, user.email, "fout")
    assert response.status_code == 429
    assert login(form_client, user.email, PASSWORD).status_code == 429
    _request(form_client, user.email)
    sweep.sweep_once()
    assert _set_password(form_client, _reset_link(mail.outbox[0]), NEW_PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.email).exists()
    assert login(form_client, user.email, NEW_PASSWORD).status_code == 302


def test_an_english_recipient_gets_the_mail_in_english(form_client):
    UserFactory(email="english@example.org", preferred_language="en")
    _request(form_client, "english@example.org")
    sweep.sweep_once()
    assert '<html lang="en">' in mail.outbox[0].alternatives[0].content


def test_nobody_can_switch_the_reset_mail_off(form_client, client_for, world):
    from notifications.models import NotificationPreference

    response = client_for(world.member).get(reverse("notifications:preferences"))
    fields = response.context["form"].fields
    sections = [field for name, field in fields.items() if name.startswith("enabled_")]
    offered = [value for field in sections for value, _ in field.choices]
    assert Kind.REMINDER_FIRST in offered and Kind.PASSWORD_RESET not in offered
    response = client_for(world.facilitator).get(
        reverse("notifications:group_settings", kwargs={"group_id": world.group.pk})
    )
    offered = [value for value, _ in response.context["form"].fields["enabled"].choices]
    assert Kind.NO_CASUS in offered and Kind.PASSWORD_RESET not in offered

    # Even a preference that names it (written before it existed) does not stop the mail.
    NotificationPreference.objects.create(
        user=world.member, disabled_kinds=[Kind.PASSWORD_RESET], digest=True
    )
    form_client.logout()
    _request(form_client, world.member.email)
    assert sweep.sweep_once() == 1
    assert mail.outbox[0].to == [world.member.email]
