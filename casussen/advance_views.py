"""Writing in advance (casussen/advance.py): the page where a member who declined a session writes their
questions and advice for a casus booked on it. Access: ``Need.MEMBER`` on the casus's group, then
``permissions.may_write_in_advance`` (403 for a member who did not decline, and for the presenter). The
page shows the casus's title and kernvraag only. Its title never contains casus text."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from sessions.forms import show_service_error

from . import advance, permissions
from .forms import advance_form
from .models import AdvanceContribution
from .services import CasusError


@login_required
def write(request: HttpRequest, casus_id: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    casus, access = permissions.advance_casus_or_404(user, casus_id)
    session = casus.session
    assert session is not None  # advance_casus_or_404: a booked casus
    declined = advance.has_declined(user, session)
    permissions.require_may_write_in_advance(user, casus, access, declined=declined)
    contribution = AdvanceContribution.objects.filter(casus=casus, author=user).first()
    form = advance_form(casus, contribution, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                advance.advance_save(casus=casus, author=user, **form.cleaned_data)
            except CasusError as error:
                status = 409 if error.code == "closed" else 400
                show_service_error(form, error)
            except ValidationError as error:
                show_service_error(form, error)
            else:
                messages.success(
                    request, _("Je vragen en advies zijn bewaard. De groep krijgt ze in de bespreking.")
                )
                return redirect(
                    reverse("sessions:detail", kwargs={"session_id": session.pk}) + "#panel-advance"
                )
    context = {
        "casus": casus,
        "session": session,
        "group": casus.group,
        "form": form,
        "contribution": contribution,
        "last_day": advance.last_day(session),
        "is_open": advance.is_open(session),
    }
    return render(request, "casussen/advance.html", context, status=status)
