"""Demo data (``seed_demo`` calls ``seed`` per demo group): a private draft, two queued casussen, one of
them booked onto the next session with a werkvorm chosen. Idempotent: a group with casussen is skipped."""

import contextlib

from django.utils import timezone

from groups.models import Membership
from sessions import services as session_services
from sessions.models import Method, Session

from . import services
from .models import Casus
from .services import CasusError

DEMO = [
    {
        "title": "Grenzen aangeven bij een veeleisende ouder",
        "situatie": "Een ouder belt mij dagelijks buiten werktijd en verwacht direct antwoord.",
        "kernvraag": "Hoe kan ik mijn grenzen aangeven zonder het contact te verliezen?",
        "tried": "Ik heb mijn werktijden genoemd, maar ik neem toch vaak op.",
        "wish": Casus.Wish.ADVICE,
    },
    {
        "title": "Overdracht die steeds misgaat",
        "situatie": "Bij de overdracht tussen diensten vallen afspraken weg.",
        "kernvraag": "Wat maakt dat ik niet aanspreek wat ik zie?",
        "tried": "",
        "wish": Casus.Wish.QUESTIONS,
    },
    {
        "title": "Twijfel over een melding",
        "situatie": "Ik twijfel of ik een zorg moet melden.",
        "kernvraag": "",
        "tried": "",
        "wish": Casus.Wish.MIRROR,
    },
]


def seed(*, group, users) -> None:
    if Casus.objects.filter(group=group).exists():
        return
    members = [
        m.user
        for m in Membership.objects.filter(
            group=group, status=Membership.Status.ACTIVE, role=Membership.Role.MEMBER
        ).select_related("user")
    ]
    if len(members) < 3:
        return
    submitted = []
    for author, data in zip(members, DEMO, strict=False):
        casus = services.casus_create(group=group, author=author, data=data)
        if data["kernvraag"]:
            submitted.append(services.casus_submit(casus=casus))
    upcoming = Session.objects.filter(
        group=group, status=Session.Status.PLANNED, starts_at__gt=timezone.now()
    ).order_by("starts_at")
    session = upcoming.first()
    if session is None:
        return
    method = Method.objects.filter(slug="incidentmethode").first()
    if method is not None and session.method_id is None:
        session_services.session_method_set(session=session, method=method)
    with contextlib.suppress(CasusError):
        services.casus_book(casus=submitted[0], session=session)
