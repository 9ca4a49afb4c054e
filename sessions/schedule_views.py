"""The schedule page: pick a series in words, see what it does to the sessions ("Voorbeeld"), confirm."""

from contextlib import suppress
from datetime import date, time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from groups.permissions import Need, group_required

from . import selectors
from .models import Schedule
from .schedule import ScheduleDiff, diff_details, schedule_preview, schedule_save, zone
from .schedule_forms import WEEKDAYS, WEEKLY, ScheduleForm, initial_for

CONFIRM, EDIT = "confirm", "edit"  # the preview's two buttons


def _form(request, schedule: Schedule) -> ScheduleForm:
    initial = initial_for(schedule)
    with suppress(KeyError, ValueError):  # "deze en volgende" from a session: the series from that day on
        initial["first_date"] = date.fromisoformat(request.GET["vanaf"])
    with suppress(KeyError, ValueError, AttributeError):  # a date poll's chosen weekday and time (polls.py)
        start_time = time.fromisoformat(request.GET["tijd"])
        weekday = WEEKDAYS[initial["first_date"].weekday()][0]
        initial.update(start_time=start_time, pattern=WEEKLY, weekly_day=weekday)
    return ScheduleForm(request.POST or None, instance=schedule, initial=initial)


@group_required(Need.MANAGE)
def group_schedule(request, group_id: int):
    """GET: the form. POST: the preview of what the picked schedule does (nothing saved), or with
    ``step=confirm`` and the previewed diff's fingerprint: save it, if it still does exactly that."""
    group = request.group
    schedule = Schedule.objects.filter(group=group).first() or Schedule(group=group)
    form = _form(request, schedule)
    step = request.POST.get("step")
    if request.method == "POST" and form.is_valid():
        try:
            if step == CONFIRM:
                result = schedule_save(schedule=form.schedule(), expected=request.POST.get("fingerprint", ""))
                messages.success(request, saved_message(result))
                return redirect("sessions:group_schedule", group_id=group.pk)
            diff = schedule_preview(schedule=form.schedule())
        except ValidationError as error:
            form.add_service_error(error)
        else:
            if step != EDIT:
                context = _preview_context(request, form, diff)
                return render(request, "sessions/schedule_preview.html", context)
    context = {
        "group": group,
        "form": form,
        "sessions": selectors.group_upcoming_sessions(group),
        "zone": schedule.timezone if schedule.pk else settings.TIME_ZONE,  # the times shown, as stored
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "sessions/group_schedule.html", context, status=status)


def _preview_context(request, form: ScheduleForm, diff: ScheduleDiff) -> dict:
    details = diff_details(diff, with_titles=request.access.is_member)
    tz = zone(form.instance.timezone)
    return {
        "group": request.group,
        "form": form,
        "diff": diff,
        "created": [(o, o.notice(tz)) for o in diff.create],
        "moved": [(m, details[m.session.pk], m.occurrence.notice(tz)) for m in diff.move],
        "cancelled": [(s, details[s.pk]) for s in diff.cancel],
        "zone": tz.key,  # the times shown: in the zone the schedule is picked in
    }


def saved_message(result) -> str:
    return _(
        "Het rooster is opgeslagen: %(new)s nieuw, %(moved)s verplaatst, %(cancelled)s geannuleerd, "
        "%(restored)s hersteld."
    ) % {
        "new": len(result.created),
        "moved": len(result.moved),
        "cancelled": len(result.cancelled),
        "restored": len(result.restored),
    }
