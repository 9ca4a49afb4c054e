"""Logging in and out, failed-login throttling (django-axes) with its cool-off, the password forms.
Case variants, spraying and proxies: test_lockout.py; the reset mail: test_password_reset.py."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, email, password):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_login_by_email_case_insensitive_then_logout(client):
    user = UserFactory(email="inlog@example.org")
    response = _login(client, "Inlog@Example.org", PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == user
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_a_form_error(client):
    UserFactory(email="fout@example.org")
    response = _login(client, "fout@example.org", "niet-het-wachtwoord")
    assert response.status_code == 400
    assert "Voer een juiste e-mailadres en wachtwoord in" in response.content.decode()


def test_lockout_after_failure_limit_and_cool_off(client):
    user = UserFactory(email="doelwit@example.org")
    limit = settings.AXES_FAILURE_LIMIT
    assert limit == 5 and timedelta(minutes=15) == settings.AXES_COOLOFF_TIME
    for _ in range(limit - 1):
        assert _login(client, user.email, "fout-wachtwoord").status_code == 400
    locked = _login(client, user.email, "fout-wachtwoord")
    assert locked.status_code == 429
    content = locked.content.decode()
    assert "Te veel mislukte inlogpogingen" in content
    assert "Probeer het over 15 minuten opnieuw" in content

    # Even the right password is refused during the cool-off.
    assert _login(client, user.email, PASSWORD).status_code == 429
    assert client.get(reverse("home")).status_code == 302

    # Another account from the same address is not blocked (lockout is per user + IP).
    other = UserFactory()
    assert _login(client, other.email, PASSWORD).status_code == 302
    client.logout()

    # After the cool-off the right password works again.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    response = _login(client, user.email, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_lockout_page_is_translated(client):
    user = UserFactory(email="locked-en@example.org")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, user.email, "fout-wachtwoord")
    assert response.status_code == 429
    assert '<html lang="en">' in response.content.decode()
    assert response["Content-Language"] == "en"


def test_broken_reset_link_is_a_clear_page(client):
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    for uidb64, token in [(uid, "abc-def"), ("zzz", "abc-def"), ("0", "0")]:
        response = client.get(reverse("accounts:password_reset_confirm", args=[uidb64, token]))
        assert response.status_code == 200
        assert "Deze link is niet (meer) geldig" in response.content.decode()
        response = client.post(
            reverse("accounts:password_reset_confirm", args=[uidb64, token]),
            {"new_password1": "nieuw-geheim-wachtwoord", "new_password2": "nieuw-geheim-wachtwoord"},
        )
        assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_forms_reject_bad_input_with_400(client):
    user = UserFactory()
    assert client.post(reverse("accounts:password_reset"), {"email": "geen-adres"}).status_code == 400
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "fout", "new_password1": "kort", "new_password2": "anders"},
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "ander-lang-wachtwoord",
            "new_password2": "ander-lang-wachtwoord",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("ander-lang-wachtwoord")


def test_no_open_sign_up(client):
    from django.urls import NoReverseMatch

    for name in ("accounts:signup", "accounts:register", "signup"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
