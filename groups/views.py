from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User

from . import selectors, services
from .forms import AgreementsForm, InvitationForm, NewAccountAgreementsForm
from .models import Membership
from .permissions import Need, group_required


@login_required
def home(request):
    return render(request, "groups/home.html", {"groups": selectors.home_groups(request.user)})


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
        request.POST or None, group=request.group, may_invite_facilitators=request.access.is_admin
    )
    if request.method == "POST":
        if form.is_valid():
            services.invitation_create(
                group=request.group,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
            messages.success(request, _("De uitnodiging is verstuurd naar %(email)s.") % form.cleaned_data)
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
            if user is None:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welkom bij %(group)s!") % {"group": invitation.group.name})
            return redirect("groups:detail", group_id=invitation.group_id)
        return render(request, "groups/invitation_accept.html", {**context, "form": form}, status=400)
    return render(request, "groups/invitation_accept.html", {**context, "form": form})
