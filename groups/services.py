from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_create

from . import signals
from .models import Group, Invitation, Membership, Organisation

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


# What an organisation admin may change on the settings page (the organisation itself is not among them).
GROUP_SETTINGS_FIELDS = (
    "name",
    "description",
    "agreements",
    "is_active",
    "default_location",
    "default_online_link",
    "size_limit",
    "quorum",
    "reminder_first_days",
    "reminder_second_days",
    "rsvp_nudge_days",
    "casus_prep_days",
    "reflection_request_hours",
    "followup_weeks",
    "show_casus_title_in_email",
    "alert_trend_relative",
    "alert_trend_absolute",
    "alert_fading_in_a_row",
    "alert_fading_of_last_five",
    "alert_quorum_days",
    "casus_retention_months",
)


def _active_count(group: Group, *, excluding_user: User | None = None) -> int:
    members = Membership.objects.filter(group=group, status=Membership.Status.ACTIVE)
    if excluding_user is not None:
        members = members.exclude(user=excluding_user)
    return members.count()


def _full_group_error(group: Group) -> ValidationError:
    return ValidationError(
        _("De groep is vol (maximaal %(limit)s deelnemers).") % {"limit": group.size_limit}, code="group_full"
    )


@transaction.atomic
def group_create(
    *,
    organisation: Organisation,
    name: str,
    description: str = "",
    default_location: str = "",
    default_online_link: str = "",
    size_limit: int = 8,
    quorum: int = 3,
) -> Group:
    group = Group(
        organisation=organisation,
        name=name.strip(),
        description=description.strip(),
        default_location=default_location.strip(),
        default_online_link=default_online_link.strip(),
        size_limit=size_limit,
        quorum=quorum,
    )
    group.full_clean()
    group.save()
    return group


@transaction.atomic
def group_update(*, group: Group, **changes) -> Group:
    """Change a group's settings (only ``GROUP_SETTINGS_FIELDS``). The size limit cannot go below the
    number of active members. Sends ``group_changed`` with the names of the fields that changed."""
    unknown = set(changes) - set(GROUP_SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"Not a group setting: {sorted(unknown)}")
    changes = {field: value.strip() if isinstance(value, str) else value for field, value in changes.items()}
    group = Group.objects.select_for_update().get(pk=group.pk)
    changed = {field for field, value in changes.items() if getattr(group, field) != value}
    for field in changed:
        setattr(group, field, changes[field])
    group.full_clean()
    if "size_limit" in changed:
        active = _active_count(group)
        if group.size_limit < active:
            raise ValidationError(
                {
                    "size_limit": _(
                        "De groep heeft nu %(count)s actieve deelnemers; het maximum kan niet lager zijn."
                    )
                    % {"count": active}
                },
                code="size_limit_below_members",
            )
    if changed:
        group.save(update_fields=sorted(changed))
        signals.group_changed.send(sender=Group, group=group, changed=changed)
    return group


@transaction.atomic
def invitation_create(*, group: Group, email: str, role: str, invited_by: User | None) -> Invitation:
    """Invite someone by e-mail (an earlier open invitation to the same address is revoked). Refused when
    the person is already an active member or the group is full."""
    email = email.strip().lower()
    group = Group.objects.select_for_update().get(pk=group.pk)
    if Membership.objects.filter(
        group=group, user__email__iexact=email, status=Membership.Status.ACTIVE
    ).exists():
        raise ValidationError({"email": _("Deze persoon is al lid van de groep.")}, code="already_member")
    if _active_count(group) >= group.size_limit:
        raise _full_group_error(group)
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
    # The group row is the lock that keeps two people from taking the last place at the same time.
    group = Group.objects.select_for_update().get(pk=invitation.group_id)
    if _active_count(group, excluding_user=user) >= group.size_limit:
        raise _full_group_error(group)
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


def _is_current_basis(invitation: Invitation, membership: Membership) -> bool:
    """Whether this accepted invitation is the latest one the member accepted for the group: the one
    their present membership rests on."""
    later = Invitation.objects.filter(
        group_id=invitation.group_id,
        accepted_by_id=invitation.accepted_by_id,
        accepted_at__gt=invitation.accepted_at,
    )
    return membership.is_active and not later.exists()


def invitation_membership(invitation: Invitation) -> Membership | None:
    """The active membership that revoking this accepted invitation would end, if any."""
    if invitation.accepted_at is None or invitation.revoked_at is not None:
        return None
    membership = Membership.objects.filter(
        group_id=invitation.group_id, user_id=invitation.accepted_by_id, status=Membership.Status.ACTIVE
    ).first()
    if membership is None or not _is_current_basis(invitation, membership):
        return None
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> Invitation:
    """Revoke an invitation. An open one: its link stops working. An accepted one: the membership it
    gave is ended (``membership_deactivate``), unless a later invitation renewed it. Revoking an
    invitation that was revoked already, or expired unused, changes nothing."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is not None:
        return invitation
    if invitation.accepted_at is None and invitation.expires_at <= timezone.now():
        return invitation
    membership = invitation_membership(invitation)
    invitation.revoked_at = timezone.now()
    invitation.full_clean()
    invitation.save(update_fields=["revoked_at"])
    if membership is not None:
        membership_deactivate(membership=membership)
    return invitation


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str) -> Membership:
    """Make an active member a facilitator or the other way round. The last active facilitator of a group
    stays one until someone else guides the group. Sends ``membership_changed`` (active=True)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise ValidationError(
            _("Deze persoon is geen lid meer van de groep. Nodig diegene opnieuw uit."), code="not_active"
        )
    if membership.role == role:
        return membership
    if membership.role == Membership.Role.FACILITATOR:
        # Lock the group's facilitators so two simultaneous changes cannot both remove "the other one".
        others = list(
            Membership.objects.select_for_update()
            .filter(
                group_id=membership.group_id,
                status=Membership.Status.ACTIVE,
                role=Membership.Role.FACILITATOR,
            )
            .exclude(pk=membership.pk)
            .values_list("pk", flat=True)
        )
        if not others:
            raise ValidationError(
                {
                    "role": _(
                        "Dit is de enige intervisiebegeleider van de groep. Maak eerst iemand anders "
                        "begeleider."
                    )
                },
                code="last_facilitator",
            )
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    signals.membership_changed.send(sender=Membership, membership=membership, active=True)
    return membership
