"""Through the casussen app's real attendance service: the figures follow registration and corrections."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.models import SessionStats
from groups.models import Membership
from sessions.attendance import attendance_register
from sessions.models import Attendance
from tests.sessions.factories import SessionFactory

P, A = Attendance.Status.PRESENT, Attendance.Status.ABSENT


def test_registration_and_correction_update_the_dashboard(world, client_for):
    start = timezone.now() - timedelta(days=2)
    Membership.objects.filter(group=world.group).update(joined_at=start - timedelta(days=30))
    session = SessionFactory(group=world.group, starts_at=start, ends_at=start + timedelta(hours=2))
    kwargs = {"started_at": start, "ended_at": start + timedelta(minutes=130), "break_minutes": 10}
    statuses = {world.facilitator.pk: P, world.member.pk: A}
    attendance_register(session=session, statuses=statuses, registered_by=world.facilitator, **kwargs)
    stats = SessionStats.objects.get(session=session)  # written by the session_held receiver
    assert stats.attendance_rate == pytest.approx(0.5)
    assert stats.net_minutes == 120

    statuses[world.member.pk] = P  # a correction afterwards (no second session_held)
    attendance_register(session=session, statuses=statuses, registered_by=world.facilitator, **kwargs)
    response = client_for(world.facilitator).get(reverse("dashboards:group", args=[world.group.pk]))
    (held,) = response.context["dash"].held
    assert held.stats.attendance_rate == pytest.approx(1.0)
