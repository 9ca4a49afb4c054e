from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.forms import Form
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.models import User

from . import selectors, services, todo
from .forms import (
    AgreementsForm,
    GroupCreateForm,
    GroupSettingsForm,
    HandoverForm,
    InvitationForm,
    NewAccountAgreementsForm,
    RoleForm,
)
from .models import Invitation, Membership
from .permissions import Need, administered_organisations, group_required, organisation_admin_required


def _add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: at the field it names, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def home(request):
    groups = list(selectors.home_groups(request.user))
    headline, items = todo.items_for(selectors.home_person(request.user, groups))
    return render(request, "groups/home.html", {"groups": groups, "headline": headline, "items": items})


@group_required(Need.VIEW)
def group_detail(request, group_id: int):
    return render(
        request,
        "groups/group_detail.html",
        {
            "group": request.group,
            "access": request.access,
            "memberships": selectors.group_members(request.group),
        },
    )


@group_required(Need.MANAGE)
def group_invite(request, group_id: int):
    """Invite a list of addresses: the ones that may be invited are; the others are shown with their
    reason, back in the field to correct (400)."""
    form = InvitationForm(
        request.POST or None,
        group=request.group,
        may_invite_facilitators=request.access.allows(Need.ADMINISTER),
    )
    context = {"group": request.group, "form": form, "invited": [], "refused": []}
    if request.method != "POST":
        return render(request, "groups/invite.html", context)
    if form.is_valid():
        try:
            outcomes = services.invitations_create(
                group=request.group,
                emails=form.cleaned_data["emails"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            _add_service_errors(form, error)
        else:
            invited = [outcome.invitation.email for outcome in outcomes if outcome.invitation]
            refused = [outcome for outcome in outcomes if outcome.error]
            if not refused:
                messages.success(request, _invited_message(invited))
                return redirect("groups:invitations", group_id=request.group.pk)
            context["form"] = _refused_form(request, form, refused)
            context.update(invited=invited, refused=refused)
    return render(request, "groups/invite.html", context, status=400)


def _invited_message(invited: list[str]) -> str:
    return ngettext(
        "De uitnodiging is verstuurd naar %(emails)s.",
        "%(count)s uitnodigingen zijn verstuurd: %(emails)s.",
        len(invited),
    ) % {"count": len(invited), "emails": ", ".join(invited)}


def _refused_form(request, form: InvitationForm, refused: list) -> InvitationForm:
    """The form again with only the refused addresses in its field, as typed, to correct and send."""
    retry = InvitationForm(
        {"emails": "\n".join(outcome.email for outcome in refused), "role": form.cleaned_data["role"]},
        group=request.group,
        may_invite_facilitators=request.access.allows(Need.ADMINISTER),
    )
    retry.is_valid()
    retry.add_error(
        "emails",
        ngettext(
            "Dit adres is niet uitgenodigd; de reden staat erboven.",
            "Deze %(count)s adressen zijn niet uitgenodigd; de redenen staan erboven.",
            len(refused),
        )
        % {"count": len(refused)},
    )
    return retry


@group_required(Need.MANAGE)
def membership_deactivate(request, group_id: int, membership_id: int):
    """GET asks "Weet je het zeker?"; POST removes the member from the group."""
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, group=request.group
    )
    if not membership.is_active:
        messages.info(request, _("%(name)s is al geen lid meer van de groep.") % {"name": membership.user})
        return redirect("groups:detail", group_id=request.group.pk)
    context = {"group": request.group, "membership": membership, "error": None}
    if request.method == "POST":
        try:
            services.membership_deactivate(membership=membership)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "groups/membership_deactivate.html", context, status=409)
        messages.success(request, _("%(name)s is geen lid meer van de groep.") % {"name": membership.user})
        return redirect("groups:detail", group_id=request.group.pk)
    return render(request, "groups/membership_deactivate.html", context)


@group_required(Need.MEMBER)
def group_leave(request, group_id: int):
    """GET asks "Weet je het zeker?"; POST ends the member's own membership."""
    membership = get_object_or_404(
        Membership, group=request.group, user=request.user, status=Membership.Status.ACTIVE
    )
    context = {"group": request.group, "membership": membership, "error": None}
    if request.method == "POST":
        try:
            services.membership_leave(membership=membership)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "groups/group_leave.html", context, status=409)
        messages.success(request, _("Je bent geen lid meer van %(group)s.") % {"group": request.group.name})
        return redirect("home")
    return render(request, "groups/group_leave.html", context)


def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as error:
        status = 400 if error.code == services.InvitationError.TAMPERED else 410
        return render(request, "groups/invitation_invalid.html", {"error": error}, status=status)

    user = request.user if request.user.is_authenticated else None
    context = {"invitation": invitation, "group": invitation.group}
    if user is not None and user.email.lower() != invitation.email:
        return render(request, "groups/invitation_other_account.html", context, status=403)
    if user is None and User.objects.filter(email__iexact=invitation.email).exists():
        messages.info(request, _("Je hebt al een account. Log in om de uitnodiging te accepteren."))
        return redirect_to_login(request.get_full_path())

    form_class = AgreementsForm if user else NewAccountAgreementsForm
    form_kwargs = {} if user else {"email": invitation.email}
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST":
        if form.is_valid():
            new_account = None
            if user is None:
                new_account = services.NewAccount(
                    display_name=form.cleaned_data["display_name"], password=form.cleaned_data["password1"]
                )
            try:
                membership = services.invitation_accept(
                    invitation_id=invitation.pk, user=user, new_account=new_account
                )
            except services.InvitationError as error:
                return render(request, "groups/invitation_invalid.html", {"error": error}, status=410)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                if user is None:
                    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Welkom bij %(group)s!") % {"group": invitation.group.name})
                return redirect("groups:detail", group_id=invitation.group_id)
        return render(request, "groups/invitation_accept.html", {**context, "form": form}, status=400)
    return render(request, "groups/invitation_accept.html", {**context, "form": form})


