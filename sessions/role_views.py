"""The session page's roles: hand one over, take an open one, assign one (``sessions/roles.py`` decides),
and the group's overview of who brought a casus when (``sessions/load.py``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from groups.permissions import Need, group_access, group_required, object_in_group_or_404

from . import load, roles
from .models import Session
from .role_forms import RoleForm
from .templatetags.session_roles import card_context
from .views import session_detail


@require_POST
@login_required
def role_set(request, session_id: int):
    session = object_in_group_or_404(Session.objects.all(), request.user, Need.MEMBER, pk=session_id)
    form = RoleForm(request.POST)
    error = None
    status = 400
    if not form.is_valid():
        error = _("Kies een rol en een deelnemer.")
    else:
        to = User.objects.filter(pk=form.cleaned_data["to"]).first()
        try:
            if to is None:
                raise roles.RoleError(code=roles.RoleError.BAD_TARGET, field="to")
            roles.role_set(session=session, key=form.cleaned_data["role"], by=request.user, to=to)
        except ValidationError as exc:
            error = getattr(exc, "message", None) or " ".join(exc.messages)
            status = 400 if getattr(exc, "field", None) else 409
    facilitates = group_access(request.user, session.group).is_facilitator
    if request.htmx:
        context = card_context(
            session, request.user, facilitates=facilitates, error=error, saved=error is None
        )
        return render(request, "sessions/_roles_card.html", context, status=200 if error is None else status)
    if error is None:
        messages.success(request, _("De rollen zijn bijgewerkt."))
        return redirect(reverse("sessions:detail", kwargs={"session_id": session.pk}) + "#roles-card")
    return session_detail(request, session.pk, status=status, roles_error=error)


@group_required(Need.MEMBER)
def group_load(request, group_id: int):
    """Who brought a casus when: each active member with the sessions they presented at, those who never
    did first, then whoever presented longest ago; and the roles they held (``sessions/load.py``)."""
    return render(
        request,
        "sessions/group_load.html",
        {"group": request.group, "loads": load.group_load(request.group), "now": timezone.now()},
    )
