"""Django admin is for superusers only: an organisation's beheerder (is_staff) gets the admin login page,
and even a superuser changes memberships, sessions and the outbox only through the app's services (so
admin shows them read-only) and adds invitations through the invitation service."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Invitation, Membership
from notifications import sweep
from tests.factories import (
    GroupFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.sessions.factories import SessionFactory


class _Form(HTMLParser):
    """The values a browser would post from the page's form with id ``form_id``."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.data = form_id, False, {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "checkbox", "file"):
            self.data[attrs["name"]] = attrs.get("value") or ""
        elif tag == "input" and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.data[attrs["name"]] = attrs.get("value") or "on"
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.data[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def form_data(html: str, form_id: str) -> dict:
    parser = _Form(form_id)
    parser.feed(html)
    return parser.data


@pytest.fixture
def two_orgs(db):
    mine, theirs = OrganisationFactory(name="Eigen Zorg"), OrganisationFactory(name="Vreemde Zorg")
    my_group = GroupFactory(organisation=mine, name="Groep Eigen")
    their_group = GroupFactory(organisation=theirs, name="Groep Vreemd")
    return {
        "beheerder": OrganisationAdminFactory(organisation=mine).user,
        "superuser": UserFactory(is_staff=True, is_superuser=True),
        "my_group": my_group,
        "their_group": their_group,
        "my_member": MembershipFactory(group=my_group),
        "their_member": MembershipFactory(group=their_group),
    }


def _url(name, *args):
    return reverse(f"admin:{name}", args=args)


def test_beheerder_is_sent_to_the_admin_login(client, two_orgs):
    beheerder = two_orgs["beheerder"]
    assert beheerder.is_staff
    client.force_login(beheerder)
    for url in (
        _url("index"),
        _url("groups_group_changelist"),
        _url("groups_group_change", two_orgs["my_group"].pk),
        _url("groups_membership_add"),
        _url("notifications_outbox_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{_url('login')}?next="), url


def test_beheerder_cannot_post_a_membership_for_herself(client, two_orgs):
    beheerder = two_orgs["beheerder"]
    client.force_login(beheerder)
    data = {"user": beheerder.pk, "group": two_orgs["my_group"].pk, "role": "member", "status": "active"}
    response = client.post(_url("groups_membership_add"), data)
    assert response.status_code == 302 and response["Location"].startswith(_url("login"))
    assert not Membership.objects.filter(user=beheerder).exists()


def test_inactive_superuser_is_not_admitted(client, two_orgs):
    superuser = two_orgs["superuser"]
    client.force_login(superuser)
    superuser.is_active = False
    superuser.save()
    assert client.get(_url("index")).status_code == 302


def test_superuser_sees_every_organisation(client, two_orgs):
    client.force_login(two_orgs["superuser"])
    content = client.get(_url("groups_group_changelist")).content.decode()
    assert "Groep Eigen" in content and "Groep Vreemd" in content


def test_superuser_adds_an_invitation_through_the_service(
    client, two_orgs, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(two_orgs["superuser"])
    earlier = InvitationFactory(group=two_orgs["my_group"], email="via-beheer@example.org")
    page = client.get(_url("groups_invitation_add"))
    assert page.status_code == 200
    data = form_data(page.content.decode(), "invitation_form")
    assert set(data) >= {"group", "email", "role"}
    data |= {"group": two_orgs["my_group"].pk, "email": "Via-Beheer@example.org", "role": "facilitator"}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url("groups_invitation_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = Invitation.objects.get(email="via-beheer@example.org", revoked_at__isnull=True)
    assert invitation.invited_by == two_orgs["superuser"]
    assert invitation.expires_at is not None
    earlier.refresh_from_db()
    assert earlier.revoked_at is not None  # the service revokes the open one for the same address
    assert mailoutbox == []  # sent by the outbox, not in the request
    assert sweep.sweep_once() == 1
    assert [m.to for m in mailoutbox] == [["via-beheer@example.org"]]


def test_superuser_cannot_change_or_delete_an_invitation(client, two_orgs):
    client.force_login(two_orgs["superuser"])
    invitation = InvitationFactory(group=two_orgs["my_group"])
    assert client.get(_url("groups_invitation_change", invitation.pk)).status_code == 200  # to look at
    response = client.post(_url("groups_invitation_change", invitation.pk), {"email": "ander@example.org"})
    assert response.status_code == 403
    assert client.post(_url("groups_invitation_delete", invitation.pk), {"post": "yes"}).status_code == 403
    invitation.refresh_from_db()
    assert invitation.email != "ander@example.org"


def test_superuser_cannot_make_memberships_in_admin(client, two_orgs):
    superuser, group = two_orgs["superuser"], two_orgs["my_group"]
    client.force_login(superuser)
    assert client.get(_url("groups_membership_add")).status_code == 403
    data = {"user": superuser.pk, "group": group.pk, "role": "member", "status": "active"}
    assert client.post(_url("groups_membership_add"), data).status_code == 403
    left = MembershipFactory(group=group, status=Membership.Status.LEFT, left_at=timezone.now())
    response = client.post(_url("groups_membership_change", left.pk), {**data, "user": left.user_id})
    assert response.status_code == 403
    left.refresh_from_db()
    assert left.status == Membership.Status.LEFT
    assert not Membership.objects.filter(user=superuser).exists()


def test_the_group_page_shows_members_but_changes_nothing(client, two_orgs):
    """Groups are created and configured by their organisation's beheerders in the app; the group page in
    admin shows the group and its members read-only, and a posted membership (inline) is refused."""
    superuser, group = two_orgs["superuser"], two_orgs["my_group"]
    client.force_login(superuser)
    page = client.get(_url("groups_group_change", group.pk))
    assert page.status_code == 200
    data = form_data(page.content.decode(), "group_form")
    assert not any(name.endswith(("-user", "-role", "-status", "name")) for name in data)  # nothing to edit
    (memberships,) = page.context["inline_admin_formsets"]
    assert list(memberships.formset.queryset) == [two_orgs["my_member"]]
    assert not memberships.has_add_permission and not memberships.has_change_permission
    data |= {
        "name": "Groep Eigen Hernoemd",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-1-user": superuser.pk,
        "memberships-1-role": "member",
        "memberships-1-status": "active",
    }
    assert client.post(_url("groups_group_change", group.pk), data).status_code == 403
    assert client.get(_url("groups_group_add")).status_code == 403
    group.refresh_from_db()
    assert group.name == "Groep Eigen"
    assert not Membership.objects.filter(user=superuser).exists()


def test_superuser_cannot_move_a_session_in_admin(client, two_orgs):
    client.force_login(two_orgs["superuser"])
    session = SessionFactory(group=two_orgs["my_group"])
    starts_at = session.starts_at
    assert client.get(_url("meetings_session_change", session.pk)).status_code == 200
    response = client.post(_url("meetings_session_change", session.pk), {"location": "Elders"})
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.starts_at == starts_at and session.sequence == 0
