"""Inviting several addresses at once and resending an open invitation: the services called directly, and
the pages through the test client (per-address reasons, the refused addresses kept in the field, 4xx)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.forms import split_addresses
from groups.models import Invitation
from notifications import sweep
from tests.factories import InvitationFactory, MembershipFactory
from tests.html import tree


def _emails(outcomes) -> dict[str, str]:
    return {outcome.email: outcome.error for outcome in outcomes}


def test_split_addresses_takes_lines_commas_semicolons_spaces_and_brackets():
    text = "a@example.org\nb@example.org, c@example.org;d@example.org  <e@example.org>\n\n"
    assert split_addresses(text) == [f"{x}@example.org" for x in "abcde"]


# --- invitations_create ---------------------------------------------------------------------------------


def test_every_good_address_is_invited_and_each_bad_one_says_why(world, django_capture_on_commit_callbacks):
    InvitationFactory(group=world.group, email="al@example.org")
    typed = [
        "Nieuw@Example.org",
        "geen-adres",
        world.member.email.upper(),
        "al@example.org",
        "nieuw@example.org",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        outcomes = services.invitations_create(
            group=world.group, emails=typed, role="member", invited_by=world.facilitator
        )
    assert [outcome.email for outcome in outcomes] == typed
    errors = _emails(outcomes)
    assert errors["Nieuw@Example.org"] == ""
    assert errors["geen-adres"] == "Dit is geen geldig e-mailadres."
    assert errors[world.member.email.upper()] == "Deze persoon is al lid van de groep."
    assert errors["al@example.org"].startswith("Deze persoon is al uitgenodigd (verstuurd op ")
    assert errors["nieuw@example.org"] == "Dit adres staat al eerder in je lijst."
    sweep.sweep_once()
    assert [message.to for message in mail.outbox] == [["nieuw@example.org"]]
    assert Invitation.objects.filter(group=world.group, email="nieuw@example.org").count() == 1


def test_the_size_limit_counts_members_and_open_invitations(world):
    world.group.size_limit = 4  # facilitator and member are active: two places left
    world.group.quorum = 2
    world.group.save()
    InvitationFactory(group=world.group, email="open@example.org")  # takes one of them
    outcomes = services.invitations_create(
        group=world.group, emails=["een@example.org", "twee@example.org"], role="member", invited_by=None
    )
    errors = _emails(outcomes)
    assert errors["een@example.org"] == ""
    assert errors["twee@example.org"].startswith("Er is geen plaats meer")
    assert not Invitation.objects.filter(email="twee@example.org").exists()


def test_an_expired_invitation_takes_no_place_and_may_be_renewed(world):
    world.group.size_limit = 3
    world.group.quorum = 2
    world.group.save()
    InvitationFactory(
        group=world.group, email="oud@example.org", expires_at=timezone.now() - timedelta(days=1)
    )
    (outcome,) = services.invitations_create(
        group=world.group, emails=["oud@example.org"], role="member", invited_by=None
    )
    assert outcome.error == "" and outcome.invitation is not None


def test_too_many_addresses_are_refused_before_any_is_invited(world):
    emails = [f"p{i}@example.org" for i in range(services.INVITATION_BATCH_MAX + 1)]
    with pytest.raises(ValidationError) as raised:
        services.invitations_create(group=world.group, emails=emails, role="member", invited_by=None)
    assert raised.value.message_dict == {"emails": ["Je kunt maximaal 50 adressen tegelijk uitnodigen."]}
    assert not Invitation.objects.filter(email="p0@example.org").exists()


def test_a_refused_address_does_not_undo_the_others(world):
    """One transaction per address: the first invitation stays when a later address is refused."""
    world.group.size_limit = 3
    world.group.quorum = 2
    world.group.save()
    outcomes = services.invitations_create(
        group=world.group, emails=["eerste@example.org", "tweede@example.org"], role="member", invited_by=None
    )
    assert [bool(outcome.invitation) for outcome in outcomes] == [True, False]
    assert Invitation.objects.filter(email="eerste@example.org").exists()


# --- invitation_resend ----------------------------------------------------------------------------------


def _sent_ago(invitation, **delta):
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(**delta))
    invitation.refresh_from_db()
    return invitation


def test_resend_sends_again_with_a_fresh_expiry(world, django_capture_on_commit_callbacks):
    invitation = _sent_ago(
        InvitationFactory(group=world.group, expires_at=timezone.now() + timedelta(days=1)), hours=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation)
    invitation.refresh_from_db()
    assert timezone.now() - invitation.sent_at < timedelta(minutes=1)
    assert invitation.expires_at > timezone.now() + timedelta(days=13)
    sweep.sweep_once()
    assert [message.to for message in mail.outbox] == [[invitation.email]]


def test_resend_waits_the_interval(world, django_capture_on_commit_callbacks):
    invitation = _sent_ago(InvitationFactory(group=world.group), minutes=3)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError) as raised:
        services.invitation_resend(invitation=invitation)
    assert raised.value.code == "resend_too_soon"
    sweep.sweep_once()
    assert raised.value.messages == [
        "Deze uitnodiging is net verstuurd. Opnieuw versturen kan over 7 minuten."
    ]
    assert mail.outbox == []
    _sent_ago(invitation, minutes=10)
    services.invitation_resend(invitation=invitation)


@pytest.mark.parametrize(
    "fields",
    [
        {"revoked_at": timezone.now()},
        {"expires_at": timezone.now() - timedelta(minutes=1)},
    ],
    ids=["revoked", "expired"],
)
def test_only_an_open_invitation_is_resent(world, fields):
    invitation = _sent_ago(InvitationFactory(group=world.group, **fields), hours=1)
    with pytest.raises(ValidationError) as raised:
        services.invitation_resend(invitation=invitation)
    assert raised.value.code == "not_open"


# --- the pages ------------------------------------------------------------------------------------------


def _invite_url(world):
    return reverse("groups:invite", kwargs={"group_id": world.group.pk})


def test_the_invite_page_reports_each_refused_address_and_keeps_it(
    world, client_for, django_capture_on_commit_callbacks
):
    client = client_for(world.facilitator)
    typed = "goed@example.org\nslecht-adres; " + world.member.email + ", goed@example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_invite_url(world), {"emails": typed, "role": "member"})
    assert response.status_code == 400
    page = tree(response.content)
    refused = {li["data-address"]: li.text for li in page.by_id("invite-refused").find_all("li")}
    assert set(refused) == {"slecht-adres", world.member.email, "goed@example.org"}
    assert "geen geldig e-mailadres" in refused["slecht-adres"]
    assert [li.text for li in page.by_id("invite-sent").find_all("li")] == ["goed@example.org"]
    textarea = page.find("textarea", name="emails")
    assert textarea.text.split() == ["slecht-adres", world.member.email, "goed@example.org"]
    assert textarea.get("aria-invalid") == "true"
    sweep.sweep_once()
    assert [message.to for message in mail.outbox] == [["goed@example.org"]]


def test_all_good_addresses_go_to_the_pending_list(world, client_for, django_capture_on_commit_callbacks):
    client = client_for(world.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _invite_url(world), {"emails": "een@example.org, twee@example.org", "role": "member"}, follow=True
        )
    assert response.redirect_chain == [
        (reverse("groups:invitations", kwargs={"group_id": world.group.pk}), 302)
    ]
    rows = tree(response.content).find_all("li", data_status="open")
    pending = [li.find(class_="fw-semibold").text for li in rows]
    assert pending == ["twee@example.org", "een@example.org"]
    sweep.sweep_once()
    assert sorted(m.to[0] for m in mail.outbox) == ["een@example.org", "twee@example.org"]


def test_an_empty_list_is_a_400_at_the_field(world, client_for):
    response = client_for(world.facilitator).post(_invite_url(world), {"emails": " ,; ", "role": "member"})
    assert response.status_code == 400
    assert "Vul minstens één e-mailadres in." in tree(response.content).by_id("id_emails_error").text


def test_a_facilitator_cannot_invite_facilitators_in_a_list(world, client_for):
    response = client_for(world.facilitator).post(
        _invite_url(world), {"emails": "a@example.org b@example.org", "role": "facilitator"}
    )
    assert response.status_code == 400
    assert not Invitation.objects.filter(email__in=["a@example.org", "b@example.org"]).exists()


def test_the_pending_list_shows_when_each_was_sent_and_resends(
    world, client_for, django_capture_on_commit_callbacks
):
    invitation = _sent_ago(InvitationFactory(group=world.group, email="wacht@example.org"), hours=2)
    MembershipFactory(group=world.group)
    client = client_for(world.admin)
    url = reverse("groups:invitations", kwargs={"group_id": world.group.pk})
    row = tree(client.get(url).content).find("li", data_invitation=str(invitation.pk))
    assert row["data-status"] == "open"
    assert row.find(data_sent_at=True)["data-sent-at"] == timezone.localtime(invitation.sent_at).isoformat()
    resend = reverse(
        "groups:invitation_resend", kwargs={"group_id": world.group.pk, "invitation_id": invitation.pk}
    )
    assert row.find("form", action=resend) is not None

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(resend).status_code == 302
    sweep.sweep_once()
    assert [message.to for message in mail.outbox] == [["wacht@example.org"]]
    # At once again: refused, with the reason at that invitation, and no e-mail.
    response = client.post(resend)
    assert response.status_code == 409
    error = tree(response.content).find("li", data_invitation=str(invitation.pk)).find(role="alert")
    assert "Opnieuw versturen kan over" in error.text
    assert error["id"] == f"resend-error-{invitation.pk}"
    sweep.sweep_once()
    assert len(mail.outbox) == 1


def test_resending_another_groups_invitation_is_a_404(world, client_for):
    invitation = _sent_ago(InvitationFactory(group=world.other_group), hours=1)
    url = reverse(
        "groups:invitation_resend", kwargs={"group_id": world.group.pk, "invitation_id": invitation.pk}
    )
    assert client_for(world.facilitator).post(url).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).sent_at == invitation.sent_at
