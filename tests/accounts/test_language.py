"""Dutch by default (whatever the browser asks), English on request: a cookie for anonymous visitors,
the stored preference for logged-in users."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# Django's own catalogue: our English catalogue is filled in by the translators.
REQUIRED_NL, REQUIRED_EN = "Dit veld is verplicht.", "This field is required."


def _empty_login(client, **kwargs) -> str:
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""}, **kwargs)
    return response.content.decode()


def test_dutch_by_default_even_for_english_browsers(client):
    response = client.get(reverse("accounts:login"), headers={"accept-language": "en-GB,en;q=0.9"})
    content = response.content.decode()
    assert "Wachtwoord vergeten?" in content and '<html lang="nl">' in content
    assert response["Content-Language"] == "nl"
    assert REQUIRED_NL in _empty_login(client, headers={"accept-language": "en-GB,en;q=0.9"})


def test_anonymous_switch_sets_cookie(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("accounts:login")})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    content = _empty_login(client)
    assert REQUIRED_EN in content and '<html lang="en">' in content
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert REQUIRED_NL in _empty_login(client)


@pytest.mark.parametrize(
    "target", ["0", "https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_switch_redirects_only_within_the_site(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302 and response["Location"] == "/"


def test_switch_keeps_the_page(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/account/profiel/?a=1"})
    assert response["Location"] == "/account/profiel/?a=1"


def test_switch_refuses_foreign_redirects_and_unknown_languages(client):
    response = client.post(reverse("set_language"), {"language": "de", "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_logged_in_preference_is_stored_and_follows_the_user(client):
    user = UserFactory(email="taal@example.org")
    client.force_login(user)
    assert "Mijn groepen" in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert client.get(reverse("home"))["Content-Language"] == "en"

    # A fresh browser (no cookie, Dutch Accept-Language) gets English after logging in.
    other = client.__class__()
    other.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})
    page = other.get(reverse("accounts:password_change"), headers={"accept-language": "nl"})
    assert '<html lang="en">' in page.content.decode()
    page = other.post(reverse("accounts:password_change"), {}, headers={"accept-language": "nl"})
    assert REQUIRED_EN in page.content.decode()


def test_user_preference_beats_the_cookie(client):
    user = UserFactory(preferred_language="nl")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    assert "Mijn groepen" in client.get(reverse("home")).content.decode()


def test_profile_sets_language(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"display_name": "Nieuwe Naam", "preferred_language": "en"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.preferred_language) == ("Nieuwe Naam", "en")
    response = client.post(reverse("accounts:profile"), {"display_name": "", "preferred_language": "xx"})
    assert response.status_code == 400
    assert User.objects.get(pk=user.pk).display_name == "Nieuwe Naam"
