"""A member's professional registrations (register + number, for the accreditation exports): the rules in
the service and the database, and the form on the profile page (errors at their field, nothing typed lost)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts import services
from accounts.models import REGISTER_VALUES, ProfessionalRegistration
from tests.factories import UserFactory
from tests.html import tree

from .pages import form_with

pytestmark = pytest.mark.django_db
Register = ProfessionalRegistration.Register


def test_the_database_list_of_registers_is_the_choices():
    assert list(Register.values) == REGISTER_VALUES


def test_save_adds_one_per_register_and_updates_the_number(world):
    member = world.member
    services.registration_save(user=member, register=Register.SKJ, number="  123456 ")
    services.registration_save(user=member, register=Register.BIG, number="1234 5678 901")
    services.registration_save(user=member, register=Register.SKJ, number="654321")  # a new number
    services.registration_save(
        user=member, register=Register.OTHER, other_register_name="  Register  Vaktherapie ", number="V-1"
    )
    services.registration_save(
        user=member, register=Register.OTHER, other_register_name="register vaktherapie", number="V-2"
    )
    rows = sorted((r.register, r.other_register_name, r.number) for r in member.registrations.all())
    assert rows == [
        ("big", "", "12345678901"),  # spaces taken out
        ("other", "register vaktherapie", "V-2"),  # the same other register (any case), as typed last
        ("skj", "", "654321"),
    ]
    assert {r.label for r in member.registrations.all()} == {
        "BIG 12345678901",
        "register vaktherapie V-2",
        "SKJ 654321",
    }


@pytest.mark.parametrize(
    ("register", "name", "number", "field"),
    [
        (Register.BIG, "", "1234567890", "number"),  # 10 digits
        (Register.BIG, "", "1234567890X", "number"),
        (Register.SKJ, "", "   ", "number"),
        (Register.SKJ, "", "x" * 41, "number"),
        (Register.OTHER, "  ", "12", "other_register_name"),
        ("fantasie", "", "12", "register"),
    ],
)
def test_save_refuses_at_the_field(world, register, name, number, field):
    with pytest.raises(ValidationError) as refused:
        services.registration_save(
            user=world.member, register=register, other_register_name=name, number=number
        )
    assert field in refused.value.message_dict
    assert not world.member.registrations.exists()


def test_an_other_register_name_is_dropped_for_a_listed_register(world):
    registration = services.registration_save(
        user=world.member, register=Register.NIP, other_register_name="Iets", number="7"
    )
    assert registration.other_register_name == ""


@pytest.mark.parametrize(
    "values",
    [
        {"register": "big", "number": "123"},
        {"register": "skj", "number": ""},
        {"register": "other", "other_register_name": "", "number": "1"},
        {"register": "skj", "other_register_name": "X", "number": "1"},
    ],
)
def test_the_database_refuses_what_the_service_refuses(world, values):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfessionalRegistration.objects.create(user=world.member, **values)


def test_the_database_holds_one_number_per_register(world):
    ProfessionalRegistration.objects.create(user=world.member, register="skj", number="1")
    ProfessionalRegistration.objects.create(user=UserFactory(), register="skj", number="1")  # another member
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfessionalRegistration.objects.create(user=world.member, register="skj", number="2")
    ProfessionalRegistration.objects.create(
        user=world.member, register="other", other_register_name="Eén", number="1"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProfessionalRegistration.objects.create(
            user=world.member, register="other", other_register_name="EÉN".lower(), number="2"
        )


def test_a_duplicate_says_so_in_words(world):
    ProfessionalRegistration.objects.create(user=world.member, register="skj", number="1")
    duplicate = ProfessionalRegistration(user=world.member, register="skj", number="2")
    with pytest.raises(ValidationError) as refused:
        duplicate.full_clean()
    assert refused.value.messages == ["Dit register staat al bij je registraties."]


def _profile(client):
    page = client.get(reverse("accounts:profile"))
    assert page.status_code == 200
    return page.content.decode()


def test_member_adds_a_registration_on_the_profile_page(world, client_for):
    client = client_for(world.member)
    html = _profile(client)
    assert "komen op je bewijs van deelname voor je register" in html
    action, fields = form_with(html, "number")
    assert action == reverse("accounts:registration_save")
    response = client.post(action, {**fields, "register": "skj", "number": "SKJ-778899"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile") + "#registraties"
    page = tree(_profile(client))
    items = [li.text for li in page.by_id("registraties").find_all("li")]
    assert items == ["SKJ SKJ-778899 Verwijderen"]


def test_a_wrong_number_shows_at_its_field_and_keeps_what_was_typed(world, client_for):
    client = client_for(world.member)
    action, fields = form_with(_profile(client), "number")
    response = client.post(action, {**fields, "register": "big", "number": "12345"})
    assert response.status_code == 400
    page = tree(response.content.decode())
    number = page.by_id("id_number")
    assert number["value"] == "12345" and number.get("aria-invalid") == "true"
    errors = [e.text for e in page.by_id("registration-form").find_all(class_="invalid-feedback")]
    assert errors == ["Een BIG-nummer bestaat uit 11 cijfers."]
    selected = page.by_id("id_register").find("option", selected=True)
    assert selected["value"] == "big"
    # The name form on the same page is untouched and still shows the member's name.
    assert page.by_id("id_display_name")["value"] == world.member.display_name
    assert not world.member.registrations.exists()


def test_an_other_register_without_a_name_is_refused_at_the_name(world, client_for):
    client = client_for(world.member)
    action, fields = form_with(_profile(client), "number")
    response = client.post(action, {**fields, "register": "other", "number": "77"})
    assert response.status_code == 400
    page = tree(response.content.decode())
    assert page.by_id("id_other_register_name").get("aria-invalid") == "true"
    assert page.by_id("id_number")["value"] == "77"


def test_member_removes_their_own_registration_but_not_anothers(world, client_for):
    mine = services.registration_save(user=world.member, register=Register.NVO, number="5")
    theirs = services.registration_save(user=world.facilitator, register=Register.NVO, number="6")
    client = client_for(world.member)
    url = reverse("accounts:registration_delete", kwargs={"registration_id": theirs.pk})
    assert client.post(url).status_code == 404
    assert ProfessionalRegistration.objects.filter(pk=theirs.pk).exists()
    page = tree(_profile(client))
    form = page.by_id("registraties").find(
        "form", action=reverse("accounts:registration_delete", kwargs={"registration_id": mine.pk})
    )
    assert form is not None
    assert client.post(form["action"]).status_code == 302
    assert not ProfessionalRegistration.objects.filter(pk=mine.pk).exists()
