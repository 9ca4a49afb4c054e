"""One-click links (attend / decline / unsubscribe) and the preference pages, over HTTP."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from notifications import kinds
from notifications.models import (
    GROUP_KINDS,
    USER_KINDS,
    GroupNotificationSettings,
    Kind,
    NotificationPreference,
    OneClickUse,
    Outbox,
)
from notifications.tokens import SALT, Action, make_token
from sessions.models import RSVP
from tests.factories import OrganisationAdminFactory

from .factories import group_with_members, plan_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminder():
    group, _, (anna,) = group_with_members(members=1)
    session = plan_session(group)
    return Outbox.objects.get(session=session, recipient=anna, kind=Kind.REMINDER_FIRST)


def url(outbox_id, action):
    return reverse("notifications:oneclick", kwargs={"token": make_token(outbox_id, action)})


def test_get_shows_a_confirm_page_and_changes_nothing(client, reminder):
    for action in Action.ALL:
        response = client.get(url(reminder.pk, action))
        assert response.status_code == 200
        assert b'method="post"' in response.content
    assert not RSVP.objects.exists()
    assert not OneClickUse.objects.exists()
    assert not NotificationPreference.objects.exists()


def test_attend_then_decline_with_reason(client, reminder):
    response = client.post(url(reminder.pk, Action.ATTEND))
    assert response.status_code == 200
    assert RSVP.objects.get(user=reminder.recipient).answer == RSVP.Answer.ATTEND
    decline = url(reminder.pk, Action.DECLINE)
    response = client.post(decline, {})
    assert response.status_code == 400  # a decline needs a reason: form error, nothing changed
    assert RSVP.objects.get(user=reminder.recipient).answer == RSVP.Answer.ATTEND
    response = client.post(decline, {"decline_reason": "busy", "decline_note": "deadline"})
    assert response.status_code == 200
    rsvp = RSVP.objects.get(user=reminder.recipient)
    assert (rsvp.answer, rsvp.decline_reason) == ("decline", "busy")
    reminder.refresh_from_db()
    assert reminder.status == "cancelled"  # the decline cancelled the member's reminders


def test_reused_link_gets_a_clear_page_and_changes_nothing(client, reminder):
    link = url(reminder.pk, Action.ATTEND)
    client.post(link)
    RSVP.objects.filter(user=reminder.recipient).update(answer="maybe")
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 410
        assert "al gebruikt" in response.content.decode()
    assert RSVP.objects.get(user=reminder.recipient).answer == "maybe"


def test_tampered_link_gets_a_clear_page(client, reminder):
    token = make_token(reminder.pk, Action.ATTEND)
    for bad in (token[:-2] + "xx", "nonsense", signing.dumps([reminder.pk, "delete"], salt=SALT)):
        for method in (client.get, client.post):
            response = method(reverse("notifications:oneclick", kwargs={"token": bad}))
            assert response.status_code == 400
            assert "niet compleet of niet geldig" in response.content.decode()
    assert not RSVP.objects.exists()


def test_expired_link_gets_a_clear_page(client, reminder):
    link = url(reminder.pk, Action.ATTEND)
    later = timezone.now() + timedelta(days=31)
    with mock.patch("time.time", return_value=later.timestamp()):
        response = client.post(link)
    assert response.status_code == 410
    assert "verlopen" in response.content.decode()
    assert not RSVP.objects.exists()


def test_link_for_a_started_session_is_closed(client, reminder):
    session = reminder.session
    session.starts_at = timezone.now() - timedelta(minutes=5)
    session.save(update_fields=["starts_at"])
    response = client.post(url(reminder.pk, Action.ATTEND))
    assert response.status_code == 410
    assert not RSVP.objects.exists()


def test_one_click_unsubscribe_post_without_csrf_token(reminder):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(url(reminder.pk, Action.UNSUBSCRIBE), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=reminder.recipient).disabled_kinds == [Kind.REMINDER_FIRST]


def _preference_fields(values) -> dict[str, list[str]]:
    """The preferences form's data: each kind under its section's field (``enabled_<audience>``)."""
    audience = {entry.value: entry.audience for entry in kinds.REGISTRY}
    fields: dict[str, list[str]] = {}
    for value in values:
        fields.setdefault(f"enabled_{audience[value]}", []).append(value)
    return fields


def _sections(html: str) -> set[str]:
    return set(re.findall(r'name="enabled_(\w+)"', html))


def test_preferences_show_each_person_the_kinds_meant_for_them(client_for):
    """A member sees the sections for every member; a facilitator also theirs; an admin also the admin's.
    Saving keeps what was stored for the kinds the person is not shown."""
    group, facilitator, (anna,) = group_with_members(members=1)
    page = reverse("notifications:preferences")
    every_member = {kinds.FOR_SESSIONS, kinds.FOR_PRESENTERS, kinds.FOR_REFLECTION}
    assert _sections(client_for(anna).get(page).content.decode()) == every_member
    assert _sections(client_for(facilitator).get(page).content.decode()) == every_member | {
        kinds.FOR_FACILITATORS
    }
    admin = OrganisationAdminFactory(organisation=group.organisation).user
    assert _sections(client_for(admin).get(page).content.decode()) == every_member | {kinds.FOR_ADMINS}

    NotificationPreference.objects.create(user=anna, disabled_kinds=[Kind.QUORUM_RISK, Kind.INVITE])
    shown = [k.value for k in USER_KINDS if kinds.spec(k.value).audience in every_member]
    client = client_for(anna)
    # She switches invites back on; a facilitator's kind she cannot see is posted too, and ignored.
    response = client.post(page, {**_preference_fields(shown), "enabled_facilitators": [Kind.QUORUM_RISK]})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=anna).disabled_kinds == [Kind.QUORUM_RISK]


def test_preferences_page(client_for, django_assert_max_num_queries):
    group, _, (anna,) = group_with_members(members=1)
    client = client_for(anna)
    page = reverse("notifications:preferences")
    with django_assert_max_num_queries(6):
        response = client.get(page)
    assert response.status_code == 200
    enabled = [k.value for k in USER_KINDS if k != Kind.REMINDER_FIRST]  # what a member may switch off
    response = client.post(page, {**_preference_fields(enabled), "digest": "on"})
    assert response.status_code == 302
    preference = NotificationPreference.objects.get(user=anna)
    assert preference.digest and preference.disabled_kinds == [Kind.REMINDER_FIRST]
    response = client.post(page, {"enabled_sessions": ["no-such-kind"]})
    assert response.status_code == 400
    assert NotificationPreference.objects.get(user=anna).disabled_kinds == [Kind.REMINDER_FIRST]


def test_group_settings_page(client_for, django_assert_max_num_queries):
    group, facilitator, _ = group_with_members(members=5)
    client = client_for(facilitator)
    page = reverse("notifications:group_settings", kwargs={"group_id": group.pk})
    with django_assert_max_num_queries(8):
        assert client.get(page).status_code == 200
    enabled = [k.value for k in GROUP_KINDS if k != Kind.NO_CASUS]  # what a group may switch off
    assert client.post(page, {"enabled": enabled, "no_casus_days": 6}).status_code == 302
    settings_row = GroupNotificationSettings.objects.get(group=group)
    assert settings_row.disabled_kinds == [Kind.NO_CASUS] and settings_row.no_casus_days == 6
    response = client.post(page, {"enabled": enabled, "no_casus_days": 0})
    assert response.status_code == 400
    assert GroupNotificationSettings.objects.get(group=group).no_casus_days == 6


def test_profile_links_to_preferences(client_for):
    group, _, (anna,) = group_with_members(members=1)
    response = client_for(anna).get(reverse("accounts:profile"))
    assert reverse("notifications:preferences").encode() in response.content


@pytest.fixture
def marked_reminder():
    """A reminder for a session whose group name and place are unique strings."""
    group, _, (anna,) = group_with_members(members=1, name="Groep Merkteken Noordster")
    session = plan_session(group, location="Zaal Merkteken Korenbloem")
    return Outbox.objects.get(session=session, recipient=anna, kind=Kind.REMINDER_FIRST)


def _names_the_session(body: str, session) -> bool:
    """The group name, the place, the date as the page writes it, or the page's line about the session."""
    from django.template.defaultfilters import date as date_filter
    from django.utils import translation

    with translation.override("nl"):
        day = date_filter(timezone.localtime(session.starts_at), "j F Y")
    return any(text in body for text in ("Groep Merkteken Noordster", "Zaal Merkteken Korenbloem", day)) or (
        'id="oneclick-session"' in body
    )


