from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.models import User
from accounts.services import user_create
from intervisie.errors import DomainError

from . import signals
from .models import Group, Invitation, Membership, Organisation

INVITATION_SALT = "groups.invitation"
# An open invitation's e-mail is sent again at most once per this interval (``invitation_resend``).
INVITATION_RESEND_INTERVAL = timedelta(minutes=10)
# How many addresses one ``invitations_create`` takes (the largest group has 20 places).
INVITATION_BATCH_MAX = 50


class InvitationError(DomainError):
    """Why an invitation token cannot be used; ``code`` is one of the constants."""

    TAMPERED = "tampered"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"

    MESSAGES = {
        EXPIRED: gettext_lazy("De uitnodiging is verlopen. Vraag je begeleider om een nieuwe uitnodiging."),
        USED: gettext_lazy("Deze uitnodiging is al gebruikt. Log in met je account om je groep te zien."),
        REVOKED: gettext_lazy(
            "Deze uitnodiging is ingetrokken of vervangen door een nieuwere. Gebruik de link uit de laatste "
            "uitnodiging."
        ),
        TAMPERED: gettext_lazy(
            "De link is niet compleet of niet geldig. Kopieer de volledige link uit de e-mail."
        ),
    }


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation:
    """The open invitation behind a token, or InvitationError saying why it cannot be used."""
    try:
        payload = signing.loads(
            token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as error:
        raise InvitationError(code=InvitationError.EXPIRED) from error
    except signing.BadSignature as error:
        raise InvitationError(code=InvitationError.TAMPERED) from error
    invitation = (
        Invitation.objects.select_related("group", "group__organisation")
        .filter(pk=payload.get("invitation") if isinstance(payload, dict) else None)
        .first()
    )
    if invitation is None:
        raise InvitationError(code=InvitationError.TAMPERED)
    _raise_unless_open(invitation)
    return invitation


def _raise_unless_open(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise InvitationError(code=InvitationError.USED)
    if invitation.revoked_at is not None:
        raise InvitationError(code=InvitationError.REVOKED)
    if invitation.expires_at <= timezone.now():
        raise InvitationError(code=InvitationError.EXPIRED)


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


def _open_invitations(group: Group):
    return Invitation.objects.filter(
        group=group, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )


def _places_taken(group: Group) -> int:
    """The places the size limit counts when inviting: active members, and open invitations to people
    who are not active members (each may still be accepted)."""
    member_emails = Membership.objects.filter(group=group, status=Membership.Status.ACTIVE).values(
        "user__email"
    )
    pending = _open_invitations(group).exclude(email__in=member_emails).count()
    return _active_count(group) + pending


def _no_place_error(group: Group) -> ValidationError:
    return ValidationError(
        _(
            "Er is geen plaats meer: de groep heeft maximaal %(limit)s deelnemers en alle plaatsen zijn "
            "bezet door leden of openstaande uitnodigingen."
        )
        % {"limit": group.size_limit},
        code="group_full",
    )


def _local(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "j F Y H:i")


@transaction.atomic
def invitation_create(
    *, group: Group, email: str, role: str, invited_by: User | None, replace_open: bool = False
) -> Invitation:
    """Invite someone by e-mail. Refused when the person is already an active member, when an open
    invitation to the address exists (``invitation_resend`` sends it again; with ``replace_open``, as in
    Django admin, that one is revoked instead), or when every place of the group is taken by members and
    open invitations."""
    email = email.strip().lower()
    group = Group.objects.select_for_update().get(pk=group.pk)
    if Membership.objects.filter(
        group=group, user__email__iexact=email, status=Membership.Status.ACTIVE
    ).exists():
        raise ValidationError({"email": _("Deze persoon is al lid van de groep.")}, code="already_member")
    pending = _open_invitations(group).filter(email=email).first()
    if pending is not None and replace_open:
        pending.revoked_at = timezone.now()
        pending.save(update_fields=["revoked_at"])
    elif pending is not None:
        raise ValidationError(
            {
                "email": _(
                    "Deze persoon is al uitgenodigd (verstuurd op %(date)s). Je kunt die uitnodiging "
                    "opnieuw versturen of intrekken bij de uitnodigingen."
                )
                % {"date": _local(pending.sent_at)}
            },
            code="already_invited",
        )
    if _places_taken(group) >= group.size_limit:
        raise _no_place_error(group)
    now = timezone.now()
    invitation = Invitation(
        group=group,
        email=email,
        role=role,
        invited_by=invited_by,
        sent_at=now,
        expires_at=now + settings.INVITATION_MAX_AGE,
    )
    invitation.full_clean()
    invitation.save()
    invitation_send(invitation=invitation)  # the outbox row is made in this transaction
    return invitation


@dataclass(frozen=True)
class InvitationOutcome:
    """One address of ``invitations_create``: the invitation made, or why there is none."""

    email: str  # as typed
    invitation: Invitation | None = None
    error: str = ""


def invitations_create(
    *, group: Group, emails: Sequence[str], role: str, invited_by: User | None
) -> list[InvitationOutcome]:
    """Invite several addresses at once, each in its own transaction (``invitation_create``): every
    address that may be invited is, and each other one comes back with the reason (not an e-mail
    address, twice in the list, or what ``invitation_create`` refuses). Deliberately not one transaction:
    a bad address does not hold back the good ones."""
    if len(emails) > INVITATION_BATCH_MAX:
        raise ValidationError(
            {
                "emails": _("Je kunt maximaal %(max)s adressen tegelijk uitnodigen.")
                % {"max": INVITATION_BATCH_MAX}
            },
            code="too_many_addresses",
        )
    outcomes = []
    seen: set[str] = set()
    for typed in emails:
        email = typed.strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            outcomes.append(InvitationOutcome(typed, error=_("Dit is geen geldig e-mailadres.")))
            continue
        if email in seen:
            outcomes.append(InvitationOutcome(typed, error=_("Dit adres staat al eerder in je lijst.")))
            continue
        seen.add(email)
        try:
            invitation = invitation_create(group=group, email=email, role=role, invited_by=invited_by)
        except ValidationError as error:
            outcomes.append(InvitationOutcome(typed, error=" ".join(error.messages)))
        else:
            outcomes.append(InvitationOutcome(typed, invitation=invitation))
    return outcomes


@transaction.atomic
def invitation_resend(*, invitation: Invitation) -> Invitation:
    """Send an open invitation's e-mail again, through ``invitation_send`` as at creation, with a fresh
    link valid for ``INVITATION_MAX_AGE``. At most once per ``INVITATION_RESEND_INTERVAL``."""
    invitation = Invitation.objects.select_for_update().select_related("group").get(pk=invitation.pk)
    if not invitation.is_open:
        raise ValidationError(
            _("Deze uitnodiging staat niet meer open. Nodig de persoon opnieuw uit."), code="not_open"
        )
    now = timezone.now()
    wait = invitation.sent_at + INVITATION_RESEND_INTERVAL - now
    if wait > timedelta(0):
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        raise ValidationError(
            ngettext(
                "Deze uitnodiging is net verstuurd. Opnieuw versturen kan over %(minutes)s minuut.",
                "Deze uitnodiging is net verstuurd. Opnieuw versturen kan over %(minutes)s minuten.",
                minutes,
            )
            % {"minutes": minutes},
            code="resend_too_soon",
        )
    invitation.sent_at = now
    invitation.expires_at = now + settings.INVITATION_MAX_AGE
    invitation.full_clean()
    invitation.save(update_fields=["sent_at", "expires_at"])
    invitation_send(invitation=invitation)  # the outbox row is made in this transaction
    return invitation


def invitation_send(*, invitation: Invitation) -> None:
    """Have the invitation's e-mail sent: announced with ``signals.invitation_sent``, on which the
    notifications app puts it in its outbox (in the caller's transaction when there is one); the outbox
    sends it, retries it and makes the accept link at send time. Nothing is sent inside the request."""
    signals.invitation_sent.send(sender=Invitation, invitation=invitation)


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
        raise InvitationError(code=InvitationError.TAMPERED)
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


def _is_last_facilitator(membership: Membership) -> bool:
    """Whether this is the group's only active facilitator: the group must keep one, so that membership
    cannot end or become a plain member. Locks the group's other facilitators, so two simultaneous
    changes cannot both remove "the other one"."""
    if membership.role != Membership.Role.FACILITATOR or not membership.is_active:
        return False
    others = (
        Membership.objects.select_for_update()
        .filter(
            group_id=membership.group_id, status=Membership.Status.ACTIVE, role=Membership.Role.FACILITATOR
        )
        .exclude(pk=membership.pk)
    )
    return not list(others.values_list("pk", flat=True))


@transaction.atomic
def membership_deactivate(*, membership: Membership) -> Membership:
    """End a membership (someone removed, or revoking the invitation it rests on). The group's last
    facilitator stays until someone else guides the group."""
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    if membership.status == Membership.Status.LEFT:
        return membership
    if _is_last_facilitator(membership):
        raise ValidationError(
            _(
                "%(name)s is de enige intervisiebegeleider van de groep en kan daarom niet uit de groep "
                "worden gehaald. Maak eerst iemand anders begeleider."
            )
            % {"name": membership.user.display_name},
            code="last_facilitator",
        )
    return _end_membership(membership)


def _end_membership(membership: Membership) -> Membership:
    membership.status = Membership.Status.LEFT
    membership.left_at = timezone.now()
    membership.save(update_fields=["status", "left_at"])
    signals.membership_changed.send(sender=Membership, membership=membership, active=False)
    return membership


@transaction.atomic
def membership_leave(*, membership: Membership) -> Membership:
    """A member leaves the group themselves. The last facilitator first hands the role over."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == Membership.Status.LEFT:
        return membership
    if _is_last_facilitator(membership):
        raise ValidationError(
            _(
                "Je bent de enige intervisiebegeleider van de groep. Draag de begeleiding eerst over aan "
                "iemand anders; daarna kun je de groep verlaten."
            ),
            code="last_facilitator",
        )
    return _end_membership(membership)


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
    if _is_last_facilitator(membership):
        raise ValidationError(
            {
                "role": _(
                    "Dit is de enige intervisiebegeleider van de groep. Maak eerst iemand anders begeleider."
                )
            },
            code="last_facilitator",
        )
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    signals.membership_changed.send(sender=Membership, membership=membership, active=True)
    return membership


@transaction.atomic
def facilitator_handover(*, facilitator: Membership, successor: Membership) -> Membership:
    """Hand the facilitator role from one active member to another in one step: the successor becomes
    facilitator, then the facilitator a member, so the group is never without one. Returns the
    successor's membership."""
    if facilitator.group_id != successor.group_id or facilitator.pk == successor.pk:
        raise ValueError("A handover is between two members of one group.")
    facilitator = Membership.objects.select_for_update().get(pk=facilitator.pk)
    if facilitator.role != Membership.Role.FACILITATOR or not facilitator.is_active:
        raise ValidationError(
            {"facilitator": _("Deze persoon is geen intervisiebegeleider van de groep.")},
            code="not_facilitator",
        )
    try:
        successor = membership_role_change(membership=successor, role=Membership.Role.FACILITATOR)
    except ValidationError as error:
        raise ValidationError({"successor": error.messages}, code="not_active") from error
    membership_role_change(membership=facilitator, role=Membership.Role.MEMBER)
    return successor
