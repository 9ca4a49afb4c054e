import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from accounts.services import user_regenerate_feed_token
from groups.permissions import Need, group_access, group_required, object_in_group_or_404

from . import calendar, feedcache, panels, permissions, selectors, services
from .forms import CancelForm, RSVPForm, SessionForm, show_service_error
from .models import RSVP, Session

FEED_TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")


def _member_session(request, session_id: int) -> Session:
    """The session with the reader's RSVP and counts, for an active member of its group (else 404/403);
    read once, by the access check itself."""
    queryset = selectors.session_page_sessions(request.user)
    session = object_in_group_or_404(queryset, request.user, Need.MEMBER, pk=session_id)
    return selectors.with_my_rsvps(session, request.user)


def _managed_session(request, session_id: int) -> Session:
    return object_in_group_or_404(Session.objects.all(), request.user, Need.MANAGE, pk=session_id)


def _card_context(session: Session, *, rsvp_form: RSVPForm | None = None, **extra) -> dict:
    """What ``_session_card.html`` needs, worked out here rather than in the template (a card is
    rendered 12 times on "Mijn bijeenkomsten"): no form object per card, the decline reasons with the
    one to preselect (the posted one when ``rsvp_form`` came back with errors, else the stored one)."""
    my_rsvp = session.my_rsvps[0] if session.my_rsvps else None
    if rsvp_form is not None:
        chosen, note = rsvp_form["decline_reason"].value(), rsvp_form["decline_note"].value() or ""
    else:
        chosen, note = (my_rsvp.decline_reason, my_rsvp.decline_note) if my_rsvp else ("", "")
    return {
        "session": session,
        "my_rsvp": my_rsvp,
        "my_answer": my_rsvp.answer if my_rsvp else "",
        "is_open": session.status == Session.Status.PLANNED and session.starts_at > timezone.now(),
        "reasons": [(value, label, value == chosen) for value, label in _reason_choices()],
        "decline_note": note,
        "rsvp_form": rsvp_form,
        "saved": False,
        "error": None,
        **extra,
    }


def _reason_choices() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in RSVP.Reason.choices]


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    is_local_path = target.startswith("/") and not target.startswith("//")
    if is_local_path and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


MAX_PAST_PAGE = 10_000  # far past any real history; keeps the SQL OFFSET in range
PAST_PER_PAGE = 10


@login_required
def my_sessions(request):
    """The next 12 sessions of all the member's groups as cards (answer in place), and their past
    sessions as a table, 10 per page (``?eerder=2`` for the page before)."""
    try:
        page = min(max(int(request.GET.get("eerder", 1)), 1), MAX_PAST_PAGE)
    except ValueError:
        page = 1
    past = selectors.past_sessions(request.user, limit=PAST_PER_PAGE, offset=(page - 1) * PAST_PER_PAGE)
    links = panels.links_for(past[:PAST_PER_PAGE], request.user)
    context = {
        "cards": [_card_context(s) for s in selectors.user_upcoming_sessions(request.user)],
        "past": [(session, links[session.pk]) for session in past[:PAST_PER_PAGE]],
        "past_page": page,
        "older_page": page + 1 if len(past) > PAST_PER_PAGE else None,
        "newer_page": page - 1 if page > 1 else None,
    }
    return render(request, "sessions/my_sessions.html", context)


@login_required
def session_detail(request, session_id: int, *, status: int = 200, **extra):
    """The one page of a session, in time order: before (when, where, who comes, RSVP, presenters, and
    the sections of higher apps: casus, werkvorm), during (the live guide) and after (attendance,
    reflections, follow-up). Higher apps add their sections through ``sessions.panels``."""
    session = _member_session(request, session_id)
    access = group_access(request.user, session.group)
    can = permissions.session_abilities(session, access)
    context = _card_context(session, **extra)
    context.update(
        {
            "can": can,
            "access": access,
            "roster": selectors.session_roster(session, with_reasons=can.see_decline_reasons),
            "may_manage": can.manage,
            "i_present": any(p.user_id == request.user.pk for p in session.presenters.all()),
            "free_slots": session.presenter_slots - len(session.presenters.all()),
            "panels": panels.panels_for(session, request.user, access),
        }
    )
    return render(request, "sessions/session_detail.html", context, status=status)


@require_POST
@login_required
def rsvp(request, session_id: int):
    session = _member_session(request, session_id)
    form = RSVPForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.rsvp_set(
                session=session,
                user=request.user,
                answer=form.cleaned_data["answer"],
                decline_reason=form.cleaned_data["decline_reason"],
                decline_note=form.cleaned_data["decline_note"],
            )
        except services.SessionError as exc:
            error = exc.message
        except ValidationError as exc:
            show_service_error(form, exc)
    in_page = request.POST.get("in_page") == "1"  # the card of the session page (no date, see the template)
    if form.is_valid() and error is None:
        if request.htmx:
            session = selectors.session_for_member(request.user, session.pk)
            context = _card_context(session, saved=True, in_page=in_page)
            return render(request, "sessions/_session_card.html", context)
        messages.success(request, _("Je antwoord is opgeslagen."))
        return HttpResponseRedirect(
            _back(request, reverse("sessions:detail", kwargs={"session_id": session.pk}))
        )
    context = _card_context(session, rsvp_form=form, error=error, in_page=in_page)
    if request.htmx:
        return render(request, "sessions/_session_card.html", context, status=400)
    return session_detail(request, session.pk, status=400, rsvp_form=form, error=error)


