import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Membership
from sessions.models import RSVP, Attendance, Session
from sessions.signals import session_held
from tests.factories import MembershipFactory
from tests.sessions.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def past_session(world):
    # Members who joined before the session (the register lists only them).
    Membership.objects.filter(group=world.group).update(joined_at=timezone.now() - timedelta(days=30))
    start = timezone.now() - timedelta(hours=3)
    return SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2, minutes=30))


def test_register_prefilled_from_rsvps_makes_the_session_held(world, client_for, past_session):
    late = MembershipFactory(group=world.group, joined_at=timezone.now() - timedelta(days=3)).user
    newcomer = MembershipFactory(group=world.group).user  # joined after the session: not listed
    RSVP.objects.create(session=past_session, user=world.member, answer="attend")
    RSVP.objects.create(session=past_session, user=late, answer="decline", decline_reason="busy")
    client = client_for(world.facilitator)
    url = reverse("casussen:attendance", kwargs={"session_id": past_session.pk})
    page = client.get(url).content.decode()
    assert re.search(rf'name="status_{world.member.pk}" value="present"[^>]*checked', page)
    assert f'name="status_{newcomer.pk}"' not in page
    from sessions.attendance import attendance_initial, attendance_people

    people = attendance_people(past_session)
    assert world.former_member in people  # left after the session: was a member then
    assert newcomer not in people
    initial = attendance_initial(past_session, people)
    assert initial[world.member.pk] == "present" and initial[late.pk] == "excused"
    assert initial[world.facilitator.pk] == "absent"

    heard = []

    def receiver(sender, session, **kwargs):
        heard.append(session.pk)

    session_held.connect(receiver)
    try:
        start = timezone.localtime(past_session.starts_at)
        data = {
            "started_at": (start + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
            "break_minutes": "15",
            **{f"status_{p.pk}": initial[p.pk] for p in people},
            f"status_{late.pk}": "late",
            f"status_{world.facilitator.pk}": "present",
        }
        response = client.post(url, data)
        assert response.status_code == 302
        client.post(url, data)  # registering again updates, and does not announce "held" twice
    finally:
        session_held.disconnect(receiver)
    assert heard == [past_session.pk]
    past_session.refresh_from_db()
    assert past_session.status == Session.Status.HELD
    assert past_session.net_minutes == 115 - 15
    statuses = dict(Attendance.objects.filter(session=past_session).values_list("user_id", "status"))
    assert statuses[late.pk] == "late" and statuses[world.member.pk] == "present"


def test_bad_times_are_form_errors(world, client_for, past_session):
    client = client_for(world.facilitator)
    url = reverse("casussen:attendance", kwargs={"session_id": past_session.pk})
    start = timezone.localtime(past_session.starts_at)
    response = client.post(
        url,
        {
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "break_minutes": "500",
            f"status_{world.member.pk}": "nonsense",
        },
    )
    assert response.status_code == 400
    assert "Het einde moet na het begin liggen." in response.content.decode()
    past_session.refresh_from_db()
    assert past_session.status == Session.Status.PLANNED
    assert not Attendance.objects.exists()
