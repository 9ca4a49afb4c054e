"""The e-mail kind registry (notifications/kinds.py) is the one declaration of a kind: every entry has its
templates and texts, and the model's choices and the database's check constraint follow it exactly."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.template.loader import get_template
from django.utils import timezone, translation

from groups.models import Group
from notifications import kinds
from notifications.models import GroupNotificationSettings, Kind, Outbox
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ENTRIES = pytest.mark.parametrize("entry", kinds.REGISTRY, ids=lambda entry: entry.value)


@ENTRIES
def test_every_kind_has_its_templates_subject_and_label(entry):
    for suffix in ("txt", "html"):
        get_template(f"{entry.template}.{suffix}")  # raises TemplateDoesNotExist
    texts = {"group": "Groep Noord", "when": "dinsdag 3 maart 2026, 14:00", "rule": "opkomst daalt"}
    for language in ("nl", "en"):
        with translation.override(language):
            assert str(entry.subject % texts).strip()
            assert str(entry.label).strip()
            if entry.template == kinds.MESSAGE_TEMPLATE:  # the shared template opens with the lead
                assert str(entry.lead % texts).strip()
    assert len(entry.value) <= Outbox._meta.get_field("kind").max_length
    assert bool(entry.calendar_method) == bool(entry.calendar_filename) == bool(entry.feed_lead)


@pytest.mark.parametrize(
    "entry", [entry for entry in kinds.REGISTRY if entry.before_session], ids=lambda entry: entry.value
)
def test_a_kind_planned_before_the_session_names_a_real_offset_and_audience(entry):
    offsets = {field.name for field in Group._meta.get_fields()} | {"no_casus_days"}
    assert entry.before_session.days in offsets
    assert "no_casus_days" in {field.name for field in GroupNotificationSettings._meta.get_fields()}
    assert entry.before_session.to in (kinds.MEMBERS, kinds.FACILITATORS, kinds.PRESENTERS)


def test_the_model_choices_are_the_registry():
    assert Kind.values == [entry.value for entry in kinds.REGISTRY]
    assert [str(label) for label in Kind.labels] == [str(entry.label) for entry in kinds.REGISTRY]
    assert all(getattr(Kind, entry.name) == entry.value for entry in kinds.REGISTRY)
    assert len(kinds.BY_VALUE) == len(kinds.REGISTRY)  # no value declared twice


def test_the_check_constraint_accepts_exactly_the_registered_kinds():
    user = UserFactory()
    for entry in kinds.REGISTRY:
        Outbox.objects.create(kind=entry.value, recipient=user, subject_key="k", due_at=timezone.now())
    assert Outbox.objects.count() == len(kinds.REGISTRY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Outbox.objects.create(kind="not_registered", recipient=user, subject_key="k", due_at=timezone.now())


def test_the_migrations_match_the_registry():
    """A kind added to the registry without its migration (the check constraint, the choices) fails here."""
    call_command("makemigrations", "notifications", check=True, dry_run=True, verbosity=0)
