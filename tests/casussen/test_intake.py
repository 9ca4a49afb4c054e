import logging
import re

import pytest
from django.urls import reverse

from casussen.models import Casus
from tests.factories import MembershipFactory

from .factories import CasusFactory

pytestmark = pytest.mark.django_db

SECRET = "Mevrouw Jansen uit de Lindelaan"


def _title(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1)


def test_save_draft_then_submit(world, client_for):
    client = client_for(world.member)
    url = reverse("casussen:create", kwargs={"group_id": world.group.pk})
    response = client.post(url, {"title": "Grenzen", "situatie": SECRET, "kernvraag": "", "wish": "advice"})
    casus = Casus.objects.get(author=world.member)
    assert response.status_code == 302
    assert casus.status == Casus.Status.DRAFT and casus.situatie == SECRET

    response = client.post(
        reverse("casussen:edit", kwargs={"casus_id": casus.pk}),
        {
            "title": "Grenzen",
            "situatie": SECRET,
            "kernvraag": "Hoe kan ik mijn grens aangeven?",
            "wish": "advice",
            "submit": "1",
        },
    )
    assert response.status_code == 302
    casus.refresh_from_db()
    assert casus.status == Casus.Status.SUBMITTED and casus.submitted_at is not None


def test_form_reminds_not_to_name_clients(world, client_for):
    response = client_for(world.member).get(reverse("casussen:create", kwargs={"group_id": world.group.pk}))
    assert "Noem geen namen van cliënten" in response.content.decode()


def test_empty_kernvraag_on_submit_is_a_form_error_and_text_survives(world, client_for):
    client = client_for(world.member)
    url = reverse("casussen:create", kwargs={"group_id": world.group.pk})
    response = client.post(
        url, {"title": "Mijn titel", "situatie": SECRET, "kernvraag": "  ", "wish": "advice", "submit": "1"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Vul een kernvraag in" in body
    assert SECRET in body and "Mijn titel" in body
    assert not Casus.objects.filter(status=Casus.Status.SUBMITTED).exists()


def test_oversized_text_is_a_form_error_and_text_survives(world, client_for):
    client = client_for(world.member)
    huge = "Begin van mijn verhaal. " + "x" * 5000
    url = reverse("casussen:create", kwargs={"group_id": world.group.pk})
    response = client.post(
        url, {"title": "T", "situatie": huge, "kernvraag": "Hoe kan ik?", "wish": "advice"}
    )
    assert response.status_code == 400
    assert huge in response.content.decode()
    assert not Casus.objects.exists()


def test_autosave_creates_one_draft_and_updates_it(world, client_for):
    client = client_for(world.member)
    url = reverse("casussen:autosave", kwargs={"group_id": world.group.pk})
    first = client.post(url, {"title": "Eerste", "kernvraag": "", "wish": "advice"})
    assert first.status_code == 200
    casus = Casus.objects.get()
    body = first.content.decode()
    assert f'value="{casus.pk}"' in body and 'hx-swap-oob="innerHTML"' in body
    second = client.post(url, {"casus_id": casus.pk, "title": "Tweede", "situatie": SECRET, "wish": "advice"})
    assert second.status_code == 200
    casus.refresh_from_db()
    assert Casus.objects.count() == 1 and casus.title == "Tweede" and casus.situatie == SECRET
    assert casus.status == Casus.Status.DRAFT


def test_autosave_of_oversized_text_keeps_the_stored_draft(world, client_for):
    casus = CasusFactory(
        group=world.group, author=world.member, status="draft", situatie=SECRET, submitted_at=None
    )
    client = client_for(world.member)
    url = reverse("casussen:autosave", kwargs={"group_id": world.group.pk})
    response = client.post(url, {"casus_id": casus.pk, "situatie": "y" * 5000, "wish": "advice"})
    assert response.status_code == 400
    assert "Niet bewaard" in response.content.decode()
    casus.refresh_from_db()
    assert casus.situatie == SECRET


@pytest.mark.parametrize("view", ["casussen:create", "casussen:autosave"])
def test_tampered_casus_id_is_404_and_leaves_the_other_draft_alone(world, client_for, view):
    other = MembershipFactory(group=world.group).user
    theirs = CasusFactory(group=world.group, author=other, status="draft", situatie=SECRET, submitted_at=None)
    client = client_for(world.member)
    url = reverse(view, kwargs={"group_id": world.group.pk})
    for tampered in (theirs.pk, 999999):
        response = client.post(url, {"casus_id": tampered, "title": "Overschreven", "wish": "advice"})
        assert response.status_code == 404
    response = client.post(url, {"casus_id": "abc", "title": "Overschreven", "wish": "advice"})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.title != "Overschreven" and theirs.situatie == SECRET


def test_kernvraag_not_about_own_part_gets_a_soft_warning(world, client_for):
    client = client_for(world.member)
    url = reverse("casussen:create", kwargs={"group_id": world.group.pk})
    response = client.post(
        url,
        {"title": "T", "kernvraag": "De collega doet het verkeerd.", "wish": "advice", "submit": "1"},
        follow=True,
    )
    assert response.status_code == 200
    assert "Hoe kan ik" in response.content.decode()
    assert Casus.objects.get().status == Casus.Status.SUBMITTED  # a hint, not an error


def test_no_casus_text_in_titles_urls_or_logs(world, client_for, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(world.member)
    url = reverse("casussen:create", kwargs={"group_id": world.group.pk})
    response = client.post(
        url,
        {
            "title": SECRET,
            "situatie": SECRET,
            "kernvraag": f"Hoe kan ik {SECRET} helpen?",
            "wish": "advice",
            "submit": "1",
        },
    )
    assert SECRET not in response["Location"]
    casus = Casus.objects.get()
    for name, kwargs in (
        ("casussen:detail", {"casus_id": casus.pk}),
        ("casussen:queue", {"group_id": world.group.pk}),
    ):
        page = client.get(reverse(name, kwargs=kwargs))
        assert page.status_code == 200
        assert SECRET in page.content.decode()  # shown on the page itself …
        assert SECRET not in _title(page)  # … never in its title
    assert SECRET not in caplog.text
    assert f"casus {casus.pk} submitted" in caplog.text
