"""Deleting a real account: one built through the real flows (invitation accepted via its link, login, RSVPs,
registrations on the profile page, a casus submitted and presented, live questions, advice and a parked
topic, a vote, reflections, a follow-up, an attendance alert about the member) is deleted on the privacy
page, and afterwards no text field of any model holds the member's e-mail address, name, registration
numbers, casus text or reflection text."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from accounts.models import User
from groups import services as group_services
from notifications.alerts import alert_scan
from notifications.models import Alert, Outbox
from privacy.models import PurgeLog
from sessions.models import Method
from tests.casussen.factories import CasusFactory, booked_casus, start_live
from tests.factories import MembershipFactory
from tests.notifications.factories import plan_session
from tests.reflections.factories import SCORES
from tests.sessions.factories import held_session

pytestmark = pytest.mark.django_db

EMAIL = "Noor.Wisbaar@Example.org"
NAME = "Noor Merkteken-Wisbaar"
PASSWORD = "Wisbaar-wachtwoord-42"  # noqa: S105
PERSONAL = {
    "email": EMAIL.lower(),
    "name": NAME,
    "decline_note": "Afmelding Merkteken Kraanvogel",
    "casus_title": "Casus Merkteken Otter",
    "situatie": "Situatie Merkteken Bever",
    "kernvraag": "Kernvraag Merkteken Das?",
    "advice": "Advies Merkteken Egel",
    "takeaway": "Les Merkteken Vos",
    "what_changed": "Verandering Merkteken Hermelijn",
    "registration_number": "SKJ-MERKTEKEN-4711",
    "other_register": "Register Merkteken Wezel",
}
TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def where_found(markers: dict[str, str]) -> dict[str, list[str]]:
    """marker key -> ["app.Model.field", ...] for every text field of every model that holds it."""
    found: dict[str, list[str]] = {key: [] for key in markers}
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, TEXT_FIELDS)]
        if not fields:
            continue
        for row in model._default_manager.values_list(*(f.attname for f in fields)):
            for field, value in zip(fields, row, strict=True):
                text = str(value).lower() if value is not None else ""
                for key, marker in markers.items():
                    if marker.lower() in text:
                        found[key].append(f"{model._meta.label}.{field.name}")
    return found


def _ok(response, status=302):
    assert response.status_code == status, (response.status_code, response.content[:500])
    return response


def build_real_account(world, client):
    """The member's account and what it builds up, through the pages (and the alert scan)."""
    group, facilitator = world.group, world.facilitator
    invitation = group_services.invitation_create(
        group=group, email=EMAIL, role="member", invited_by=facilitator
    )
    accept = reverse("groups:invitation_accept", args=[group_services.invitation_token(invitation)])
    client.logout()
    _ok(client.get(accept), 200)
    _ok(
        client.post(
            accept, {"display_name": NAME, "password1": PASSWORD, "password2": PASSWORD, "accept": "on"}
        )
    )
    member = User.objects.get(email__iexact=EMAIL)
    # A later login, one wrong password first (the login throttle records both under the address).
    client.logout()
    refused = client.post(reverse("accounts:login"), {"username": EMAIL, "password": "verkeerd"})
    assert refused.status_code in (200, 400)  # the form again, with its error
    _ok(client.post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD}))
    # Registrations for the accreditation exports, on the profile page.
    save = reverse("accounts:registration_save")
    _ok(client.post(save, {"register": "skj", "number": PERSONAL["registration_number"]}))
    _ok(
        client.post(
            save, {"register": "other", "other_register_name": PERSONAL["other_register"], "number": "7"}
        )
    )

    upcoming = plan_session(group)  # reminders for the member in the outbox
    rsvp = reverse("sessions:rsvp", kwargs={"session_id": upcoming.pk})
    _ok(
        client.post(
            rsvp, {"answer": "decline", "decline_reason": "busy", "decline_note": PERSONAL["decline_note"]}
        )
    )
    later = plan_session(group, starts_at=upcoming.starts_at + timedelta(days=14))
    _ok(client.post(reverse("sessions:rsvp", kwargs={"session_id": later.pk}), {"answer": "attend"}))

    _ok(
        client.post(
            reverse("casussen:create", kwargs={"group_id": group.pk}),
            {
                "title": PERSONAL["casus_title"],
                "situatie": PERSONAL["situatie"],
                "kernvraag": PERSONAL["kernvraag"],
                "wish": "advice",
                "submit": "1",
            },
        )
    )
    _ok(client.post(reverse("sessions:presenter_claim", kwargs={"session_id": later.pk})))
    queued = CasusFactory(group=group, author=facilitator)
    _ok(client.post(reverse("casussen:vote", kwargs={"casus_id": queued.pk}), {"session": upcoming.pk}))

    # Someone else's casus in a live session: the member asks, advises and parks a topic.
    other = MembershipFactory(group=group).user
    live_session = plan_session(
        group,
        starts_at=upcoming.starts_at + timedelta(days=1),
        method=Method.objects.get(slug="incidentmethode"),
    )
    casus = booked_casus(session=live_session, author=other)
    from casussen import live

    run = start_live(session=live_session, casus=casus)
    for _ in range(3):
        run = live.live_step(run=run, action="next")
    kwargs = {"session_id": live_session.pk}
    _ok(client.post(reverse("casussen:question_add", kwargs=kwargs), {"text": "Wat maakt dit lastig?"}))
    _ok(client.post(reverse("casussen:advice_add", kwargs=kwargs), {"text": PERSONAL["advice"]}))
    _ok(client.post(reverse("casussen:parked_add", kwargs=kwargs), {"text": "Het rooster"}))

    # A reflection on a session the member attended, a follow-up on one they presented at.
    attended = held_session(group, present=[member, facilitator, other])
    _ok(
        client.post(
            reverse("reflections:write", kwargs={"session_id": attended.pk}),
            {**dict.fromkeys(SCORES, "4"), "takeaway": PERSONAL["takeaway"], "share_takeaway": "on"},
        )
    )
    presented = held_session(
        group, present=[member, facilitator], presenters=[member], ended_ago=timedelta(weeks=10)
    )
    _ok(
        client.post(
            reverse("reflections:followup", kwargs={"session_id": presented.pk}),
            {"outcome": "applied", "what_changed": PERSONAL["what_changed"]},
        )
    )
    # Missed the two latest sessions: an attendance alert about the member.
    for hours in (2, 1):
        held_session(group, present=[facilitator, other], absent=[member], ended_ago=timedelta(hours=hours))
    alert_scan()
    assert Alert.objects.filter(user=member).exists()
    assert Outbox.objects.filter(recipient=member).exists()
    return member


def test_a_real_account_is_deleted_with_all_its_personal_data(world, client):
    member = build_real_account(world, client)
    before = where_found(PERSONAL)
    assert all(before.values()), before  # the scan sees every marker while the account exists

    response = client.post(reverse("privacy:delete"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert client.get(response["Location"]).status_code == 200
    assert not User.objects.filter(pk=member.pk).exists()
    assert where_found(PERSONAL) == {key: [] for key in PERSONAL}
    log = PurgeLog.objects.get(kind=PurgeLog.Kind.ACCOUNT)
    assert log.detail["invitations_deleted"] == 1 and log.detail["casussen_deleted"] == 1
