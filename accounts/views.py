from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import LanguageForm, LoginForm, ProfileForm
from .services import account_unlock, password_reset_request, user_set_language
from .throttle import password_reset_throttled


class InvalidFormIs400:
    """Django's auth views re-render an invalid form with 200; ours answer 400 (bad input is a 4xx)."""

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class LoginView(InvalidFormIs400, auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(InvalidFormIs400, auth_views.PasswordChangeView):
    pass


class PasswordResetView(InvalidFormIs400, auth_views.PasswordResetView):
    """Asks for a reset link. The same neutral answer whether or not the address has an account; the mail
    goes through the outbox (the notifications app), the link in it is made when it is sent."""

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        if password_reset_throttled(request=self.request, email=email):
            minutes = max(1, int(settings.PASSWORD_RESET_WINDOW.total_seconds() // 60))
            form.add_error(
                None,
                _("Er is te vaak om een link gevraagd. Probeer het over %(minutes)s minuten opnieuw.")
                % {"minutes": minutes},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        password_reset_request(email=email)
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(InvalidFormIs400, auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        account_unlock(user=self.user)  # the owner proved they read the mailbox: failed logins are cleared
        return response


def _remember_language(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


@require_POST
def set_language(request):
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or "/"
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
        _remember_language(response, language)
    return response


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): a translated page saying how long the
    cool-off lasts, with status 429."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Je profiel is opgeslagen."))
            response = redirect("accounts:profile")
            _remember_language(response, form.instance.preferred_language)
            return response
        return render(request, "accounts/profile.html", {"form": form}, status=400)
    return render(request, "accounts/profile.html", {"form": form})
