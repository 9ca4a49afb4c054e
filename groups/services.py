from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import User
from accounts.services import user_create

from . import signals
from .models import Group, Invitation, Membership

INVITATION_SALT = "groups.invitation"


class InvitationError(Exception):
    """Why an invitation token cannot be used; ``reason`` is one of the class attributes."""

    TAMPERED = "tampered"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The open invitation behind a token, or InvitationError saying why it cannot be used."""
    try:
        payload = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as error:
        raise InvitationError(InvitationError.EXPIRED) from error
    except signing.BadSignature as error:
        raise InvitationError(InvitationError.TAMPERED) from error
    invitation = (
        Invitation.objects.select_related("group", "group__organisation")
        .filter(pk=payload.get("invitation") if isinstance(payload, dict) else None)
        .first()
    )
    if invitation is None:
        raise InvitationError(InvitationError.TAMPERED)
    _raise_unless_open(invitation)
    return invitation


def _raise_unless_open(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise InvitationError(InvitationError.USED)
    if invitation.revoked_at is not None:
        raise InvitationError(InvitationError.REVOKED)
    if invitation.expires_at <= timezone.now():
        raise InvitationError(InvitationError.EXPIRED)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("groups:invitation_accept", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def invitation_create(*, group: Group, email: str, role: str, invited_by: User | None) -> Invitation:
    email = email.strip().lower()
    Invitation.objects.filter(
        group=group, email=email, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    invitation = Invitation(
        group=group,
        email=email,
        role=role,
        invited_by=invited_by,
        expires_at=timezone.now() + settings.INVITATION_MAX_AGE,
    )
    invitation.full_clean()
    invitation.save()
    transaction.on_commit(lambda: invitation_send(invitation=invitation))
    return invitation


def invitation_send(*, invitation: Invitation) -> None:
    existing = User.objects.filter(email__iexact=invitation.email).only("preferred_language").first()
    language = existing.preferred_language if existing else translation.get_language() or "nl"
    with translation.override(language):
        context = {
            "invitation": invitation,
            "group": invitation.group,
            "inviter": invitation.invited_by,
            "url": invitation_url(invitation),
        }
        subject = render_to_string("groups/email/invitation_subject.txt", context).strip()
        text = render_to_string("groups/email/invitation.txt", context)
        html = render_to_string("groups/email/invitation.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()


@dataclass
class NewAccount:
    display_name: str
    password: str


@transaction.atomic
def invitation_accept(
    *, invitation_id: int, user: User | None = None, new_account: NewAccount | None = None
) -> Membership:
    """Accept an invitation and the group's agreements: creates the account if needed, then the
    (re)activated membership with the time the agreements were accepted."""
    invitation = Invitation.objects.select_for_update().select_related("group").get(pk=invitation_id)
    _raise_unless_open(invitation)
    if user is None:
        if new_account is None:
            raise ValueError("Either an existing user or the data for a new account is required.")
        user = user_create(
            email=invitation.email,
            display_name=new_account.display_name,
            password=new_account.password,
            language=translation.get_language() or "nl",
        )
    elif user.email.lower() != invitation.email.lower():
        raise InvitationError(InvitationError.TAMPERED)
    now = timezone.now()
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user,
        group=invitation.group,
        defaults={"role": invitation.role, "joined_at": now, "agreements_accepted_at": now},
    )
    if not created:
        if membership.status == Membership.Status.LEFT:
            membership.joined_at = now
        membership.status = Membership.Status.ACTIVE
        membership.left_at = None
        if invitation.role == Membership.Role.FACILITATOR:
            membership.role = Membership.Role.FACILITATOR
        membership.agreements_accepted_at = now
        membership.full_clean()
        membership.save()
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    signals.membership_changed.send(sender=Membership, membership=membership, active=True)
    return membership


@transaction.atomic
def membership_deactivate(*, membership: Membership) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == Membership.Status.LEFT:
        return membership
    membership.status = Membership.Status.LEFT
    membership.left_at = timezone.now()
    membership.save(update_fields=["status", "left_at"])
    signals.membership_changed.send(sender=Membership, membership=membership, active=False)
    return membership
