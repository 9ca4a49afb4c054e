"""One domain error type (docs/style.md, "Errors"): every app's refusal is an
``intervisie.errors.DomainError``, a ValidationError with a translated message, a code and an optional
field."""

import ast
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError

from groups.services import InvitationError
from intervisie.errors import DomainError
from notifications.tokens import LinkError
from reflections.services import ReflectionError
from sessions.services import SessionError

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "groups", "sessions", "casussen", "reflections", "notifications", "dashboards", "privacy"]


def _error_classes() -> list[tuple[str, str, list[str]]]:
    """(module path, class name, base names) of every class named ``*Error`` in the apps' code."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.ClassDef) and node.name.endswith("Error"):
                    bases = [ast.unparse(base) for base in node.bases]
                    found.append((str(path.relative_to(ROOT)), node.name, bases))
    return found


def test_every_error_class_of_the_apps_is_a_domain_error():
    classes = _error_classes()
    names = {name for _path, name, _bases in classes}
    assert {"SessionError", "CasusError", "InvitationError", "LinkError", "ReflectionError"} <= names
    # A class derives from DomainError or from another of the apps' error classes (WallClockError's kinds).
    known = names | {"DomainError"}
    stray = [(path, name, bases) for path, name, bases in classes if not set(bases) & known]
    assert stray == []


class _Form(forms.Form):
    reason = forms.CharField()


def test_a_refusal_naming_a_field_is_shown_at_that_field():
    form = _Form(data={"reason": "x"})
    assert form.is_valid()
    form.add_error(None, SessionError("Kies een andere reden.", field="reason"))
    assert form.errors == {"reason": ["Kies een andere reden."]}


def test_a_refusal_without_a_field_is_shown_above_the_form_and_is_caught_as_a_validation_error():
    form = _Form(data={"reason": "x"})
    assert form.is_valid()
    with pytest.raises(ValidationError) as raised:
        raise SessionError("Alleen een geplande bijeenkomst kan worden geannuleerd.")
    form.add_error(None, raised.value)
    assert form.non_field_errors() == ["Alleen een geplande bijeenkomst kan worden geannuleerd."]
    assert str(raised.value) == "Alleen een geplande bijeenkomst kan worden geannuleerd."


@pytest.mark.parametrize("error_class", [InvitationError, LinkError, ReflectionError])
def test_every_code_of_a_coded_error_has_a_message(error_class):
    codes = {value for name, value in vars(error_class).items() if name.isupper() and isinstance(value, str)}
    assert codes == set(error_class.MESSAGES)
    for code in codes:
        error = error_class(code=code)
        assert error.code == code
        assert error.messages == [str(error_class.MESSAGES[code])]


def test_a_domain_error_needs_a_message_or_a_known_code():
    with pytest.raises(TypeError):
        LinkError(code="no-such-code")
    with pytest.raises(TypeError):
        DomainError()