def test_a_removed_members_link_no_longer_works_and_names_nothing(client, marked_reminder):
    from groups.models import Membership
    from groups.services import membership_deactivate

    session = marked_reminder.session
    attend = url(marked_reminder.pk, Action.ATTEND)
    decline = url(marked_reminder.pk, Action.DECLINE)
    assert _names_the_session(client.get(attend).content.decode(), session)  # while a member: it does
    membership_deactivate(
        membership=Membership.objects.get(user=marked_reminder.recipient, group=session.group)
    )
    for link in (attend, decline):
        response = client.get(link)
        assert response.status_code == 410
        body = response.content.decode()
        assert not _names_the_session(body, session)
        assert [t.name for t in response.templates][0] == "notifications/oneclick_invalid.html"
        assert response.context["error"].code == "gone"
        response = client.post(link, {"decline_reason": "busy"})
        assert response.status_code == 410
        assert not _names_the_session(response.content.decode(), session)
    assert not RSVP.objects.exists()
    assert not OneClickUse.objects.exists()


def test_a_removed_member_can_still_unsubscribe_without_seeing_the_session(client, marked_reminder):
    from groups.models import Membership
    from groups.services import membership_deactivate

    session = marked_reminder.session
    membership_deactivate(
        membership=Membership.objects.get(user=marked_reminder.recipient, group=session.group)
    )
    link = url(marked_reminder.pk, Action.UNSUBSCRIBE)
    response = client.get(link)
    assert response.status_code == 200 and b'method="post"' in response.content
    assert not _names_the_session(response.content.decode(), session)
    assert client.post(link).status_code == 200
    assert NotificationPreference.objects.get(user=marked_reminder.recipient).disabled_kinds == [
        Kind.REMINDER_FIRST
    ]
