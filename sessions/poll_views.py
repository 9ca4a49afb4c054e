"""The date poll's pages (``polls.py`` has the rules): the facilitator proposes dates, members answer per
date in one click (htmx, the option's row is swapped), the facilitator confirms the best one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.permissions import Need, group_required

from . import polls
from .calendar import group_zone
from .forms import show_service_error
from .models import DatePoll, DatePollOption, Session
from .poll_forms import AnswerForm, ConfirmForm, MomentsForm, WeekdaysForm


def _poll(request, poll_id: int) -> DatePoll:
    """A poll of the request's group (another group's poll is a 404, whatever its id)."""
    return get_object_or_404(
        DatePoll.objects.select_related("session", "group"), pk=poll_id, group=request.group
    )


@group_required(Need.FACILITATE)
def poll_new(request, group_id: int):
    """The facilitator proposes 2 to 5 moments for a session (``?sessie=<id>``), or weekdays for the group's
    fixed day without one."""
    group = request.group
    session = None
    raw = request.GET.get("sessie") or request.POST.get("sessie")
    if raw:
        if not raw.isdigit():
            raise Http404
        session = Session.objects.filter(
            pk=int(raw), group=group, status=Session.Status.PLANNED, starts_at__gt=timezone.now()
        ).first()
        if session is None:
            raise Http404
        running = DatePoll.objects.filter(session=session, closed_at__isnull=True).first()
        if running is not None:
            return redirect("sessions:poll", group_id=group.pk, poll_id=running.pk)
    tz = group_zone(group)
    data = request.POST if request.method == "POST" else None
    if session is not None:
        form: MomentsForm | WeekdaysForm = MomentsForm(
            data, tz=tz, initial_time=timezone.localtime(session.starts_at, tz).time()
        )
    else:
        form = WeekdaysForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            poll = polls.poll_open(
                group=group,
                created_by=request.user,
                session=session,
                moments=form.cleaned_data.get("moments", ()),
                weekdays=form.cleaned_data.get("weekdays", ()),
            )
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("De datumprikker staat open; de deelnemers krijgen een e-mail."))
            return redirect("sessions:poll", group_id=group.pk, poll_id=poll.pk)
    status = 400 if form.is_bound else 200
    context = {"group": group, "session": session, "form": form}
    return render(request, "sessions/poll_new.html", context, status=status)


def _session_open(poll: DatePoll) -> bool:
    """A session poll takes answers only while its session is still planned and to come."""
    session = poll.session
    return session is None or (
        session.status == Session.Status.PLANNED and session.starts_at > timezone.now()
    )


def _option_context(request, poll: DatePoll, tally: polls.OptionTally, **extra) -> dict:
    return {
        "group": request.group,
        "poll": poll,
        "tally": tally,
        "may_answer": poll.is_open and _session_open(poll),
        "error": None,
        "saved": False,
        **extra,
    }


def _best_context(request, poll: DatePoll, found: list[polls.OptionTally]) -> dict:
    top = polls.best(found)
    return {
        "best": top,
        "may_decide": request.access.is_facilitator and poll.is_open,
        "confirm_form": ConfirmForm(initial={"option": top.option.pk}) if top else None,
    }


@group_required(Need.MEMBER)
def poll_detail(request, group_id: int, poll_id: int):
    poll = _poll(request, poll_id)
    found = polls.tallies(poll, request.user)
    context = {
        "group": request.group,
        "poll": poll,
        "rows": [_option_context(request, poll, t) for t in found],
        **_best_context(request, poll, found),
    }
    return render(request, "sessions/poll_detail.html", context)


@require_POST
@group_required(Need.MEMBER)
def poll_answer(request, group_id: int, poll_id: int, option_id: int):
    poll = _poll(request, poll_id)
    option = get_object_or_404(DatePollOption, pk=option_id, poll=poll)
    form = AnswerForm(request.POST)
    error, status = None, 200
    if not form.is_valid():
        error, status = _("Kies ja, als het moet of nee."), 400
    else:
        try:
            polls.poll_answer(option=option, user=request.user, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 409
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Je antwoord is opgeslagen."))
        return redirect("sessions:poll", group_id=request.group.pk, poll_id=poll.pk)
    found = polls.tallies(poll, request.user)
    tally = next(t for t in found if t.option.pk == option.pk)
    context = _option_context(request, poll, tally, error=error, saved=error is None)
    if error is None and poll.is_open:  # the best date so far changes with it (swapped out of band)
        context.update(_best_context(request, poll, found), oob=True)
    return render(request, "sessions/_poll_answered.html", context, status=status)


@require_POST
@group_required(Need.FACILITATE)
def poll_confirm(request, group_id: int, poll_id: int):
    poll = _poll(request, poll_id)
    form = ConfirmForm(request.POST)
    option = None
    if form.is_valid():
        option = DatePollOption.objects.filter(pk=form.cleaned_data["option"], poll=poll).first()
    if option is None:
        messages.error(request, _("Kies een van de voorgestelde data."))
        return redirect("sessions:poll", group_id=request.group.pk, poll_id=poll.pk)
    try:
        polls.poll_confirm(poll=poll, option=option)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sessions:poll", group_id=request.group.pk, poll_id=poll.pk)
    if poll.session_id is not None:
        messages.success(request, _("De bijeenkomst is verplaatst; de deelnemers krijgen één e-mail."))
        return redirect("sessions:detail", session_id=poll.session_id)
    messages.success(request, _("Gekozen. Stel nu het rooster in vanaf die dag en bekijk het voorbeeld."))
    url = reverse("sessions:group_schedule", kwargs={"group_id": request.group.pk})
    day = polls.next_day_for(option)
    return redirect(f"{url}?vanaf={day.isoformat()}&tijd={option.start_time:%H:%M}")


@require_POST
@group_required(Need.FACILITATE)
def poll_close(request, group_id: int, poll_id: int):
    poll = _poll(request, poll_id)
    try:
        polls.poll_close(poll=poll)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De datumprikker is gesloten; er is niets verplaatst."))
    return redirect("sessions:poll", group_id=request.group.pk, poll_id=poll.pk)
