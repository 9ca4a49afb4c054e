"""Every database constraint of the project's apps says what is wrong in the user's words.

Django's default for a broken constraint names it ("Beperking ‘session_presenter_slots_range’ is
geschonden"), and for a ``UniqueConstraint`` on fields it builds a sentence from the fields' labels
("Aanmelding met deze Session en User bestaat al"). Issue 18: no internal name reaches a user. So every
``CheckConstraint`` and ``UniqueConstraint`` carries its own ``violation_error_message``: lazily translated
(Dutch source), without the constraint's name or a field's internal name, translated into English. The
end-to-end tests post a real form (Django admin) that breaks a constraint and read the message on the page.
"""

import re

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import BaseConstraint
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from sessions import services
from sessions.models import Method, Session
from tests.factories import UserFactory
from tests.proof.conftest import STATE_APPS
from tests.sessions.factories import SessionFactory

PROJECT_APPS = STATE_APPS  # the project's own apps (tests/proof/conftest.py)
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +-]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^{}]*\}")


def _constraints() -> list[tuple[str, object, BaseConstraint]]:
    found = []
    for label in PROJECT_APPS:
        for model in apps.get_app_config(label).get_models():
            for constraint in model._meta.constraints:
                found.append((f"{model._meta.label}.{constraint.name}", model, constraint))
    return found


CONSTRAINTS = _constraints()


def _rendered(constraint: BaseConstraint, language: str) -> str:
    with translation.override(language):
        return str(constraint.get_violation_error_message())


def _internal_names(model) -> set[str]:
    """The field names a message must not show: every name and column attribute, except a plain word that
    is also a label users read: the field's own ("status", "quorum", "kernvraag") or its related model's
    ("casus")."""
    names = set()
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False):
            continue
        labels = [field.verbose_name]
        if field.related_model is not None:
            labels.append(field.related_model._meta.verbose_name)
        label_words = {
            word for label in labels if isinstance(label, Promise) for word in str(label).lower().split()
        }
        for name in {field.name, field.attname}:
            if "_" in name or name.lower() not in label_words:
                names.add(name)
    return names


def test_the_walk_finds_the_project_constraints():
    """The walk is not empty by accident (about 60 constraints in eight apps)."""
    assert len(CONSTRAINTS) >= 60
    assert {model._meta.app_label for _label, model, _c in CONSTRAINTS} >= {"meetings", "casussen", "groups"}


@pytest.mark.parametrize(("label", "model", "constraint"), CONSTRAINTS, ids=[row[0] for row in CONSTRAINTS])
def test_every_constraint_has_a_translated_human_message(label, model, constraint):
    message = constraint.violation_error_message
    assert message is not None and message != constraint.default_violation_error_message, (
        f"{label}: give it a violation_error_message (what is wrong, in the user's words)"
    )
    assert isinstance(message, Promise), f"{label}: the message goes through gettext_lazy"

    dutch, english = _rendered(constraint, "nl"), _rendered(constraint, "en")
    assert dutch.strip() and english.strip()
    for text in (dutch, english):
        assert constraint.name not in text, f"{label}: the message names the constraint"
        assert not PLACEHOLDER.search(text), f"{label}: a placeholder is left in {text!r}"
    with translation.override("nl"):
        internal_names = _internal_names(model)
    for name in internal_names:
        assert not re.search(rf"\b{re.escape(name)}\b", dutch, re.IGNORECASE), (
            f"{label}: the message shows the internal field name {name!r}: {dutch!r}"
        )
    assert english != dutch, f"{label}: no English translation of {dutch!r} (locale/en)"


# End to end: a real form that breaks a constraint shows the sentence, never the constraint's name.


@pytest.fixture
def superuser_client(db, client):
    client.force_login(
        UserFactory(is_staff=True, is_superuser=True), backend="django.contrib.auth.backends.ModelBackend"
    )
    return client


def _method_form(**changes) -> dict:
    data = {
        "slug": "eigen-werkvorm",
        "name_nl": "Eigen werkvorm",
        "name_en": "Own method",
        "description_nl": "",
        "description_en": "",
        "min_members": "3",
        "max_presenters": "1",
        "position": "0",
        "is_active": "on",
        "phases-TOTAL_FORMS": "1",
        "phases-INITIAL_FORMS": "0",
        "phases-MIN_NUM_FORMS": "0",
        "phases-MAX_NUM_FORMS": "1000",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
        "phases-0-position": "1",
        "phases-0-name_nl": "Inleiding",
        "phases-0-name_en": "Introduction",
        "phases-0-minutes": "10",
        "phases-0-speaker": "presenter",
        "phases-0-kind": "intro",
        "phases-0-rule_nl": "",
        "phases-0-rule_en": "",
        "_save": "1",
    }
    return data | changes


def test_the_method_admin_shows_the_constraint_message_for_a_method_without_presenters(superuser_client):
    response = superuser_client.post(reverse("admin:meetings_method_add"), _method_form(max_presenters="0"))

    assert response.status_code == 200  # the form again, with its errors
    body = response.content.decode()
    assert "Een werkvorm heeft minstens 1 inbrenger." in body
    assert "method_max_presenters_pos" not in body
    assert "geschonden" not in body
    assert not Method.objects.filter(slug="eigen-werkvorm").exists()


def test_the_method_admin_shows_the_constraint_message_for_a_phase_of_500_minutes(superuser_client):
    response = superuser_client.post(
        reverse("admin:meetings_method_add"), _method_form(**{"phases-0-minutes": "500"})
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Een fase duurt 1 tot en met 240 minuten." in body
    assert "method_phase_minutes" not in body
    assert "geschonden" not in body
    assert not Method.objects.filter(slug="eigen-werkvorm").exists()


def test_the_method_admin_refuses_two_phases_in_one_place_with_the_constraint_message(superuser_client):
    """Django's own refusal of repeated rows in an inline names the fields ("Corrigeer de dubbele gegevens
    voor position"); admin's inlines use the unique constraint's message (accounts.admin_site)."""
    second = {"position": "1", "name_nl": "Vragen", "name_en": "Questions", "minutes": "20"}
    second |= {"speaker": "group", "kind": "questions", "rule_nl": "", "rule_en": ""}
    rows = {f"phases-1-{key}": value for key, value in second.items()}
    data = _method_form(**{"phases-TOTAL_FORMS": "2"}, **rows)

    response = superuser_client.post(reverse("admin:meetings_method_add"), data)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Deze werkvorm heeft al een fase op deze plaats." in body
    assert "dubbele gegevens voor" not in body
    assert not Method.objects.filter(slug="eigen-werkvorm").exists()


def test_the_method_admin_saves_the_same_method_within_the_limits(superuser_client):
    """The two posts above fail on the constraint alone: the same form within the limits saves."""
    response = superuser_client.post(reverse("admin:meetings_method_add"), _method_form())

    assert response.status_code == 302
    method = Method.objects.get(slug="eigen-werkvorm")
    assert method.phases.get().minutes == 10


def test_a_session_constraint_without_a_field_message_refuses_with_its_own_message(db):
    """sessions.services puts the constraints it knows at their field; any other broken constraint of a
    session shows its own message above the form (not a general text, not its name)."""
    session = SessionFactory()
    session.format = "video"
    unlisted = next(c for c in Session._meta.constraints if c.name == "session_format_valid")
    assert unlisted.name not in services.CONSTRAINT_MESSAGES

    with pytest.raises(ValidationError) as refused:
        services._full_clean(session)

    assert str(unlisted.violation_error_message) in refused.value.message_dict[NON_FIELD_ERRORS]
    assert "session_format_valid" not in str(refused.value.message_dict)
