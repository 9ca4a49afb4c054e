from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.forms import Form
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User

from . import selectors, services, todo
from .forms import (
    AgreementsForm,
    GroupCreateForm,
    GroupSettingsForm,
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
    form = InvitationForm(
        request.POST or None,
        group=request.group,
        may_invite_facilitators=request.access.allows(Need.ADMINISTER),
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.invitation_create(
                    group=request.group,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(
                    request, _("De uitnodiging is verstuurd naar %(email)s.") % form.cleaned_data
                )
                return redirect("groups:detail", group_id=request.group.pk)
        return render(request, "groups/invite.html", {"group": request.group, "form": form}, status=400)
    return render(request, "groups/invite.html", {"group": request.group, "form": form})


@require_POST
@group_required(Need.MANAGE)
def membership_deactivate(request, group_id: int, membership_id: int):
    membership = get_object_or_404(Membership, pk=membership_id, group=request.group)
    services.membership_deactivate(membership=membership)
    messages.success(request, _("%(name)s is geen lid meer van de groep.") % {"name": membership.user})
    return redirect("groups:detail", group_id=request.group.pk)


def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as error:
        status = 400 if error.reason == services.InvitationError.TAMPERED else 410
        return render(request, "groups/invitation_invalid.html", {"reason": error.reason}, status=status)

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
                return render(request, "groups/invitation_invalid.html", {"reason": error.reason}, status=410)
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


@group_required(Need.MANAGE)
def group_invitations(request, group_id: int):
    return render(
        request,
        "groups/invitations.html",
        {"group": request.group, "rows": selectors.group_invitations(request.group)},
    )


@group_required(Need.MANAGE)
def invitation_revoke(request, group_id: int, invitation_id: int):
    invitation = get_object_or_404(
        Invitation.objects.select_related("accepted_by"), pk=invitation_id, group=request.group
    )
    if request.method == "POST":
        services.invitation_revoke(invitation=invitation)
        messages.success(
            request, _("De uitnodiging voor %(email)s is ingetrokken.") % {"email": invitation.email}
        )
        return redirect("groups:invitations", group_id=request.group.pk)
    return render(
        request,
        "groups/invitation_revoke.html",
        {
            "group": request.group,
            "invitation": invitation,
            "membership": services.invitation_membership(invitation),
        },
    )


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
