import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from groups.models import Group, Membership
from groups.permissions import Need, administered_organisation_ids, group_required
from sessions import load
from sessions.models import RSVP, Session

from . import charts, exports, integrations, pdf, selectors
from .forms import AccreditationPeriodForm, PeriodForm
from .health import health_signals

FORMATS = ("csv", "pdf")


def _period_or_400(request, template, context, form_class=PeriodForm):
    """The period form from the query string; an invalid one re-renders the page with errors (400)."""
    form = form_class(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, render(request, template, {**context, "form": form}, status=400)
    return form, None


def _download(content: bytes | str, filename: str, fmt: str) -> HttpResponse:
    if fmt == "csv":
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _csv(write, *args) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # byte order mark: spreadsheet programs then read the names as UTF-8
    write(*args, out)
    return out.getvalue()


@login_required
def index(request):
    """The facilitator's dashboard: all groups they guide."""
    groups = selectors.facilitated_groups(request.user)
    if not groups.exists():
        if selectors.administered_groups(request.user).exists():
            return redirect("dashboards:admin")
        raise PermissionDenied
    form, error = _period_or_400(request, "dashboards/index.html", {"summaries": []})
    if error:
        return error
    summaries = selectors.groups_overview(groups, form.get_period())
    return render(
        request,
        "dashboards/index.html",
        {
            "form": form,
            "summaries": summaries,
            "chart": charts.overview(summaries),
            "is_admin": selectors.administered_groups(request.user).exists(),
        },
    )


@login_required
def admin_overview(request):
    """All groups of the organisations the user administers, sortable."""
    if not administered_organisation_ids(request.user):
        raise PermissionDenied  # a new organisation's admin, with no group yet, starts here too
    groups = selectors.administered_groups(request.user)
    form, error = _period_or_400(request, "dashboards/admin.html", {"summaries": []})
    if error:
        return error
    sort = request.GET.get("sort", "name")
    summaries = selectors.groups_overview(groups, form.get_period(), sort=sort)
    query = request.GET.copy()
    query.pop("sort", None)
    return render(
        request,
        "dashboards/admin.html",
        {"form": form, "summaries": summaries, "sort": sort, "query": query.urlencode()},
    )


@group_required(Need.FACILITATE)
def group_dashboard(request, group_id: int):
    group = request.group
    form, error = _period_or_400(request, "dashboards/group.html", {"group": group, "dash": None})
    if error:
        return error
    dash = selectors.group_dashboard(group, form.get_period())
    return render(
        request,
        "dashboards/group.html",
        {
            "group": group,
            "form": form,
            "dash": dash,
            "hours": exports.hours(dash.net_minutes),
            "declines": [(RSVP.Reason(reason).label, n) for reason, n in dash.declines.items()],
            "queued": dash.queued,
            "signals": health_signals(dash),
            "reflection_signals": integrations.reflection_health(group, dash.held),
            "alerts": integrations.group_alerts(group),
            "charts": charts.group(dash),
            "balance": load.group_balance(group),  # presentations and roles per member, 12 months
        },
    )


@group_required(Need.FACILITATE)
def group_attendance_csv(request, group_id: int):
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "dashboards/export_form.html", {"form": form}, status=400)
    content = _csv(exports.group_attendance_csv, request.group, form.get_period())
    return _download(content, f"aanwezigheid-{slugify(request.group.name)}", "csv")


@group_required(Need.FACILITATE)
def presence_list(request, group_id: int, session_id: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    session = get_object_or_404(
        Session.objects.select_related("group__organisation", "method", "facilitator").exclude(
            status=Session.Status.CANCELLED
        ),
        pk=session_id,
        group=request.group,
    )
    data = exports.presence_list(session)
    day = timezone.localtime(session.starts_at).strftime("%Y-%m-%d")
    filename = f"presentielijst-{slugify(request.group.name)}-{day}"
    if fmt == "csv":
        return _download(_csv(exports.presence_list_csv, data), filename, fmt)
    return _download(pdf.presence_list_pdf(data), filename, fmt)


def _accreditation_response(request, member: User, fmt: str, groups=None):
    form = AccreditationPeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "dashboards/export_form.html", {"form": form}, status=400)
    data = exports.accreditation(member, form.get_period(), groups=groups)
    filename = f"intervisie-{slugify(member.display_name)}"
    if fmt == "csv":
        return _download(_csv(exports.accreditation_csv, data), filename, fmt)
    return _download(pdf.accreditation_pdf(data), filename, fmt)


@group_required(Need.FACILITATE)
def member_accreditation(request, group_id: int, user_id: int, fmt: str):
    """A facilitator's export for a (current or former) member of their group: that group's sessions."""
    if fmt not in FORMATS:
        raise Http404
    membership = get_object_or_404(
        Membership.objects.select_related("user"), group=request.group, user_id=user_id
    )
    groups = Group.objects.filter(pk=request.group.pk)
    return _accreditation_response(request, membership.user, fmt, groups=groups)


@login_required
def my_accreditation(request):
    form = AccreditationPeriodForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(request, "dashboards/my_accreditation.html", {"form": form}, status=status)


@login_required
def my_accreditation_download(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    return _accreditation_response(request, request.user, fmt)
