"""The permission matrix of Django admin (``/beheer/``): superusers only.

Walks ``admin.site._registry`` and the admin URLconf: every registered model needs a row in ``MODELS``
(the object whose pages are opened and what a superuser may do with it), every named admin URL is covered
by a model page or by ``SITE_ROWS``. Each page is requested by every role; everyone but an active superuser
gets what Django gives a visitor without admin permission (a redirect to the admin login page). The bodies
never hold another organisation's names or any casus title (seeded as markers), not even for a superuser.
The main matrix (tests/test_permission_matrix.py) leaves the ``admin`` namespace to this module.
"""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group as AuthGroup
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.admin_site import SuperuserAdminSite
from casussen.models import Casus
from groups.models import Invitation, Membership
from notifications.models import Alert, GroupNotificationSettings, Kind, Outbox
from privacy.models import PurgeLog
from sessions.models import RSVP, Attendance, DoorvraagPrompt, Method, Presenter
from tests.casussen.factories import CasusFactory
from tests.factories import (
    FacilitatorFactory,
    GroupFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.sessions.factories import ScheduleFactory, SessionFactory

ROLES = ("anonymous", "member", "facilitator", "admin", "admin_other", "superuser")
PAGES = ("changelist", "popup", "add", "change", "change_post", "delete", "history", "autocomplete")
DENIED = "login"  # Django admin's answer to a visitor without admin permission: its login page


@dataclass
class Tenant:
    tag: str
    organisation: object
    group: object
    member: object
    facilitator: object
    admin: object
    session: object
    casus_title: str

    @property
    def markers(self) -> list[str]:
        return [self.organisation.name, self.group.name, self.member.display_name, self.casus_title]


def _tenant(tag: str) -> Tenant:
    organisation = OrganisationFactory(name=f"Organisatie-{tag}-merkteken")
    group = GroupFactory(organisation=organisation, name=f"Groep-{tag}-merkteken")
    member = MembershipFactory(group=group, user__display_name=f"Deelnemer-{tag}-merkteken").user
    facilitator = FacilitatorFactory(group=group, user__display_name=f"Begeleider-{tag}-merkteken").user
    admin_user = OrganisationAdminFactory(organisation=organisation, user__display_name=f"Beheer-{tag}").user
    session = SessionFactory(group=group, facilitator=facilitator, location=f"Kamer-{tag}-merkteken")
    ScheduleFactory(group=group)
    title = f"Casustitel-{tag}-geheim"
    CasusFactory(group=group, author=member, title=title, session=session, status=Casus.Status.BOOKED)
    RSVP.objects.create(session=session, user=member, answer=RSVP.Answer.ATTEND)
    Attendance.objects.create(session=session, user=member, status=Attendance.Status.PRESENT)
    Presenter.objects.create(session=session, user=member, slot=1)
    InvitationFactory(group=group, email=f"uitnodiging-{tag}@example.org")
    alert = Alert.objects.create(group=group, rule=Alert.Rule.QUORUM, subject_key=f"session:{session.pk}")
    alert.session = session
    alert.save()
    Outbox.objects.create(
        kind=Kind.REMINDER_FIRST,
        recipient=member,
        subject_key=f"session:{session.pk}",
        group=group,
        session=session,
        due_at=timezone.now() + timedelta(days=1),
    )
    Outbox.objects.create(
        kind=Kind.ATTENDANCE_ALERT,
        recipient=facilitator,
        subject_key=f"alert:{alert.pk}",
        group=group,
        alert=alert,
        due_at=timezone.now(),
    )
    GroupNotificationSettings.objects.create(group=group)
    return Tenant(tag, organisation, group, member, facilitator, admin_user, session, title)


@dataclass
class AdminWorld:
    mine: Tenant
    theirs: Tenant
    superuser: object

    def user(self, role: str):
        return {
            "anonymous": None,
            "member": self.mine.member,
            "facilitator": self.mine.facilitator,
            "admin": self.mine.admin,
            "admin_other": self.theirs.admin,
            "superuser": self.superuser,
        }[role]


@pytest.fixture
def admin_world(db) -> AdminWorld:
    mine, theirs = _tenant("eigen"), _tenant("vreemd")
    PurgeLog.objects.create(kind=PurgeLog.Kind.RETENTION, count=1)
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        fields = {"user_agent": "test", "ip_address": "127.0.0.1", "username": "x@example.org"}
        fields |= {"http_accept": "*/*", "path_info": "/account/inloggen/"}
        if model is AccessAttempt:
            fields |= {"get_data": "", "post_data": "", "failures_since_start": 1}
        model.objects.create(**fields)
    superuser = UserFactory(is_staff=True, is_superuser=True, display_name="Superbeheer")
    return AdminWorld(mine, theirs, superuser)


@dataclass(frozen=True)
class ModelRow:
    """What a superuser may do with a registered model in admin; ``obj`` picks the object (of the first
    organisation where the model has one). Status codes: add and delete pages, and posting the change form."""

    obj: object  # callable(AdminWorld) -> instance
    add: int
    delete: int
    change_post: int


ALLOWED, FORBIDDEN, FORM_ERRORS, SAVED = 200, 403, 200, 302
EDITABLE = {"add": ALLOWED, "delete": ALLOWED, "change_post": FORM_ERRORS}
READ_ONLY = {"add": FORBIDDEN, "delete": FORBIDDEN, "change_post": FORBIDDEN}

# django-axes' own admin: its records' fields are all read-only, so posting the change form saves nothing.
MODELS: dict[str, ModelRow] = {
    "auth.Group": ModelRow(lambda w: AuthGroup.objects.get_or_create(name="Rol")[0], **EDITABLE),
    "axes.AccessAttempt": ModelRow(
        lambda w: AccessAttempt.objects.first(), add=FORBIDDEN, delete=ALLOWED, change_post=SAVED
    ),
    "axes.AccessLog": ModelRow(
        lambda w: AccessLog.objects.first(), add=FORBIDDEN, delete=ALLOWED, change_post=SAVED
    ),
    "axes.AccessFailureLog": ModelRow(
        lambda w: AccessFailureLog.objects.first(), add=FORBIDDEN, delete=ALLOWED, change_post=SAVED
    ),
    "accounts.User": ModelRow(lambda w: w.mine.member, **EDITABLE),
    "groups.Organisation": ModelRow(lambda w: w.mine.organisation, **EDITABLE),
    # Created and configured by the organisation's beheerders in the app (group_create / group_update).
    "groups.Group": ModelRow(lambda w: w.mine.group, **READ_ONLY),
    # Memberships come only from an accepted invitation (the app's service).
    "groups.Membership": ModelRow(
        lambda w: Membership.objects.filter(group=w.mine.group).first(), **READ_ONLY
    ),
    # Added through the invitation service; accepting and revoking are the app's.
    "groups.Invitation": ModelRow(
        lambda w: Invitation.objects.filter(group=w.mine.group).first(),
        add=ALLOWED,
        delete=FORBIDDEN,
        change_post=FORBIDDEN,
    ),
    "meetings.Method": ModelRow(lambda w: Method.objects.first(), **EDITABLE),
    "meetings.DoorvraagPrompt": ModelRow(
        lambda w: (
            DoorvraagPrompt.objects.first() or DoorvraagPrompt.objects.create(text_nl="Wat", text_en="What")
        ),
        **EDITABLE,
    ),
    "meetings.Schedule": ModelRow(lambda w: w.mine.group.schedule, **READ_ONLY),
    "meetings.Session": ModelRow(lambda w: w.mine.session, **READ_ONLY),
    "meetings.Presenter": ModelRow(lambda w: Presenter.objects.get(session=w.mine.session), **READ_ONLY),
    # Read-only apart from the retry actions (tests/notifications/test_admin_retry.py).
    "notifications.Outbox": ModelRow(
        lambda w: Outbox.objects.filter(session=w.mine.session).first(), **READ_ONLY
    ),
    "notifications.Alert": ModelRow(lambda w: Alert.objects.get(group=w.mine.group), **READ_ONLY),
    "notifications.GroupNotificationSettings": ModelRow(
        lambda w: GroupNotificationSettings.objects.get(group=w.mine.group), **READ_ONLY
    ),
    "privacy.PurgeLog": ModelRow(lambda w: PurgeLog.objects.first(), **READ_ONLY),
}


def _registered() -> dict[str, admin.ModelAdmin]:
    return {model._meta.label: model_admin for model, model_admin in admin.site._registry.items()}


def _autocomplete_source(model) -> tuple[str, str, str] | None:
    """A foreign key somewhere that points to ``model`` (what an autocomplete widget for it would name)."""
    for source in apps.get_models():
        for field in source._meta.get_fields():
            if (
                field.is_relation
                and field.concrete
                and field.related_model is model
                and not field.auto_created
            ):
                return source._meta.app_label, source._meta.model_name, field.name
    return None


def _admin_url_names(patterns=None, inside=False) -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            names |= _admin_url_names(pattern.url_patterns, inside or pattern.namespace == "admin")
        elif isinstance(pattern, URLPattern) and pattern.name and inside:
            names.add(f"admin:{pattern.name}")
    return names


def _model_url_names() -> set[str]:
    return {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
        for model in admin.site._registry
        for page in ("changelist", "add", "change", "delete", "history")
    }


@dataclass(frozen=True)
class SiteRow:
    name: str
    method: str = "get"
    args: object = lambda w: []  # callable(AdminWorld) -> URL args
    denied: object = DENIED  # what everyone but the superuser gets
    superuser: int = 200
    redirect: str = "admin:index"  # where a 302 leads everyone but the superuser
    superuser_redirect: str = "admin:index"


LOGOUT_REDIRECT_URL = settings.LOGOUT_REDIRECT_URL

SITE_ROWS = [
    SiteRow("admin:index"),
    # The login page answers everyone; a superuser is sent on to the index.
    SiteRow("admin:login", denied=200, superuser=302),
    # Django sends a visitor without admin permission from the logout URL to the index (and so to login);
    # a superuser is logged out and sent to the app's login page.
    SiteRow("admin:logout", method="post", denied=302, superuser=302, superuser_redirect=LOGOUT_REDIRECT_URL),
    SiteRow("admin:auth_user_password_change", args=lambda w: [w.mine.member.pk]),
    SiteRow("admin:password_change"),
    SiteRow("admin:password_change_done"),
    SiteRow("admin:jsi18n"),
    # No model here has get_absolute_url: the shortcut is a 404 for the superuser.
    SiteRow(
        "admin:view_on_site",
        args=lambda w: [ContentType.objects.get_for_model(w.mine.group).pk, w.mine.group.pk],
        superuser=404,
    ),
    *[
        SiteRow("admin:app_list", args=lambda w, label=label: [label])
        for label in sorted({model._meta.app_label for model in admin.site._registry})
    ],
    SiteRow("admin:autocomplete", args=lambda w: [], superuser=403),  # without parameters: refused
]


def test_the_admin_site_admits_superusers_only():
    assert isinstance(
        admin.site._wrapped if hasattr(admin.site, "_wrapped") else admin.site, SuperuserAdminSite
    )


def test_every_registered_model_has_a_row():
    registered = set(_registered())
    assert not registered - set(MODELS), f"admin models without a row: {sorted(registered - set(MODELS))}"
    assert not set(MODELS) - registered, f"rows for models not in admin: {sorted(set(MODELS) - registered)}"


def test_every_admin_url_is_covered():
    covered = _model_url_names() | {row.name for row in SITE_ROWS}
    missing = sorted(_admin_url_names() - covered)
    assert not missing, f"admin URLs without a row: {missing}"


def _login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _requests(label: str, world: AdminWorld):
    """(page, method, url, data) for every page of one model."""
    model = apps.get_model(label)
    model_admin = _registered()[label]
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    obj = MODELS[label].obj(world)
    assert obj is not None, f"{label}: the seed has no object"
    changelist = reverse(f"{prefix}_changelist")
    yield "changelist", "get", changelist, {}
    yield "popup", "get", changelist, {"_to_field": model._meta.pk.attname, "_popup": "1"}
    yield "add", "get", reverse(f"{prefix}_add"), {}
    yield "change", "get", reverse(f"{prefix}_change", args=[obj.pk]), {}
    yield "change_post", "post", reverse(f"{prefix}_change", args=[obj.pk]), {"_save": "1"}
    yield "delete", "get", reverse(f"{prefix}_delete", args=[obj.pk]), {}
    yield "history", "get", reverse(f"{prefix}_history", args=[obj.pk]), {}
    source = _autocomplete_source(model)
    if model_admin.search_fields and source is not None:
        app_label, model_name, field_name = source
        yield (
            "autocomplete",
            "get",
            reverse("admin:autocomplete"),
            {
                "app_label": app_label,
                "model_name": model_name,
                "field_name": field_name,
                "term": "",
            },
        )


def _expected(label: str, page: str, role: str):
    if role != "superuser":
        return DENIED
    row = MODELS[label]
    return {"add": row.add, "delete": row.delete, "change_post": row.change_post}.get(page, 200)


def _check(response, *, expected, url, world: AdminWorld, role: str) -> list[str]:
    problems = []
    if expected == DENIED:
        location = response.get("Location", "")
        target = f"{reverse('admin:login')}?next="
        if response.status_code != 302 or not location.startswith(target):
            problems.append(f"expected the admin login redirect, got {response.status_code} {location!r}")
        elif quote(url, safe="/") not in location:
            problems.append(f"login redirect does not come back to {url}: {location!r}")
    elif response.status_code != expected:
        problems.append(f"expected {expected}, got {response.status_code}")
    body = response.content.decode()
    secret = [world.mine.casus_title, world.theirs.casus_title]
    if role != "superuser":  # names of no organisation at all, the own one included
        secret += world.mine.markers + world.theirs.markers
    problems += [f"{marker!r} in the body" for marker in secret if marker in body]
    return problems


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("label", sorted(MODELS))
def test_model_pages(label, role, admin_world, client):
    if label not in _registered():
        pytest.fail(f"{label} has a row but is not registered in admin")
    client = _login(client, admin_world.user(role))
    problems = []
    for page, method, url, data in _requests(label, admin_world):
        response = getattr(client, method)(url, data)
        expected = _expected(label, page, role)
        problems += [
            f"{page}: {p}" for p in _check(response, expected=expected, url=url, world=admin_world, role=role)
        ]
    assert not problems, f"{label} as {role}: {problems}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("row", SITE_ROWS, ids=lambda row: row.name)
def test_site_pages(row, role, admin_world, client):
    client = _login(client, admin_world.user(role))
    url = reverse(row.name, args=row.args(admin_world))
    response = getattr(client, row.method)(url)
    expected = row.superuser if role == "superuser" else row.denied
    if expected == 302:
        target = reverse(row.superuser_redirect if role == "superuser" else row.redirect)
        assert response.status_code == 302 and response["Location"] == target, response
        return
    problems = _check(response, expected=expected, url=url, world=admin_world, role=role)
    assert not problems, f"{row.name} as {role}: {problems}"


@pytest.mark.parametrize("role", ["member", "admin", "admin_other"])
def test_the_login_page_tells_a_logged_in_user_without_admin_rights(role, admin_world, client):
    """What the redirect leads to: Django's login page, which says the account has no access here."""
    user = admin_world.user(role)
    client = _login(client, user)
    response = client.get(reverse("admin:groups_group_changelist"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("admin:login"))
    assert response.status_code == 200
    assert response.context["form"].__class__.__name__ == "AdminAuthenticationForm"
    assert response.context["user"] == user  # logged in, and still not let in
    body = response.content.decode()
    assert not [m for m in admin_world.mine.markers + admin_world.theirs.markers if m in body]