@require_POST
@login_required
def presenter_claim(request, session_id: int):
    session = _member_session(request, session_id)
    try:
        services.presenter_claim(session=session, user=request.user)
    except services.SessionError as exc:
        return session_detail(request, session.pk, status=409, error=exc.message)
    messages.success(request, _("Je brengt een casus in bij deze bijeenkomst."))
    return redirect("sessions:detail", session_id=session.pk)


@require_POST
@login_required
def presenter_release(request, session_id: int):
    session = _member_session(request, session_id)
    try:
        services.presenter_release(session=session, user=request.user)
    except services.SessionError as exc:
        return session_detail(request, session.pk, status=409, error=exc.message)
    messages.success(request, _("Je inbrengplek is vrijgegeven."))
    return redirect("sessions:detail", session_id=session.pk)


@require_safe
@login_required
def session_download(request, session_id: int):
    """The session as a .ics file; HEAD answers like GET without the body (the server drops it)."""
    session = _member_session(request, session_id)
    my_rsvp = session.my_rsvps[0] if session.my_rsvps else None
    body = calendar.session_ics(
        session,
        answer=my_rsvp.answer if my_rsvp else None,
        answered_at=my_rsvp.answered_at if my_rsvp else None,
    )
    etag = calendar.body_etag(body)  # the body has no moment of its own (DTSTAMP is LAST-MODIFIED)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="intervisie-{session.pk}.ics"'
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
def session_edit(request, session_id: int):
    session = _managed_session(request, session_id)
    form = SessionForm(request.POST or None, instance=session, tz=calendar.group_zone(session.group))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.session_update(session=session, **form.changes())
        except (services.SessionError, ValidationError) as exc:
            form.add_service_error(exc)
        else:
            if changed:
                messages.success(request, _("De bijeenkomst is gewijzigd; de deelnemers krijgen bericht."))
            return redirect("sessions:group_schedule", group_id=session.group_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "sessions/session_form.html", {"form": form, "session": session}, status=status)


@login_required
def session_cancel_view(request, session_id: int):
    session = _managed_session(request, session_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_cancel(session=session, reason=form.cleaned_data["reason"])
        except (services.SessionError, ValidationError) as exc:
            form.add_error(None, getattr(exc, "message", None) or " ".join(exc.messages))
        else:
            messages.success(request, _("De bijeenkomst is geannuleerd; de deelnemers krijgen bericht."))
            return redirect("sessions:group_schedule", group_id=session.group_id)
    status = 400 if request.method == "POST" else 200
    return render(request, "sessions/session_cancel.html", {"form": form, "session": session}, status=status)


@group_required(Need.MANAGE)
def session_new(request, group_id: int):
    group = request.group
    initial = {"location": group.default_location, "online_link": group.default_online_link}
    form = SessionForm(request.POST or None, initial=initial, tz=calendar.group_zone(group))
    if request.method == "POST":
        if form.is_valid():
            changes = form.changes()
            try:
                services.session_create(group=group, **changes)
            except ValidationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, _("De bijeenkomst is gepland; de deelnemers krijgen een uitnodiging.")
                )
                return redirect("sessions:group_schedule", group_id=group.pk)
        return render(request, "sessions/session_form.html", {"form": form, "group": group}, status=400)
    return render(request, "sessions/session_form.html", {"form": form, "group": group})


# --- calendar feed ------------------------------------------------------------------------------------


def feed_url(request, user) -> str:
    path = reverse("sessions:feed", kwargs={"token": user.feed_token})
    return f"{settings.SITE_URL}{path}"


@login_required
def feed_settings(request):
    https_url = feed_url(request, request.user)
    webcal_url = "webcal://" + https_url.split("://", 1)[1]
    return render(request, "sessions/feed_settings.html", {"https_url": https_url, "webcal_url": webcal_url})


@require_POST
@login_required
def feed_regenerate(request):
    user_regenerate_feed_token(user=request.user)
    messages.success(request, _("Je agenda-link is vernieuwd. De oude link werkt niet meer."))
    return redirect("sessions:feed_settings")


@require_safe
def feed(request, token: str):
    """The personal subscription feed. The token in the URL is the key (calendar apps cannot log in). HEAD
    answers like GET (same headers, 304 when conditional) without the body, which the server drops."""
    if not FEED_TOKEN_PATTERN.fullmatch(token):
        raise Http404
    user = (
        User.objects.filter(feed_token=token, is_active=True)
        .only("pk", "feed_token", "display_name", "email", "preferred_language")
        .first()
    )
    if user is None:
        raise Http404
    # The ETag is the validator (no Last-Modified: no single timestamp can tell that a group was left or
    # a session deleted, and If-None-Match takes precedence anyway, RFC 9110 13.2.2).
    etag = feedcache.feed_etag(user)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        response = HttpResponse(
            calendar.feed_ics(user, etag=etag), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = 'inline; filename="intervisie.ics"'
        feedcache.mark_fetched(user)  # the settings page can then offer the feed as the only path
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
