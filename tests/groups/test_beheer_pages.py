"""The organisation admin's pages over HTTP: creating a group, the settings page (facilitators read it),
the invitations list with revoke, and changing a member's role. Form errors are a 400 with the message at
the field and what was typed kept; every page has a query budget with enough data for an N+1 to show."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups import services
from groups.models import Group, Invitation, Membership
from groups.services import GROUP_SETTINGS_FIELDS
from tests.factories import (
    FacilitatorFactory,
    GroupFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.html import texts

from .forms_html import post_data, rendered_form

CREATE_BUDGET = 9
SETTINGS_BUDGET = 9
INVITATIONS_BUDGET = 12
REVOKE_BUDGET = 11
ROLE_BUDGET = 10
DETAIL_AS_ADMIN_BUDGET = 13


def _url(name, **kwargs):
    return reverse(f"groups:{name}", kwargs=kwargs)


def _error(html: str, field: str) -> str:
    (message,) = texts(html, "div", id=f"id_{field}_error")
    return message


def _queries(client, url) -> int:
    client.get(reverse("home"))  # the first request after logging in does more (session, menu cache)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- creating a group -----------------------------------------------------------------------------------


def test_admin_creates_a_group_from_the_admin_overview(world, client_for):
    client = client_for(world.admin)
    overview = client.get(reverse("dashboards:admin")).content.decode()
    create = _url("create")
    assert f'href="{create}"' in overview
    page = client.get(create).content.decode()
    form = rendered_form(page, "name")
    assert form.data["organisation"] == str(world.group.organisation_id)  # one organisation: not asked
    data = {**post_data(form), "name": "  Groep West ", "default_location": "Kamer 2.14", "quorum": "4"}
    response = client.post(create, data)
    group = Group.objects.get(name="Groep West")
    assert response.status_code == 302
    assert response["Location"] == _url("detail", group_id=group.pk)
    assert (group.organisation_id, group.default_location, group.quorum) == (
        world.group.organisation_id,
        "Kamer 2.14",
        4,
    )
    assert not group.memberships.exists()
    detail = client.get(response["Location"])
    assert detail.status_code == 200  # the admin sees the new group and can invite from there
    assert f'href="{_url("invite", group_id=group.pk)}"' in detail.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "Groep\r\nWest", "Gebruik geen regeleinden, tabs of andere onzichtbare tekens in de naam."),
        ("name", "GROEP NOORD", "Deze organisatie heeft al een groep met deze naam."),
        ("quorum", "9", "Het quorum kan niet groter zijn dan het maximaal aantal deelnemers."),
        ("size_limit", "30", "Zorg ervoor dat deze waarde hoogstens 20 is."),
        ("default_online_link", "teams vergadering", "Voer een geldige URL in."),
    ],
)
def test_create_form_errors_are_shown_at_the_field(world, client_for, field, value, message):
    client = client_for(world.admin)
    form = rendered_form(client.get(_url("create")).content.decode(), "name")
    data = {**post_data(form), "name": "Groep West", "description": "Voor de wijkteams", field: value}
    response = client.post(_url("create"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert _error(html, field) == message
    kept = rendered_form(html, "name").data
    assert kept["description"] == "Voor de wijkteams"
    assert kept[field] == value
    assert Group.objects.count() == 2


def test_admin_of_two_organisations_chooses_one_of_them(world, client_for):
    second = OrganisationFactory(name="Tweede Zorg")
    OrganisationAdminFactory(organisation=second, user=world.admin)
    client = client_for(world.admin)
    html = client.get(_url("create")).content.decode()
    options = texts(html, "option")
    assert sorted(options) == sorted([world.group.organisation.name, "Tweede Zorg"])
    foreign = OrganisationFactory(name="Andermans Zorg")
    response = client.post(
        _url("create"), {"organisation": foreign.pk, "name": "Binnendringer", "size_limit": 8, "quorum": 3}
    )
    assert response.status_code == 400
    assert not Group.objects.filter(name="Binnendringer").exists()


def test_create_page_query_budget(world, client_for, django_assert_max_num_queries):
    for n in range(6):
        OrganisationAdminFactory(user=world.admin, organisation=OrganisationFactory(name=f"Zorg {n}"))
    client = client_for(world.admin)
    with django_assert_max_num_queries(CREATE_BUDGET):
        response = client.get(_url("create"))
    assert len(texts(response.content.decode(), "option")) == 7


# --- the settings page ----------------------------------------------------------------------------------


def test_admin_changes_settings_by_posting_back_the_page(world, client_for):
    client = client_for(world.admin)
    url = _url("settings", group_id=world.group.pk)
    html = client.get(url).content.decode()
    assert texts(html, "legend") == [
        "Algemeen",
        "Bijeenkomsten",
        "Herinneringen per e-mail",
        "Signalen voor de begeleider",
        "Privacy",
    ]
    form = rendered_form(html, "quorum")
    assert form.fields == {*GROUP_SETTINGS_FIELDS, "csrfmiddlewaretoken", "submit"}
    assert form.disabled == set() and form.submits == 1
    data = post_data(form)
    data.update(quorum="4", reminder_first_days="10", show_casus_title_in_email="on")
    data.pop("is_active")  # unticked
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == url
    world.group.refresh_from_db()
    assert (world.group.quorum, world.group.reminder_first_days) == (4, 10)
    assert world.group.show_casus_title_in_email is True and world.group.is_active is False
    assert world.group.name == "Groep Noord"
    assert "De instellingen zijn opgeslagen." in texts(client.get(url).content.decode(), "div", role="status")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quorum", "9", "Het quorum kan niet groter zijn dan het maximaal aantal deelnemers."),
        ("name", "Groep Zuid", "Deze organisatie heeft al een groep met deze naam."),
        ("name", "Groep\nNoord", "Gebruik geen regeleinden, tabs of andere onzichtbare tekens in de naam."),
        ("size_limit", "2", "De groep heeft nu 2 actieve deelnemers; het maximum kan niet lager zijn."),
        ("alert_trend_relative", "150", "Zorg ervoor dat deze waarde hoogstens 100 is."),
    ],
)
def test_settings_errors_are_shown_at_the_field(world, client_for, field, value, message):
    MembershipFactory(group=world.group)  # 3 active
    client = client_for(world.admin)
    url = _url("settings", group_id=world.group.pk)
    data = post_data(rendered_form(client.get(url).content.decode(), "quorum"))
    data.update({"description": "Nieuw omschreven", "quorum": "2", field: value})
    before = Group.objects.filter(pk=world.group.pk).values().get()
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    if field == "size_limit":
        message = message.replace("2 actieve", "3 actieve")
    assert _error(html, field) == message
    kept = rendered_form(html, "quorum").data
    assert kept["description"] == "Nieuw omschreven" and kept[field] == value
    assert Group.objects.filter(pk=world.group.pk).values().get() == before


def test_facilitator_reads_the_settings_but_cannot_change_them(world, client_for):
    client = client_for(world.facilitator)
    url = _url("settings", group_id=world.group.pk)
    response = client.get(url)
    assert response.status_code == 200
    form = rendered_form(response.content.decode(), "quorum")
    assert form.disabled == set(GROUP_SETTINGS_FIELDS) and form.submits == 0
    assert form.data["quorum"] == str(world.group.quorum)
    assert client.post(url, {**form.data, "quorum": "2"}).status_code == 403
    world.group.refresh_from_db()
    assert world.group.quorum == 3


def test_settings_page_query_budget(world, client_for, django_assert_max_num_queries):
    MembershipFactory.create_batch(5, group=world.group)
    InvitationFactory.create_batch(5, group=world.group)
    for client, user in ((client_for(world.admin), "admin"), (client_for(world.facilitator), "facilitator")):
        with django_assert_max_num_queries(SETTINGS_BUDGET):
            response = client.get(_url("settings", group_id=world.group.pk))
        assert response.status_code == 200, user


# --- invitations: list and revoke -----------------------------------------------------------------------


def _invitations_of_every_kind(group, n: int) -> dict[str, list[Invitation]]:
    made = {"open": [], "accepted": [], "revoked": [], "expired": []}
    for i in range(n):
        made["open"].append(InvitationFactory(group=group, invited_by=UserFactory()))
        user = UserFactory()
        accepted = InvitationFactory(group=group, email=user.email, invited_by=UserFactory())
        services.invitation_accept(invitation_id=accepted.pk, user=user)
        made["accepted"].append(accepted)
        revoked = InvitationFactory(group=group)
        services.invitation_revoke(invitation=revoked)
        made["revoked"].append(revoked)
        made["expired"].append(
            InvitationFactory(group=group, expires_at=timezone.now() - timedelta(days=i + 1))
        )
    return made


def test_invitations_list_shows_every_status_and_what_can_be_revoked(world, client_for):
    made = _invitations_of_every_kind(world.group, 2)
    html = client_for(world.facilitator).get(_url("invitations", group_id=world.group.pk)).content.decode()
    for status, invitations in made.items():
        rows = texts(html, "li", data_status=status)
        assert len(rows) == len(invitations), status
        for invitation in invitations:
            assert any(invitation.email in row for row in rows)
        revocable = status in ("open", "accepted")
        links = [_url("invitation_revoke", group_id=world.group.pk, invitation_id=i.pk) for i in invitations]
        assert all((f'href="{link}"' in html) == revocable for link in links), status


def test_invitations_page_query_budget(world, client_for, django_assert_max_num_queries):
    small = GroupFactory(organisation=world.group.organisation, size_limit=20)
    FacilitatorFactory(group=small, user=world.facilitator)
    _invitations_of_every_kind(small, 1)
    _invitations_of_every_kind(world.group, 4)
    world.group.size_limit = 20
    client = client_for(world.facilitator)
    few = _queries(client, _url("invitations", group_id=small.pk))
    many = _queries(client, _url("invitations", group_id=world.group.pk))
    assert few == many <= INVITATIONS_BUDGET


def test_revoking_an_accepted_invitation_ends_the_membership_at_once(world, client_for):
    newcomer = UserFactory(display_name="Nadia Nieuwkomer")
    invitation = InvitationFactory(group=world.group, email=newcomer.email)
    services.invitation_accept(invitation_id=invitation.pk, user=newcomer)
    detail = _url("detail", group_id=world.group.pk)
    assert client_for(newcomer).get(detail).status_code == 200

    client = client_for(world.admin)
    url = _url("invitation_revoke", group_id=world.group.pk, invitation_id=invitation.pk)
    page = client.get(url).content.decode()
    (warning,) = texts(page, "div", role="note")
    assert "Nadia Nieuwkomer" in warning
    assert rendered_form(page, id="revoke-form").submits == 1
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == _url(
        "invitations", group_id=world.group.pk
    )
    assert Membership.objects.get(user=newcomer, group=world.group).status == Membership.Status.LEFT
    assert client_for(newcomer).get(detail).status_code == 404
    html = client_for(world.admin).get(response["Location"]).content.decode()
    assert any(newcomer.email in row for row in texts(html, "li", data_status="revoked"))


def test_revoking_an_open_invitation_by_the_facilitator_kills_the_link(world, client_for):
    invitation = InvitationFactory(group=world.group, email="open@example.org")
    token_url = _url("invitation_accept", token=services.invitation_token(invitation))
    url = _url("invitation_revoke", group_id=world.group.pk, invitation_id=invitation.pk)
    assert client_for(world.facilitator).post(url).status_code == 302
    assert client_for(None).get(token_url).status_code == 410


def test_an_expired_invitation_offers_no_revoke_button(world, client_for):
    invitation = InvitationFactory(group=world.group, expires_at=timezone.now() - timedelta(days=1))
    page = client_for(world.admin).get(
        _url("invitation_revoke", group_id=world.group.pk, invitation_id=invitation.pk)
    )
    assert page.status_code == 200
    with pytest.raises(AssertionError, match="no form"):
        rendered_form(page.content.decode(), id="revoke-form")


def test_revoke_page_query_budget(world, client_for, django_assert_max_num_queries):
    _invitations_of_every_kind(world.group, 3)
    user = UserFactory()
    invitation = InvitationFactory(group=world.group, email=user.email)
    services.invitation_accept(invitation_id=invitation.pk, user=user)
    client = client_for(world.facilitator)
    with django_assert_max_num_queries(REVOKE_BUDGET):
        response = client.get(_url("invitation_revoke", group_id=world.group.pk, invitation_id=invitation.pk))
    assert response.status_code == 200


# --- roles ----------------------------------------------------------------------------------------------


def test_admin_makes_a_member_facilitator(world, client_for):
    client = client_for(world.admin)
    membership = world.membership(world.member)
    detail = client.get(_url("detail", group_id=world.group.pk)).content.decode()
    url = _url("membership_role", group_id=world.group.pk, membership_id=membership.pk)
    assert f'href="{url}"' in detail
    form = rendered_form(client.get(url).content.decode(), "role")
    assert form.data["role"] == "member"
    response = client.post(url, {**post_data(form), "role": "facilitator"})
    assert response.status_code == 302
    assert world.membership(world.member).role == Membership.Role.FACILITATOR
    # The new facilitator reaches the facilitator's pages at once.
    assert client_for(world.member).get(_url("invitations", group_id=world.group.pk)).status_code == 200


def test_facilitator_sees_no_role_links(world, client_for):
    membership = world.membership(world.member)
    html = client_for(world.facilitator).get(_url("detail", group_id=world.group.pk)).content.decode()
    assert _url("membership_role", group_id=world.group.pk, membership_id=membership.pk) not in html


@pytest.mark.parametrize(
    ("who", "role", "message"),
    [
        (
            "facilitator",
            "member",
            "Dit is de enige intervisiebegeleider van de groep. Maak eerst iemand anders begeleider.",
        ),
        ("member", "eigenaar", "Selecteer een geldige keuze. eigenaar is geen beschikbare keuze."),
    ],
)
def test_role_errors_are_shown_at_the_field(world, client_for, who, role, message):
    membership = world.membership(getattr(world, who))
    url = _url("membership_role", group_id=world.group.pk, membership_id=membership.pk)
    response = client_for(world.admin).post(url, {"role": role})
    assert response.status_code == 400
    assert _error(response.content.decode(), "role") == message
    assert Membership.objects.get(pk=membership.pk).role == membership.role


def test_role_page_query_budget(world, client_for, django_assert_max_num_queries):
    MembershipFactory.create_batch(10, group=world.group)
    membership = world.membership(world.member)
    client = client_for(world.admin)
    with django_assert_max_num_queries(ROLE_BUDGET):
        response = client.get(_url("membership_role", group_id=world.group.pk, membership_id=membership.pk))
    assert response.status_code == 200


def test_group_page_as_admin_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    small = GroupFactory(organisation=world.group.organisation, size_limit=20)
    MembershipFactory.create_batch(2, group=small)
    large = GroupFactory(organisation=world.group.organisation, size_limit=20)
    MembershipFactory.create_batch(15, group=large)
    client = client_for(world.admin)
    few = _queries(client, _url("detail", group_id=small.pk))
    with django_assert_max_num_queries(DETAIL_AS_ADMIN_BUDGET):
        many = _queries(client, _url("detail", group_id=large.pk))
    assert few == many


# --- the size limit on the pages ------------------------------------------------------------------------


def test_accepting_into_a_full_group_is_a_400_that_keeps_the_name(world, client):
    invitation = InvitationFactory(group=world.group, email="te-laat@example.org")
    Group.objects.filter(pk=world.group.pk).update(size_limit=2, quorum=2)  # facilitator + member: full
    url = _url("invitation_accept", token=services.invitation_token(invitation))
    data = {
        "display_name": "Tessa te Laat",
        "password1": "een-lang-wachtwoord",
        "password2": "een-lang-wachtwoord",
        "accept": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "De groep is vol (maximaal 2 deelnemers)." in texts(html, "div", class_="alert-block")[0]
    assert rendered_form(html, "display_name").data["display_name"] == "Tessa te Laat"
    assert not Membership.objects.filter(group=world.group, user__email="te-laat@example.org").exists()
