"""The session side: overview, werkvorm per session, the live guide (page, poll, steps, question log,
advice, parkeerplaats), and the old address of attendance registration (now ``sessions:attendance``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotModified, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from accounts.middleware import language_neutral, request_language
from groups.models import Group
from groups.permissions import Need, object_in_group_or_404, require
from sessions import services as session_services
from sessions.forms import show_service_error
from sessions.models import Session
from sessions.services import SessionError

from . import live, live_stamp, permissions, selectors
from .forms import MethodForm, StartForm, StepForm, TextForm
from .models import Casus, LiveRun, Question
from .services import CasusError


def _session(request, session_id: int, need: Need) -> Session:
    session = object_in_group_or_404(
        Session.objects.select_related("group", "method"), request.user, need, pk=session_id
    )
    request.access = require(request.user, session.group, need)
    return session


def _active_run(session: Session) -> LiveRun:
    run = LiveRun.objects.filter(session=session, finished_at__isnull=True).first()
    if run is None:
        raise Http404
    return run


def _live_state(request, session: Session) -> dict:
    """What the live page and its fragment show, with the poll token and, when no run is going, the
    facilitator's start form."""
    stamp = live_stamp.current_stamp(session.pk)  # read before the state: see casussen/live_stamp.py
    state = selectors.live_state(session, request.user, access=request.access)
    state["token"] = stamp if stamp is not None else f"d{state['token']}"
    if state["run"] is None or state["run"].finished_at is not None:
        state["start_form"] = _start_form(session) if state["can"].steer else None
    return state


def _render_state(request, session: Session, *, status: int = 200, **refusal):
    """The live state fragment; a refusal (``error``, ``error_for``: the form it is shown in, ``advice_text``:
    what was typed) shows at that form."""
    state = {**_live_state(request, session), **refusal}
    response = render(request, "casussen/_live_state.html", state, status=status)
    response["ETag"] = f'"{state["token"]}"'
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _start_form(session: Session, data=None) -> StartForm:
    booked = Casus.objects.filter(session=session, status=Casus.Status.BOOKED).select_related("author")
    return StartForm(data, casussen=booked)


def _htmx_or_redirect(request, session: Session, *, status: int = 200, **refusal):
    """After a step of the live guide: the fragment for htmx, else the page again (a refusal, at its form)
    or a redirect to it."""
    if request.htmx:
        return _render_state(request, session, status=status, **refusal)
    if refusal.get("error"):
        return _render_page(request, session, status=status, **refusal)
    return redirect("casussen:live", session_id=session.pk)


def _question_form(data=None) -> TextForm:
    return TextForm(data, label=_("Jouw vraag"), auto_id="id_question_%s")


def _parked_form(data=None) -> TextForm:
    return TextForm(data, label=_("Onderwerp voor de parkeerplaats"), max_length=500, auto_id="id_parked_%s")


NOTE_FORMS = {  # the two small forms beside the live state: the element id, the page's context name
    "question": ("question-form", "question_form"),
    "parked": ("parked-form", "parked_form"),
}


def _render_page(request, session: Session, *, status: int = 200, forms: dict | None = None, **refusal):
    context = {
        **_live_state(request, session),
        **refusal,
        "group": session.group,
        "question_form": _question_form(),
        "parked_form": _parked_form(),
        **(forms or {}),
    }
    return render(request, "casussen/live.html", context, status=status)


def _note_form_again(request, session: Session, which: str, form: TextForm, *, status: int = 400):
    """A refused question or parked topic: that form again, with the error at the field and what was
    typed; for htmx it replaces the form itself instead of the live state."""
    element_id, name = NOTE_FORMS[which]
    if not request.htmx:
        return _render_page(request, session, status=status, forms={name: form})
    context = {"session": session, "note_form": form, "which": which, "element_id": element_id}
    response = render(request, "casussen/_live_note_form.html", context, status=status)
    return reswap(retarget(response, f"#{element_id}"), "outerHTML")


def session_detail(request, session_id: int):
    """The old address of the session page: the page now lives in the sessions app."""
    return redirect("sessions:detail", session_id=session_id, permanent=True)


@login_required
def session_method(request, session_id: int):
    session = _session(request, session_id, Need.FACILITATE)
    form = MethodForm(request.POST or None, initial={"method": session.method_id})
    context = {"session": session, "group": session.group, "form": form}
    if request.method == "POST":
        if form.is_valid():
            try:
                session_services.session_method_set(session=session, method=form.cleaned_data["method"])
            except (SessionError, ValidationError) as error:
                show_service_error(form, error)
            else:
                messages.success(request, _("De werkvorm is opgeslagen."))
                return redirect("sessions:detail", session_id=session.pk)
        return render(request, "casussen/method_form.html", context, status=400)
    return render(request, "casussen/method_form.html", context)


@login_required
def live_page(request, session_id: int):
    session = _session(request, session_id, Need.MEMBER)
    if session.format == Session.Format.WRITTEN:
        return redirect("casussen:written", session_id=session.pk)  # its round is on the written page
    return _render_page(request, session)


