"""The password rules speak the page's language and address the user as "je": the errors and help texts on
the password change page are the project's own validators' words, in Dutch and in English."""

import pytest
from django.contrib.auth.password_validation import get_default_password_validators
from django.urls import reverse
from django.utils import translation

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _refused(client, language: str, new_password: str):
    user = UserFactory(display_name="Annemarie Verhoeven", preferred_language=language)
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 400
    return response.context["form"]


@pytest.mark.parametrize(
    ("language", "too_short", "numeric"),
    [
        ("nl", "Dit wachtwoord is te kort: gebruik minstens 10 tekens.", "alleen uit cijfers"),
        ("en", "This password is too short: use at least 10 characters.", "only of digits"),
    ],
)
def test_a_short_numeric_password_is_refused_in_the_pages_language(client, language, too_short, numeric):
    form = _refused(client, language, "12345")
    errors = form.errors["new_password2"]
    assert errors[0] == too_short
    assert any(numeric in error for error in errors)


def test_a_password_like_the_name_names_the_field_in_words(client):
    form = _refused(client, "nl", "annemarieverhoeven")
    assert "Dit wachtwoord lijkt te veel op je naam." in form.errors["new_password2"]


def test_every_validator_is_the_projects_own():
    """Django's own validators say "Uw" in Dutch and lack some messages there: none of them is in use."""
    for validator in get_default_password_validators():
        assert type(validator).__module__ == "accounts.password_validation", type(validator)
    with translation.override("nl"):
        texts = [validator.get_help_text() for validator in get_default_password_validators()]
    assert all(text.startswith("Je wachtwoord") for text in texts), texts
