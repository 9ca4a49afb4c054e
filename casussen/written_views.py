"""Intervision in writing: the session's written page (the casus, the deadlines, what the open phase asks,
the question log and the advice), the facilitator's switch and deadline moves, members' contributions and
closing the round. Members only (``Need.MEMBER``): the casus text and the contributions are the group's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.permissions import Need
from sessions import written as session_written
from sessions.calendar import group_zone
from sessions.forms import show_service_error
from sessions.models import PhaseDeadline, Session

from . import permissions, written
from .live_views import _session
from .models import Advice, Casus, LiveRun
from .services import CasusError
from .written_forms import LOCAL_FORMAT, ContributionForm, DeadlineForm, FormatForm


def _deadline_form(deadline: PhaseDeadline, tz, data=None) -> DeadlineForm:
    local = timezone.localtime(deadline.due_at, tz).strftime(LOCAL_FORMAT)
    return DeadlineForm(data, tz=tz, prefix=f"d{deadline.pk}", initial={"due_at": local})


def _context(request, session: Session, *, contribution_form=None, deadline_forms=None) -> dict:
    run = LiveRun.objects.filter(session=session).select_related("casus__author", "presenter").first()
    line = written.timeline(session)
    can = permissions.live_abilities(request.user, run, request.access)
    presenter = permissions.is_presenter(request.user, run)
    asks = line.current_asks if run and run.finished_at is None else None
    may_write = (
        (asks == written.QUESTIONS and not presenter)
        or (asks == written.ADVICE and not presenter)
        or (asks == written.REFLECTION and presenter)
    )
    casus = run.casus if run else Casus.objects.filter(session=session, status=Casus.Status.BOOKED).first()
    questions = list(run.questions.select_related("author")) if run else []
    my_advice = run.advices.filter(author=request.user).first() if run else None
    # The advice is the presenter's to read once the round is over (as after a live session).
    advice = (
        list(Advice.objects.filter(run=run).select_related("author"))
        if run and run.finished_at and presenter
        else []
    )
    tz = group_zone(session.group)
    forms = deadline_forms or {}
    deadlines = [
        (deadline, forms.get(deadline.pk) or _deadline_form(deadline, tz)) for deadline in line.deadlines
    ]
    return {
        "session": session,
        "group": session.group,
        "written_page": True,  # the shared partials post plainly here (no live state to swap)
        "run": run,
        "casus": casus,
        "line": line,
        "deadlines": deadlines,
        "can": can,
        "is_presenter": presenter,
        "asks": asks,
        "may_write": may_write,
        "contribution_form": contribution_form
        or ContributionForm(initial={"text": my_advice.text if my_advice and asks == written.ADVICE else ""}),
        "questions": questions,
        "my_advice": my_advice,
        "advice": advice,
        "advice_count": run.advices.count() if run else 0,
    }


@login_required
def written_page(request, session_id: int):
    session = _session(request, session_id, Need.MEMBER)
    if session.format != Session.Format.WRITTEN and not LiveRun.objects.filter(session=session).exists():
        raise Http404
    return render(request, "casussen/written.html", _context(request, session))


@login_required
def written_setup(request, session_id: int):
    session = _session(request, session_id, Need.FACILITATE)
    form = FormatForm(request.POST or None, initial={"format": session.format})
    context = {"session": session, "group": session.group, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                written.written_switch(session=session, format=form.cleaned_data["format"])
            except ValidationError as error:
                show_service_error(form, error)
            else:
                if session.format == Session.Format.WRITTEN:
                    messages.success(request, _("De bijeenkomst is schriftelijk; kijk de termijnen na."))
                    return redirect("casussen:written", session_id=session.pk)
                messages.success(request, _("De bijeenkomst is weer live."))
                return redirect("sessions:detail", session_id=session.pk)
        return render(request, "casussen/written_setup.html", context, status=400)
    return render(request, "casussen/written_setup.html", context)


@require_POST
@login_required
def written_deadline(request, session_id: int, deadline_id: int):
    """Move one phase's deadline, in place: htmx gets the deadline's row again (with the error at the
    field and the typed value, 400), a plain form the page."""
    session = _session(request, session_id, Need.FACILITATE)
    deadline = get_object_or_404(
        PhaseDeadline.objects.select_related("phase"), pk=deadline_id, session=session
    )
    tz = group_zone(session.group)
    form = DeadlineForm(request.POST, tz=tz, prefix=f"d{deadline.pk}")
    status = 200
    if form.is_valid():
        try:
            deadline = session_written.phase_deadline_move(
                deadline=deadline, due_at=form.cleaned_data["due_at"]
            )
        except ValidationError as error:
            show_service_error(form, error)
            status = 400
        else:
            form = _deadline_form(deadline, tz)
    else:
        status = 400
    if request.htmx:
        context = {
            "session": session,
            "deadline": deadline,
            "form": form,
            "moved": status == 200,
            "line": written.timeline(session),
            "can": _steer(request),
        }
        return render(request, "casussen/_written_deadline.html", context, status=status)
    if status == 200:
        messages.success(request, _("De termijn is verplaatst."))
        return redirect("casussen:written", session_id=session.pk)
    context = _context(request, session, deadline_forms={deadline.pk: form})
    return render(request, "casussen/written.html", context, status=status)


def _steer(request):
    return permissions.live_abilities(request.user, None, request.access)


@require_POST
@login_required
def written_contribute(request, session_id: int):
    session = _session(request, session_id, Need.MEMBER)
    run = LiveRun.objects.filter(session=session, finished_at__isnull=True).first()
    form = ContributionForm(request.POST)
    if run is None:
        form.is_valid()
        form.add_error(None, _("Deze schriftelijke bespreking loopt nu niet."))
        return render(
            request, "casussen/written.html", _context(request, session, contribution_form=form), status=409
        )
    if form.is_valid():
        try:
            written.written_contribute(run=run, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            show_service_error(form, error)
        else:
            messages.success(request, _("Je bijdrage is opgeslagen."))
            return redirect("casussen:written", session_id=session.pk)
    return render(
        request, "casussen/written.html", _context(request, session, contribution_form=form), status=400
    )


@require_POST
@login_required
def written_close(request, session_id: int):
    """The facilitator ends the round before its last deadline: the same "Bespreking afronden"."""
    session = _session(request, session_id, Need.FACILITATE)
    run = LiveRun.objects.filter(session=session, finished_at__isnull=True).first()
    if run is None:
        raise Http404
    try:
        written.written_close(run=run)
    except CasusError as error:
        messages.error(request, error.message)
        return redirect("casussen:written", session_id=session.pk)
    messages.success(request, _("De schriftelijke bespreking is afgerond."))
    return redirect("casussen:written", session_id=session.pk)
