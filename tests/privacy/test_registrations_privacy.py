"""Registration numbers are personal data: the member's download holds theirs (and nobody else's), and
deleting the account deletes them (the real-flows deletion test scans every text field for them too)."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import ProfessionalRegistration
from privacy.services import account_delete

pytestmark = pytest.mark.django_db


def _archive(client) -> zipfile.ZipFile:
    response = client.get(reverse("privacy:export"))
    assert response.status_code == 200
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_download_holds_my_registrations_only(world, client_for):
    services.registration_save(user=world.member, register="big", number="12345678901")
    services.registration_save(user=world.member, register="other", other_register_name="=Vreemd", number="9")
    services.registration_save(user=world.facilitator, register="big", number="99999999999")
    archive = _archive(client_for(world.member))
    data = json.loads(archive.read("gegevens.json"))
    rows = sorted((r["register"], r["other_register_name"], r["number"]) for r in data["registrations"])
    assert rows == [("big", "", "12345678901"), ("other", "=Vreemd", "9")]
    everything = "".join(archive.read(name).decode() for name in archive.namelist())
    assert "99999999999" not in everything
    csv_text = archive.read("registrations.csv").decode()
    assert "'=Vreemd" in csv_text  # through the safe writer: no formula


def test_account_deletion_removes_the_registrations(world):
    services.registration_save(user=world.member, register="skj", number="1")
    services.registration_save(user=world.facilitator, register="skj", number="2")
    account_delete(user=world.member)
    assert list(ProfessionalRegistration.objects.values_list("number", flat=True)) == ["2"]


def test_the_privacy_pages_name_the_registrations(world, client_for):
    client = client_for(world.member)
    assert "registratienummers" in client.get(reverse("privacy:overview")).content.decode()
    assert "registratienummers" in client.get(reverse("privacy:delete")).content.decode()
