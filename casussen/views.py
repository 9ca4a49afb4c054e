"""Casus intake, queue, history and the presenter's summary. Access: ``Need.MEMBER`` on the casus's group
(organisation admins who are not members do not read casussen); who may do what with a casus is decided in
``permissions.py`` (a draft only for its author, 404 for everyone else). Page titles never contain casus
text."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.permissions import Need, group_required
from sessions.forms import show_service_error
from sessions.models import Session

from . import advance, permissions, selectors, services
from .forms import BookForm, CasusForm, SummaryForm, SummaryShareForm, VoteForm
from .models import Casus
from .services import CasusError


def _upcoming(group):
    upcoming = [s.pk for s in selectors.group_bookable_sessions(group)]
    # The group too: a session's label (its str) names it.
    return Session.objects.filter(group=group, pk__in=upcoming).select_related("group")


@group_required(Need.MEMBER)
def queue(request, group_id: int):
    context = selectors.queue(request.group, request.user)
    context.update(group=request.group, access=request.access)
    return render(request, "casussen/queue.html", context)


@group_required(Need.MEMBER)
def history(request, group_id: int):
    return render(
        request,
        "casussen/history.html",
        {"group": request.group, "casussen": selectors.history(request.group)},
    )


def _save(request, group, casus: Casus | None, *, submit: bool):
    """Shared by create and edit: validate, save (create or update), maybe submit. Saving and submitting
    are one transaction: a casus that cannot be submitted is not saved either (the page shows the text
    again, with the services' errors at their fields)."""
    form = CasusForm(request.POST, instance=casus)
    if not form.is_valid():
        return form, None
    data = {f: form.cleaned_data[f] for f in form.Meta.fields}
    try:
        with transaction.atomic():
            if casus is None:
                casus = services.casus_create(group=group, author=request.user, data=data)
            else:
                casus = services.casus_update(casus=casus, data=data)
            if submit:
                casus = services.casus_submit(casus=casus)
    except (CasusError, ValidationError) as error:
        show_service_error(form, error)
        return form, None
    return form, casus


def _after_save(request, form, casus, *, submit: bool):
    if submit:
        messages.success(request, _("Je casus staat in de wachtrij van de groep."))
    else:
        messages.success(request, _("Je casus is opgeslagen."))
    if form.warning:
        messages.warning(request, form.warning)
    return redirect("casussen:detail", casus_id=casus.pk)


@group_required(Need.MEMBER)
def create(request, group_id: int):
    """A new casus. Autosave may already have created a draft: its id comes back in ``casus_id``."""
    if request.method != "POST":
        return render(request, "casussen/casus_form.html", {"group": request.group, "form": CasusForm()})
    casus = None
    if request.POST.get("casus_id"):
        casus = permissions.own_draft_or_404(request.user, request.group, request.POST["casus_id"])
    submit = "submit" in request.POST
    form, saved = _save(request, request.group, casus, submit=submit)
    if saved is None:
        context = {"group": request.group, "form": form, "casus": casus}
        return render(request, "casussen/casus_form.html", context, status=400)
    return _after_save(request, form, saved, submit=submit)


@require_POST
@group_required(Need.MEMBER)
def autosave(request, group_id: int):
    """htmx: save the draft as the author types. Never submits; returns a small status fragment (and the
    draft's id out of band, so the next save updates the same draft)."""
    casus = None
    if request.POST.get("casus_id"):
        try:
            casus = permissions.own_draft_or_404(request.user, request.group, request.POST["casus_id"])
        except Http404:
            return _autosave_after_submit(request, request.POST["casus_id"])
    form, saved = _save(request, request.group, casus, submit=False)
    context = {"form": form, "casus": saved or casus, "saved": saved is not None}
    return render(request, "casussen/_autosave.html", context, status=200 if saved else 400)


def _autosave_after_submit(request, casus_id: str):
    """The page still autosaves a draft that its author has since submitted (in another tab): nothing is
    saved, the status says so and links to the casus; the typed text stays on the page. Anyone else's
    casus stays a 404."""
    if not casus_id.isdigit():
        raise Http404
    casus, _access = permissions.own_casus_or_404(request.user, int(casus_id))
    if casus.group_id != request.group.pk:
        raise Http404
    context = {
        "refusal": _("Je casus is al ingediend, dus hier wordt geen concept meer bewaard."),
        "open_casus": casus,
    }
    return render(request, "casussen/_autosave.html", context, status=409)


@login_required
def detail(request, casus_id: int):
    casus, access = permissions.readable_casus_or_404(request.user, casus_id)
    can = permissions.casus_abilities(request.user, casus, access)
    context = {
        "casus": casus,
        "group": casus.group,
        "access": access,
        "can": can,
        **selectors.casus_detail(casus, with_advice=can.read_advice),
    }
    if can.book:
        context["book_form"] = BookForm(sessions=_upcoming(casus.group))
    return render(request, "casussen/casus_detail.html", context)


@login_required
def edit(request, casus_id: int):
    casus, access = permissions.own_casus_or_404(request.user, casus_id)
    if not permissions.casus_abilities(request.user, casus, access).edit:
        messages.info(request, _("Deze casus kan niet meer worden gewijzigd."))
        return redirect("casussen:detail", casus_id=casus.pk)
    context = {"group": casus.group, "casus": casus}
    if request.method != "POST":
        return render(request, "casussen/casus_form.html", {**context, "form": CasusForm(instance=casus)})
    submit = "submit" in request.POST
    form, saved = _save(request, casus.group, casus, submit=submit)
    if saved is None:
        return render(request, "casussen/casus_form.html", {**context, "form": form}, status=400)
    return _after_save(request, form, saved, submit=submit and casus.is_draft)


@require_POST
@login_required
def submit(request, casus_id: int):
    casus, _access = permissions.own_casus_or_404(request.user, casus_id)
    try:
        services.casus_submit(casus=casus)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("casussen:edit", casus_id=casus.pk)
    messages.success(request, _("Je casus staat in de wachtrij van de groep."))
    return redirect("casussen:detail", casus_id=casus.pk)


@require_POST
@login_required
def book(request, casus_id: int):
    """The author (or a facilitator) puts a queued casus on an upcoming session's presenter slot."""
    casus, access = permissions.readable_casus_or_404(request.user, casus_id)
    permissions.require_may_book(request.user, casus, access)
    form = BookForm(request.POST, sessions=_upcoming(casus.group))
    if not form.is_valid():
        return HttpResponse(_("Kies een komende bijeenkomst."), status=400)
    try:
        services.casus_book(casus=casus, session=form.cleaned_data["session"])
    except CasusError as error:
        messages.error(request, error.message)
        return redirect("casussen:queue", group_id=casus.group_id)
    messages.success(request, _("De casus is ingepland."))
    return redirect("casussen:queue", group_id=casus.group_id)


@require_POST
@login_required
def unbook(request, casus_id: int):
    casus, access = permissions.readable_casus_or_404(request.user, casus_id)
    permissions.require_may_book(request.user, casus, access)
    try:
        services.casus_unbook(casus=casus)
    except CasusError as error:
        messages.error(request, error.message)
    return redirect("casussen:queue", group_id=casus.group_id)


@require_POST
@login_required
def vote(request, casus_id: int):
    casus, access = permissions.readable_casus_or_404(request.user, casus_id)
    form = VoteForm(request.POST, sessions=_upcoming(casus.group))
    if not form.is_valid():
        return HttpResponse(_("Kies een komende bijeenkomst."), status=400)
    try:
        services.casus_vote_toggle(casus=casus, session=form.cleaned_data["session"], voter=request.user)
    except CasusError as error:
        # Shown on the queue the vote was cast from, as the answer to the refused request.
        messages.error(request, error.message)
        context = selectors.queue(casus.group, request.user)
        context.update(group=casus.group, access=access)
        return render(request, "casussen/queue.html", context, status=400)
    return redirect("casussen:queue", group_id=casus.group_id)


@login_required
def summary(request, casus_id: int):
    """The presenter's summary after the session: takeaways and one or two intended actions."""
    casus, access = permissions.own_casus_or_404(request.user, casus_id)
    if not permissions.casus_abilities(request.user, casus, access).write_summary:
        messages.info(request, _("Een samenvatting schrijf je na de bespreking."))
        return redirect("casussen:detail", casus_id=casus.pk)
    initial = {f: getattr(casus, f) for f in ("outcome", "takeaways", "action_1", "action_2")}
    # Members who could not come wrote in advance: the presenter may share the summary with them.
    writers = advance.contributors(casus)
    form_class = SummaryShareForm if writers else SummaryForm
    initial["share_with_advance"] = any(w.summary_shared_at for w in writers)
    form = form_class(request.POST or None, initial=initial)
    context = {"casus": casus, "form": form, "writers": writers}
    if request.method == "POST":
        if form.is_valid():
            share = form.cleaned_data.pop("share_with_advance", False)
            with transaction.atomic():
                services.casus_summary_set(casus=casus, **form.cleaned_data)
                if share:
                    advance.advance_share_summary(casus=casus)
            messages.success(request, _("Je samenvatting is opgeslagen."))
            return redirect("casussen:detail", casus_id=casus.pk)
        return render(request, "casussen/summary_form.html", context, status=400)
    return render(request, "casussen/summary_form.html", context)