@organisation_admin_required
def group_create(request):
    form = GroupCreateForm(
        request.POST or None, organisations=administered_organisations(request.user).order_by("name")
    )
    if request.method == "POST":
        if form.is_valid():
            data = {field: form.cleaned_data[field] for field in form.Meta.fields}
            try:
                group = services.group_create(**data)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("De groep %(name)s is aangemaakt. Nodig nu een intervisiebegeleider en deelnemers uit.")
                    % {"name": group.name},
                )
                return redirect("groups:detail", group_id=group.pk)
        return render(request, "groups/group_create.html", {"form": form}, status=400)
    return render(request, "groups/group_create.html", {"form": form})


@group_required(Need.MANAGE, change=Need.ADMINISTER)
def group_settings(request, group_id: int):
    group = request.group
    may_change = request.access.allows(Need.ADMINISTER)
    form = GroupSettingsForm(request.POST or None, instance=group, read_only=not may_change)
    context = {"group": group, "form": form, "may_change": may_change}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.group_update(
                    group=group,
                    **{field: form.cleaned_data[field] for field in services.GROUP_SETTINGS_FIELDS},
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, _("De instellingen zijn opgeslagen."))
                return redirect("groups:settings", group_id=group.pk)
        return render(request, "groups/group_settings.html", context, status=400)
    return render(request, "groups/group_settings.html", context)


def _invitations_page(request, *, status: int = 200, resend_error: dict | None = None):
    rows = selectors.group_invitations(request.group)
    context = {
        "group": request.group,
        "pending": [row for row in rows if row.status == Invitation.Status.OPEN],
        "rows": [row for row in rows if row.status != Invitation.Status.OPEN],
        "resend_error": resend_error,
    }
    return render(request, "groups/invitations.html", context, status=status)


@group_required(Need.MANAGE)
def group_invitations(request, group_id: int):
    return _invitations_page(request)


@require_POST
@group_required(Need.MANAGE)
def invitation_resend(request, group_id: int, invitation_id: int):
    invitation = get_object_or_404(Invitation, pk=invitation_id, group=request.group)
    try:
        services.invitation_resend(invitation=invitation)
    except ValidationError as error:
        return _invitations_page(
            request,
            status=409,
            resend_error={"invitation_id": invitation.pk, "message": " ".join(error.messages)},
        )
    messages.success(
        request, _("De uitnodiging is opnieuw verstuurd naar %(email)s.") % {"email": invitation.email}
    )
    return redirect("groups:invitations", group_id=request.group.pk)


@group_required(Need.MANAGE)
def invitation_revoke(request, group_id: int, invitation_id: int):
    invitation = get_object_or_404(
        Invitation.objects.select_related("accepted_by"), pk=invitation_id, group=request.group
    )
    context = {
        "group": request.group,
        "invitation": invitation,
        "membership": services.invitation_membership(invitation),
        "error": None,
    }
    if request.method == "POST":
        try:
            services.invitation_revoke(invitation=invitation)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "groups/invitation_revoke.html", context, status=409)
        messages.success(
            request, _("De uitnodiging voor %(email)s is ingetrokken.") % {"email": invitation.email}
        )
        return redirect("groups:invitations", group_id=request.group.pk)
    return render(request, "groups/invitation_revoke.html", context)


@group_required(Need.ADMINISTER)
def membership_role(request, group_id: int, membership_id: int):
    membership = get_object_or_404(
        Membership.objects.select_related("user"),
        pk=membership_id,
        group=request.group,
        status=Membership.Status.ACTIVE,
    )
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    context = {"group": request.group, "membership": membership, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                services.membership_role_change(membership=membership, role=form.cleaned_data["role"])
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is nu %(role)s.")
                    % {"name": membership.user, "role": Membership.Role(form.cleaned_data["role"]).label},
                )
                return redirect("groups:detail", group_id=request.group.pk)
        return render(request, "groups/membership_role.html", context, status=400)
    return render(request, "groups/membership_role.html", context)


@group_required(Need.MANAGE)
def facilitator_handover(request, group_id: int):
    """Hand the facilitator role over. An organisation admin chooses whose role; a facilitator hands
    over their own (the form offers only that one)."""
    memberships = Membership.objects.filter(group=request.group, status=Membership.Status.ACTIVE)
    memberships = memberships.select_related("user").order_by("user__display_name")
    facilitators = memberships.filter(role=Membership.Role.FACILITATOR)
    if not request.access.allows(Need.ADMINISTER):
        facilitators = facilitators.filter(user=request.user)
    form = HandoverForm(
        request.POST or None,
        facilitators=facilitators,
        members=memberships.filter(role=Membership.Role.MEMBER),
    )
    context = {"group": request.group, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                successor = services.facilitator_handover(
                    facilitator=form.cleaned_data["facilitator"], successor=form.cleaned_data["successor"]
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is nu intervisiebegeleider van de groep.") % {"name": successor.user},
                )
                return redirect("groups:detail", group_id=request.group.pk)
        return render(request, "groups/facilitator_handover.html", context, status=400)
    return render(request, "groups/facilitator_handover.html", context)
