from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import LanguageForm, LoginForm, ProfileForm, RegistrationForm
from .models import ProfessionalRegistration
from .selectors import registrations_of
from .services import account_unlock, password_reset_request, user_set_language
from .services import registration_delete as registration_delete_service
from .services import registration_save as registration_save_service
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


def _profile_page(request, *, form=None, registration_form=None, status=200):
    """The profile page: name and language, and the member's registrations (each form bound when it was
    the one posted, so an error shows at its field with what was typed)."""
    context = {
        "form": form or ProfileForm(instance=request.user),
        "registration_form": registration_form or RegistrationForm(),
        "registrations": list(registrations_of(request.user)),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Je profiel is opgeslagen."))
            response = redirect("accounts:profile")
            _remember_language(response, form.instance.preferred_language)
            return response
        return _profile_page(request, form=form, status=400)
    return _profile_page(request)


@login_required
@require_POST
def registration_save(request):
    """Add a registration to the profile, or give an existing one a new number."""
    form = RegistrationForm(request.POST)
    if form.is_valid():
        try:
            registration_save_service(
                user=request.user,
                register=form.cleaned_data["register"],
                other_register_name=form.cleaned_data["other_register_name"],
                number=form.cleaned_data["number"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Je registratie is opgeslagen."))
            return redirect(f"{reverse('accounts:profile')}#registraties")
    return _profile_page(request, registration_form=form, status=400)


@login_required
@require_POST
def registration_delete(request, registration_id: int):
    try:
        registration_delete_service(user=request.user, registration_id=registration_id)
    except ProfessionalRegistration.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("De registratie is verwijderd."))
    return redirect(f"{reverse('accounts:profile')}#registraties")
