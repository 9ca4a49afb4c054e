from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from casussen.selectors import question_log
from groups.permissions import Need, group_required, object_in_group_or_404
from intervisie.csv_safe import SafeWriter
from sessions.models import Session

from . import health, learning_log, selectors, services
from .forms import FollowUpForm, PeriodForm, ReflectionForm
from .models import Reflection
from .services import ReflectionError


def _session_or_404(request, session_id: int) -> Session:
    return object_in_group_or_404(
        Session.objects.select_related("group__organisation"), request.user, Need.MEMBER, pk=session_id
    )


def _refused(request, session: Session, error: ReflectionError):
    return render(
        request, "reflections/refused.html", {"session": session, "message": error.message}, status=403
    )


@login_required
def session_reflections(request, session_id: int):
    """A held session's reflections as the group sees them: the aggregate (3-answer rule), shared
    takeaways, the follow-ups; plus the visitor's own reflection or a link to write it."""
    session = _session_or_404(request, session_id)
    try:
        services.reflection_check_can_write(session=session, user=request.user)
        can_write = True
    except ReflectionError:
        can_write = False
    followup_due_at = selectors.followup_due_at(session)
    context = {
        "session": session,
        "group": session.group,
        "publication": selectors.session_publications([session.pk])[session.pk],
        "closes_at": selectors.reflection_closes_at(session),
        "is_closed": selectors.reflection_is_closed(session),
        "own": selectors.own_reflection(session, request.user),
        "can_write": can_write,
        "takeaways": selectors.shared_takeaways(session),
        "followups": session.followups.select_related("presenter").order_by("presenter__display_name"),
        "is_presenter": selectors.is_presenter(session, request.user),
        "followup_due_at": followup_due_at,
        "followup_open": followup_due_at <= timezone.now(),
        "min_answers": selectors.MIN_ANSWERS,
    }
    return render(request, "reflections/session.html", context)


@login_required
def reflection_write(request, session_id: int):
    session = _session_or_404(request, session_id)
    try:
        services.reflection_check_can_write(session=session, user=request.user)
    except ReflectionError as error:
        if error.code == ReflectionError.ALREADY:
            messages.info(request, error.message)
            return redirect("reflections:session", session_id=session.pk)
        return _refused(request, session, error)
    is_presenter = selectors.is_presenter(session, request.user)
    questions = question_log(session) if is_presenter else ()
    form = ReflectionForm(request.POST or None, is_presenter=is_presenter, questions=questions)
    context = {
        "session": session,
        "group": session.group,
        "form": form,
        "min_answers": selectors.MIN_ANSWERS,
    }
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "reflections/write.html", context, status=400)
        try:
            services.reflection_submit(
                session=session,
                author=request.user,
                scores=form.scores(),
                takeaway=form.cleaned_data["takeaway"],
                share_takeaway=form.cleaned_data["share_takeaway"],
                advice_fit=form.cleaned_data.get("advice_fit"),
                eye_opener=form.cleaned_data.get("eye_opener", ""),
                eye_opener_question=form.picked_question(),
            )
        except ReflectionError as error:
            if error.code == ReflectionError.ALREADY:  # a double submit: the first one counts
                messages.info(request, error.message)
                return redirect("reflections:session", session_id=session.pk)
            return _refused(request, session, error)
        messages.success(request, _("Dank je wel! Je reflectie is opgeslagen."))
        return redirect("reflections:session", session_id=session.pk)
    return render(request, "reflections/write.html", context)


@login_required
def reflection_detail(request, reflection_id: int):
    """A reflection in full: for its author only. Anyone else (the facilitator too) gets a 404."""
    reflection = (
        Reflection.objects.select_related("session__group")
        .filter(pk=reflection_id, author=request.user)
        .first()
    )
    if reflection is None:
        raise Http404
    return render(request, "reflections/detail.html", {"reflection": reflection})


@group_required(Need.MEMBER)
def group_reflections(request, group_id: int):
    """Published session aggregates and their sum over whole sessions, with a period filter."""
    group = request.group
    # Only the period binds the form; other parameters (a member, say) are ignored: there is no such filter.
    form = PeriodForm(request.GET if {"van", "tot"} & request.GET.keys() else None)
    start = end = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            start, end = form.cleaned_data["van"], form.cleaned_data["tot"]
        else:
            status = 400
    sessions = list(selectors.held_sessions(group, start=start, end=end).select_related("method"))
    publications = selectors.session_publications([s.pk for s in sessions])
    total = selectors.sum_published(p.aggregate for p in publications.values())
    rows = [(s, publications[s.pk]) for s in sessions]
    context = {
        "group": group,
        "access": request.access,
        "form": form,
        "rows": rows,
        "total": total,
        "yield": selectors.group_yield(group),
        "followups": selectors.group_followups(group)[:50],
        "min_answers": selectors.MIN_ANSWERS,
    }
    return render(request, "reflections/group.html", context, status=status)


@group_required(Need.FACILITATE)
def group_health(request, group_id: int):
    signals = health.group_health(request.group)
    template = "reflections/_health.html" if request.htmx else "reflections/health.html"
    return render(request, template, {"group": request.group, "signals": signals})


@login_required
def followup(request, session_id: int):
    session = _session_or_404(request, session_id)
    try:
        services.followup_check_can_answer(session=session, user=request.user)
    except ReflectionError as error:
        return _refused(request, session, error)
    existing = session.followups.filter(presenter=request.user).first()
    form = FollowUpForm(request.POST or None, instance=existing)
    context = {"session": session, "group": session.group, "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "reflections/followup.html", context, status=400)
        services.followup_answer(
            session=session,
            presenter=request.user,
            outcome=form.cleaned_data["outcome"],
            what_changed=form.cleaned_data["what_changed"],
        )
        messages.success(request, _("Dank je wel! Je follow-up is opgeslagen."))
        return redirect("reflections:session", session_id=session.pk)
    return render(request, "reflections/followup.html", context)


@login_required
def my_learning_log(request):
    return render(request, "reflections/learning_log.html", {"entries": learning_log.entries(request.user)})


@login_required
def my_learning_log_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"leerlog-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # BOM: spreadsheet programs then read UTF-8 correctly
    SafeWriter(response).writerows(learning_log.csv_rows(request.user))
    return response
