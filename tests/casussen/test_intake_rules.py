"""The kernvraag rule (needed to submit, and kept by a queued casus) is the services'; the intake page shows
their error at the kernvraag field with 400, keeps the typed text and saves nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from casussen import services
from casussen.models import Casus
from tests.sessions.test_wallclock_forms import field_errors

from .factories import CasusFactory

pytestmark = pytest.mark.django_db

SECRET = "Een situatie die alleen de groep mag lezen."


def test_submitting_without_a_kernvraag_is_refused_at_the_field(world):
    draft = CasusFactory(
        group=world.group, author=world.member, status="draft", submitted_at=None, kernvraag=""
    )
    with pytest.raises(ValidationError) as raised:
        services.casus_submit(casus=draft)
    assert set(raised.value.error_dict) == {"kernvraag"}
    draft.refresh_from_db()
    assert draft.status == Casus.Status.DRAFT


def test_a_queued_casus_keeps_its_kernvraag(world):
    casus = CasusFactory(group=world.group, author=world.member)
    with pytest.raises(ValidationError) as raised:
        services.casus_update(casus=casus, data={"kernvraag": "  "})
    assert set(raised.value.error_dict) == {"kernvraag"}
    casus.refresh_from_db()
    assert casus.kernvraag.strip()


def test_the_intake_shows_the_services_error_at_kernvraag_and_saves_nothing(world, client_for):
    url = reverse("casussen:create", kwargs={"group_id": world.group.pk})
    data = {"title": "Mijn titel", "situatie": SECRET, "kernvraag": " ", "wish": "advice", "submit": "1"}
    response = client_for(world.member).post(url, data)
    assert response.status_code == 400
    assert set(field_errors(response)) == {"kernvraag"}
    assert SECRET in response.content.decode()
    assert not Casus.objects.exists()  # not even a draft: saving and submitting are one step


def test_emptying_a_queued_casuss_kernvraag_is_refused_at_the_field(world, client_for):
    casus = CasusFactory(group=world.group, author=world.member)
    url = reverse("casussen:edit", kwargs={"casus_id": casus.pk})
    data = {"title": casus.title, "situatie": SECRET, "kernvraag": "", "wish": "advice"}
    response = client_for(world.member).post(url, data)
    assert response.status_code == 400
    assert set(field_errors(response)) == {"kernvraag"}
    casus.refresh_from_db()
    assert casus.kernvraag.strip() and casus.situatie != SECRET
