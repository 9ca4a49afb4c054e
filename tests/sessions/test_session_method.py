"""The werkvorm of one session changes only through sessions.services.session_method_set: the checks and the
signal of session_update, called directly and through the werkvorm page (errors at the field, 400)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from sessions import services
from sessions.models import Method, Session
from sessions.signals import session_planned_or_changed
from tests.html import texts

from .factories import SessionFactory
from .test_wallclock_forms import field_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def wide_method():
    return Method.objects.create(slug="breed", name_nl="Breed", name_en="Wide", max_presenters=3)


@pytest.fixture
def heard():
    changes = []

    def receiver(sender, *, session, created, changed, **kwargs):
        changes.append((session.pk, created, set(changed)))

    session_planned_or_changed.connect(receiver)
    yield changes
    session_planned_or_changed.disconnect(receiver)


def test_a_new_werkvorm_is_saved_and_announced(world, heard):
    session = SessionFactory(group=world.group)
    balint = Method.objects.get(slug="balint")
    assert services.session_method_set(session=session, method=balint) == {"method"}
    session.refresh_from_db()
    assert session.method == balint
    assert heard == [(session.pk, False, {"method"})]
    assert services.session_method_set(session=session, method=balint) == set()  # no change: no signal
    assert len(heard) == 1


def test_a_werkvorm_too_small_for_the_slots_is_refused_at_method(world, wide_method, heard):
    session = SessionFactory(group=world.group, method=wide_method, presenter_slots=2)
    with pytest.raises(ValidationError) as raised:
        services.session_method_set(session=session, method=Method.objects.get(slug="incidentmethode"))
    assert set(raised.value.error_dict) == {"method"}
    session.refresh_from_db()
    assert session.method == wide_method
    assert heard == []


def test_a_held_session_keeps_its_werkvorm(world, heard):
    session = SessionFactory(group=world.group)
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    with pytest.raises(services.SessionError):
        services.session_method_set(session=session, method=None)
    session.refresh_from_db()
    assert session.method is not None
    assert heard == []


def _method_url(session) -> str:
    return reverse("casussen:session_method", kwargs={"session_id": session.pk})


def test_the_page_shows_the_too_small_werkvorm_at_its_field(world, client_for, wide_method):
    session = SessionFactory(group=world.group, method=wide_method, presenter_slots=2)
    incident = Method.objects.get(slug="incidentmethode")
    response = client_for(world.facilitator).post(_method_url(session), {"method": incident.pk})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"method"}
    assert incident.name in field_errors(response)["method"]  # the message names the werkvorm
    session.refresh_from_db()
    assert session.method == wide_method


def test_the_page_refuses_a_held_session_above_the_form(world, client_for):
    session = SessionFactory(group=world.group)
    Session.objects.filter(pk=session.pk).update(status=Session.Status.HELD)
    response = client_for(world.facilitator).post(_method_url(session), {"method": ""})
    assert response.status_code == 400
    assert field_errors(response) == {}
    assert len(texts(response.content.decode(), "div", class_="alert-block")) == 1
    session.refresh_from_db()
    assert session.method is not None
