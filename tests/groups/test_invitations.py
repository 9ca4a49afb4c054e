"""Invitations end to end over HTTP: invite → e-mail → accept (new or existing account) → agreements →
member; and every way a token can be unusable gets a clear page with a 4xx."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from groups.models import Invitation, Membership
from groups.services import INVITATION_SALT, invitation_token
from notifications import sweep
from tests.factories import PASSWORD, InvitationFactory, UserFactory

LINK = re.compile(r"https?://[^/\s]+(/groepen/uitnodiging/[^/\s]+/)")


def _invite(client, world, email, django_capture_on_commit_callbacks, role="member") -> str:
    """The facilitator posts the invite form; returns the path of the link in the e-mail."""
    client.force_login(world.facilitator, backend="django.contrib.auth.backends.ModelBackend")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("groups:invite", kwargs={"group_id": world.group.pk}), {"emails": email, "role": role}
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:invitations", kwargs={"group_id": world.group.pk})
    assert mail.outbox == []  # the outbox sends it, not the request
    assert sweep.sweep_once() == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email.lower()]
    assert world.group.name in message.subject
    html = message.alternatives[0].content
    match = LINK.search(message.body)
    assert match, message.body
    assert match.group(1) in html
    client.logout()
    return match.group(1)


def test_new_person_accepts_invitation_and_agreements(client, world, django_capture_on_commit_callbacks):
    path = _invite(client, world, "Nieuw.Lid@Example.org", django_capture_on_commit_callbacks)

    page = client.get(path)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Afspraken van de groep" in content
    assert "Vertrouwelijkheid" in content  # the group's agreements are shown before joining
    assert 'name="password1"' in content and 'name="accept"' in content

    before = timezone.now()
    response = client.post(
        path,
        {
            "display_name": "Nina Nieuw",
            "password1": "een-lang-wachtwoord",
            "password2": "een-lang-wachtwoord",
            "accept": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:detail", kwargs={"group_id": world.group.pk})

    user = User.objects.get(email="nieuw.lid@example.org")
    assert user.display_name == "Nina Nieuw"
    assert user.check_password("een-lang-wachtwoord")
    membership = Membership.objects.get(user=user, group=world.group)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.role == Membership.Role.MEMBER
    assert membership.agreements_accepted_at >= before
    invitation = Invitation.objects.get(email="nieuw.lid@example.org")
    assert invitation.accepted_by == user and invitation.accepted_at is not None

    # Logged in straight away: the group page shows the new member.
    group_page = client.get(response["Location"])
    assert group_page.status_code == 200
    assert group_page.wsgi_request.user == user
    assert "Nina Nieuw" in group_page.content.decode()


def test_existing_user_logs_in_then_accepts(client, world, django_capture_on_commit_callbacks):
    existing = UserFactory(email="bestaand@example.org", display_name="Bas Bestaand")
    path = _invite(client, world, existing.email, django_capture_on_commit_callbacks)

    response = client.get(path)
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("accounts:login"))

    login_page = client.get(login_url)
    assert login_page.status_code == 200
    response = client.post(login_url, {"username": existing.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == path

    page = client.get(path)
    assert page.status_code == 200
    assert 'name="password1"' not in page.content.decode()  # no new account asked
    response = client.post(path, {"accept": "on"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=existing, group=world.group)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.agreements_accepted_at is not None
    assert User.objects.filter(email__iexact=existing.email).count() == 1


def test_former_member_is_reactivated(client, world, django_capture_on_commit_callbacks):
    path = _invite(client, world, world.former_member.email, django_capture_on_commit_callbacks)
    client.force_login(world.former_member, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(path, {"accept": "on"}).status_code == 302
    membership = world.membership(world.former_member)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.left_at is None


def test_agreements_must_be_accepted(client, world):
    invitation = InvitationFactory(group=world.group, email="twijfel@example.org")
    path = reverse("groups:invitation_accept", kwargs={"token": invitation_token(invitation)})
    data = {"display_name": "Twijfel", "password1": "een-lang-wachtwoord", "password2": "een-lang-wachtwoord"}
    response = client.post(path, data)
    assert response.status_code == 400
    content = response.content.decode()
    assert "Je kunt pas meedoen als je akkoord gaat met de afspraken." in content
    assert 'value="Twijfel"' in content  # what was typed is kept
    assert not User.objects.filter(email="twijfel@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_mismatched_passwords_are_a_form_error(client, world):
    invitation = InvitationFactory(group=world.group, email="typo@example.org")
    path = reverse("groups:invitation_accept", kwargs={"token": invitation_token(invitation)})
    response = client.post(
        path,
        {
            "display_name": "T",
            "password1": "een-lang-wachtwoord",
            "password2": "iets-anders-123",
            "accept": "on",
        },
    )
    assert response.status_code == 400
    assert "De wachtwoorden zijn niet gelijk." in response.content.decode()


def test_logged_in_as_someone_else_gets_a_clear_403(client, world):
    invitation = InvitationFactory(group=world.group, email="iemand@example.org")
    client.force_login(world.outsider, backend="django.contrib.auth.backends.ModelBackend")
    path = reverse("groups:invitation_accept", kwargs={"token": invitation_token(invitation)})
    for response in (client.get(path), client.post(path, {"accept": "on"})):
        assert response.status_code == 403
        assert "Deze uitnodiging is voor iemand anders" in response.content.decode()
    assert not Membership.objects.filter(user=world.outsider, group=world.group).exists()


def _accept_path(token: str) -> str:
    return reverse("groups:invitation_accept", kwargs={"token": token})


def _assert_invalid(response, status: int, text: str):
    assert response.status_code == status
    content = response.content.decode()
    assert "Deze uitnodiging kan niet (meer) gebruikt worden" in content
    assert text in content


def test_reused_token(client, world, django_capture_on_commit_callbacks):
    path = _invite(client, world, "eenmalig@example.org", django_capture_on_commit_callbacks)
    data = {
        "display_name": "Eenmalig",
        "password1": "een-lang-wachtwoord",
        "password2": "een-lang-wachtwoord",
        "accept": "on",
    }
    assert client.post(path, data).status_code == 302
    client.logout()
    for response in (client.get(path), client.post(path, data)):
        _assert_invalid(response, 410, "Deze uitnodiging is al gebruikt.")
    assert User.objects.filter(email="eenmalig@example.org").count() == 1


def test_expired_invitation(client, world):
    invitation = InvitationFactory(group=world.group, expires_at=timezone.now() - timedelta(minutes=1))
    _assert_invalid(
        client.get(_accept_path(invitation_token(invitation))), 410, "De uitnodiging is verlopen."
    )


def test_expired_signature(client, world, settings):
    invitation = InvitationFactory(group=world.group)
    token = invitation_token(invitation)
    settings.INVITATION_MAX_AGE = timedelta(seconds=-1)  # every signature is now older than allowed
    _assert_invalid(client.get(_accept_path(token)), 410, "De uitnodiging is verlopen.")


def test_a_second_invitation_is_refused_and_a_resend_sends_a_working_link(
    client, world, django_capture_on_commit_callbacks
):
    first = _invite(client, world, "twee@example.org", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    client.force_login(world.facilitator, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post(
        reverse("groups:invite", kwargs={"group_id": world.group.pk}),
        {"emails": "twee@example.org", "role": "member"},
    )
    assert response.status_code == 400
    assert mail.outbox == []
    invitation = Invitation.objects.get(email="twee@example.org")
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "groups:invitation_resend",
                kwargs={"group_id": world.group.pk, "invitation_id": invitation.pk},
            )
        )
    assert response.status_code == 302
    assert sweep.sweep_once() == 1
    (message,) = mail.outbox
    second = LINK.search(message.body).group(1)
    client.logout()
    assert client.get(second).status_code == 200
    assert client.get(first).status_code == 200  # the first e-mail's link still works until it expires


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(
            lambda token: token[:-3] + ("abc" if not token.endswith("abc") else "xyz"), id="signature"
        ),
        pytest.param(lambda token: "x" + token, id="payload"),
        pytest.param(lambda token: "niet-eens-een-token", id="garbage"),
        pytest.param(lambda token: signing.dumps({"invitation": 1}, salt="other"), id="other-salt"),
        pytest.param(lambda token: signing.dumps({"invitation": 999999}, salt=INVITATION_SALT), id="unknown"),
        pytest.param(lambda token: signing.dumps([1, 2], salt=INVITATION_SALT), id="wrong-shape"),
    ],
)
def test_tampered_tokens(client, world, make_token):
    invitation = InvitationFactory(group=world.group)
    path = _accept_path(make_token(invitation_token(invitation)))
    _assert_invalid(client.get(path), 400, "De link is niet compleet of niet geldig.")
    _assert_invalid(client.post(path, {"accept": "on"}), 400, "De link is niet compleet of niet geldig.")
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
