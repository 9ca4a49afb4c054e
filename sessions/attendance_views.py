"""The attendance register's page: the facilitator records who was there (``sessions/attendance.py``
decides; this parses and shows)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from groups.permissions import Need, object_in_group_or_404

from . import attendance
from .forms import AttendanceForm, show_service_error
from .models import Session
from .services import SessionError


@login_required
def attendance_register(request, session_id: int):
    session = object_in_group_or_404(
        Session.objects.select_related("group"), request.user, Need.FACILITATE, pk=session_id
    )
    people = attendance.attendance_people(session)
    initial = attendance.attendance_initial(session, people)
    form = AttendanceForm(request.POST or None, people=people, initial_statuses=initial, session=session)
    context = {"session": session, "group": session.group, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                attendance.attendance_register(
                    session=session,
                    statuses=form.statuses(),
                    started_at=form.cleaned_data["started_at"],
                    ended_at=form.cleaned_data["ended_at"],
                    break_minutes=form.cleaned_data["break_minutes"],
                    registered_by=request.user,
                )
            except (SessionError, ValidationError) as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("De aanwezigheid is geregistreerd; de bijeenkomst is gehouden."))
                return redirect("sessions:detail", session_id=session.pk)
        return render(request, "sessions/attendance.html", context, status=400)
    return render(request, "sessions/attendance.html", context)
