from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from groups.permissions import Need, group_required
from sessions.forms import show_service_error
from sessions.models import DatePollAnswer

from . import poll_mail, selectors, services, tokens
from .forms import CalendarPathForm, GroupSettingsForm, OneClickForm, PreferencesForm
from .models import CalendarPath, GroupNotificationSettings, NotificationPreference


def _invalid(request, error: tokens.LinkError):
    status = 400 if error.code == tokens.LinkError.TAMPERED else 410
    return render(request, "notifications/oneclick_invalid.html", {"error": error}, status=status)


# The signed token in the URL is the credential (and unguessable, so no cross-site request can forge it);
# mail clients send RFC 8058 one-click unsubscribe POSTs without a CSRF token.
@csrf_exempt
def oneclick(request, token: str):
    """GET shows what the link will do and a confirm button; only the POST acts."""
    try:
        link = tokens.read_token(token)
        services.link_check(link)
    except tokens.LinkError as error:
        return _invalid(request, error)
    form = OneClickForm(request.POST if request.method == "POST" else None, action=link.action)
    context = {"link": link, "outbox": link.outbox, "session": services.link_session(link), "form": form}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "notifications/oneclick_confirm.html", context, status=400)
        try:
            services.link_use(link=link, **form.cleaned_data)
        except tokens.LinkError as error:
            return _invalid(request, error)
        except ValidationError as error:  # the answer's rules (sessions.services.rsvp_set)
            show_service_error(form, error)
            return render(request, "notifications/oneclick_confirm.html", context, status=400)
        return render(request, "notifications/oneclick_done.html", context)
    return render(request, "notifications/oneclick_confirm.html", context)


def poll_link(request, token: str):
    """A date poll answer from the e-mail: GET shows the date and the answer with a confirm button (a
    mail scanner's GET records nothing); the POST records it. Not csrf_exempt like ``oneclick`` (which
    mail clients' RFC 8058 unsubscribe POSTs need): the confirm form carries the token."""
    try:
        link = tokens.read_poll_token(token)
        option = poll_mail.poll_link_option(link)
    except tokens.LinkError as error:
        return _invalid(request, error)
    labels = dict(DatePollAnswer.Answer.choices)
    context = {"link": link, "option": option, "poll": option.poll, "answer_label": labels[link.answer]}
    if request.method == "POST":
        try:
            poll_mail.poll_link_use(link)
        except tokens.LinkError as error:
            return _invalid(request, error)
        except ValidationError as error:
            context["error"] = " ".join(error.messages)
            return render(request, "notifications/poll_link_confirm.html", context, status=409)
        return render(request, "notifications/poll_link_done.html", context)
    return render(request, "notifications/poll_link_confirm.html", context)


@login_required
def preferences(request):
    current = NotificationPreference.objects.filter(user=request.user).first()
    form = PreferencesForm(
        request.POST or None,
        initial={"digest": bool(current and current.digest)},
        audiences=selectors.preference_audiences(request.user),
        stored_disabled=frozenset(current.disabled_kinds) if current else frozenset(),
    )
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "notifications/preferences.html", {"form": form}, status=400)
        services.preferences_set(
            user=request.user, disabled_kinds=form.disabled_kinds, digest=form.cleaned_data["digest"]
        )
        messages.success(request, _("Je e-mailvoorkeuren zijn opgeslagen."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@group_required(Need.MANAGE)
def group_settings(request, group_id: int):
    current = GroupNotificationSettings.objects.filter(group=request.group).first()
    disabled = set(current.disabled_kinds) if current else set()
    initial = {
        "enabled": [v for v, _label in GroupSettingsForm.base_fields["enabled"].choices if v not in disabled],
        "no_casus_days": current.no_casus_days if current else 5,
    }
    form = GroupSettingsForm(request.POST or None, initial=initial)
    context = {"form": form, "group": request.group}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "notifications/group_settings.html", context, status=400)
        services.group_settings_set(
            group=request.group,
            disabled_kinds=form.disabled_kinds,
            no_casus_days=form.cleaned_data["no_casus_days"],
        )
        messages.success(request, _("De e-mailinstellingen van de groep zijn opgeslagen."))
        return redirect("notifications:group_settings", group_id=request.group.pk)
    return render(request, "notifications/group_settings.html", context)


CALENDAR_PATH_SAVED = {
    CalendarPath.INVITES: gettext_lazy(
        "Je krijgt de bijeenkomsten voortaan als uitnodiging per e-mail. Zeg het agenda-abonnement op in je "
        "agenda-app, anders staat elke bijeenkomst er twee keer in."
    ),
    CalendarPath.FEED: gettext_lazy(
        "Je volgt de bijeenkomsten voortaan via je agenda-abonnement; uitnodigingen en afzeggingen komen "
        "zonder agenda-bijlage. Afspraken die al uit eerdere uitnodigingen in je agenda staan, kun je daar "
        "verwijderen."
    ),
}


@require_POST
@login_required
def calendar_path(request):
    """The choice on the feed settings page (``sessions:feed_settings``, which shows it with the
    ``calendar_path`` template tag): invites or the subscription feed."""
    form = CalendarPathForm(request.POST)
    if not form.is_valid():
        return render(request, "notifications/calendar_path.html", {"form": form}, status=400)
    path = form.cleaned_data["calendar_path"]
    services.calendar_path_set(user=request.user, path=path)
    messages.success(request, CALENDAR_PATH_SAVED[path])
    return redirect("sessions:feed_settings")