@language_neutral
def poll(request, session_id: int):
    """The hot endpoint: every member's device asks every few seconds. When nothing changed it answers 204
    (htmx keeps the page) or 304 (If-None-Match) from the cache alone (see casussen/live_stamp.py); otherwise,
    and at least once a minute per login, after the full login and membership check."""
    token = request.GET.get("v", "")
    etag_token = request.headers.get("If-None-Match", "").strip('"')
    if live_stamp.answer_unchanged_from_cache(request, session_id, token):
        return HttpResponse(status=204)
    if not token and live_stamp.answer_unchanged_from_cache(request, session_id, etag_token):
        return HttpResponseNotModified()
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    translation.activate(request_language(request))
    stamp = live_stamp.current_stamp(session_id)  # read before the state: see casussen/live_stamp.py
    state = selectors.poll_state(session_id, request.user)
    if state is None:
        raise Http404
    if state.role is None:  # not an active member: the usual 404 / 403
        require(request.user, Group.objects.get(pk=state.group_id), Need.MEMBER)
        raise PermissionDenied
    live_stamp.remember_access(request, session_id)
    current = stamp if stamp is not None else f"d{state.token}"
    if token == current:
        return HttpResponse(status=204)
    if not token and etag_token == current:
        return HttpResponseNotModified()
    session = Session.objects.select_related("group").get(pk=session_id)
    request.access = require(request.user, session.group, Need.MEMBER)
    return _render_state(request, session)


@require_POST
@login_required
def live_start(request, session_id: int):
    session = _session(request, session_id, Need.FACILITATE)
    form = _start_form(session, request.POST)
    if not form.is_valid():
        return _htmx_or_redirect(
            request, session, error=_("Kies een ingeplande casus."), error_for="start", status=400
        )
    try:
        live.live_start(session=session, casus=form.cleaned_data["casus"])
    except CasusError as error:
        return _htmx_or_redirect(request, session, error=str(error.message), error_for="start", status=400)
    return _htmx_or_redirect(request, session)


@require_POST
@login_required
def live_step(request, session_id: int):
    session = _session(request, session_id, Need.FACILITATE)
    run = _active_run(session)
    form = StepForm(request.POST)
    if not form.is_valid():
        return _htmx_or_redirect(request, session, error=_("Onbekende stap."), error_for="step", status=400)
    try:
        live.live_step(run=run, action=form.cleaned_data["action"])
    except CasusError as error:
        return _htmx_or_redirect(request, session, error=str(error.message), error_for="step", status=400)
    return _htmx_or_redirect(request, session)


@require_POST
@login_required
def question_add(request, session_id: int):
    session = _session(request, session_id, Need.MEMBER)
    form = _question_form(request.POST)
    if not form.is_valid():
        return _note_form_again(request, session, "question", form)
    run = LiveRun.objects.filter(session=session, finished_at__isnull=True).first()
    if run is None:
        form.add_error("text", _("Er loopt nu geen bespreking; je vraag is niet genoteerd."))
        return _note_form_again(request, session, "question", form, status=409)
    live.question_add(run=run, author=request.user, text=form.cleaned_data["text"])
    return _htmx_or_redirect(request, session)


@require_POST
@login_required
def question_mark(request, session_id: int, question_id: int):
    session = _session(request, session_id, Need.MEMBER)
    question = get_object_or_404(Question.objects.select_related("run"), pk=question_id, run__session=session)
    permissions.require_may_mark(request.user, question)
    live.question_mark(question=question, by=request.user, opened_eyes=request.POST.get("opened_eyes") != "0")
    return _htmx_or_redirect(request, session)


@require_POST
@login_required
def advice_add(request, session_id: int):
    session = _session(request, session_id, Need.MEMBER)
    run = _active_run(session)
    form = TextForm(request.POST)
    refusal = {"error_for": "advice", "advice_text": request.POST.get("text", "")}
    if not form.is_valid():
        error = " ".join(map(str, form.errors["text"]))
        return _htmx_or_redirect(request, session, error=error, status=400, **refusal)
    try:
        live.advice_set(run=run, author=request.user, text=form.cleaned_data["text"])
    except CasusError as error:
        return _htmx_or_redirect(request, session, error=str(error.message), status=400, **refusal)
    return _htmx_or_redirect(request, session)


@require_POST
@login_required
def parked_add(request, session_id: int):
    session = _session(request, session_id, Need.MEMBER)
    form = _parked_form(request.POST)
    if not form.is_valid():
        return _note_form_again(request, session, "parked", form)
    live.parked_add(session=session, author=request.user, text=form.cleaned_data["text"])
    if not request.htmx:
        messages.success(request, _("Het onderwerp staat op de parkeerplaats."))
    return _htmx_or_redirect(request, session)


def attendance_moved(request, session_id: int):
    """The attendance register moved to the sessions app (``sessions:attendance``): a permanent redirect,
    301 for GET and HEAD, 308 for a POST (from a page loaded before the move) so it keeps its form data.
    The new page decides who may open it."""
    target = reverse("sessions:attendance", kwargs={"session_id": session_id})
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(target)
    return HttpResponsePermanentRedirect(target, status=308)
