from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from casussen.models import Casus

from . import selectors, services
from .forms import AccountDeleteForm
from .permissions import access_log_view


@login_required
def overview(request):
    return render(request, "privacy/overview.html")


@require_GET
@login_required
def export(request):
    response = HttpResponse(services.export_zip(request.user), content_type="application/zip")
    filename = f"intervisie-gegevens-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def account_delete(request):
    form = AccountDeleteForm(request.POST or None, request=request)
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "privacy/delete.html", {"form": form}, status=400)
        services.account_delete(user=request.user)
        logout(request)
        messages.success(request, _("Je account en je gegevens zijn verwijderd."))
        return redirect("accounts:login")
    return render(request, "privacy/delete.html", {"form": form})


@login_required
def casus_access(request, casus_id: int):
    """Who opened this casus (who may read it, and whether with the title: ``privacy/permissions.py``)."""
    casus = get_object_or_404(Casus.objects.select_related("group"), pk=casus_id)
    log_view = access_log_view(request.user, casus)
    context = {
        "casus_id": casus.pk,
        "group": casus.group,
        "title": casus.title if log_view.show_title else None,
        "entries": selectors.casus_access_log(casus),
    }
    return render(request, "privacy/casus_access.html", context)
