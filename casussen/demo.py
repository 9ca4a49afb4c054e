"""Demo data (``seed_demo`` calls ``seed`` per demo group): a casus discussed at every held session (its
text purged once past the group's retention, as the daily purge would have), a private draft, two queued
casussen, one of them booked onto the next session with a werkvorm chosen. Idempotent: a held session with
a casus and a group with casussen waiting are skipped."""

import contextlib
from datetime import timedelta

from django.utils import timezone

from groups.models import Membership
from sessions import services as session_services
from sessions.models import Method, Presenter, Session

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


HISTORY = [
    ("Een cliënt die steeds afzegt", "Hoe houd ik contact zonder te gaan trekken?"),
    ("Een collega die mijn werk overdoet", "Hoe spreek ik dit aan zonder de samenwerking te schaden?"),
    ("Nee zeggen tegen extra taken", "Wat maakt dat ik steeds ja zeg?"),
    ("Een gesprek dat uit de hand liep", "Wat had ik eerder kunnen doen?"),
]


def discussed_history(*, group) -> None:
    """A discussed casus of each held session's presenter (purged when older than the retention)."""
    cutoff = services.casus_purge_cutoff(group)
    with_casus = Casus.objects.filter(group=group, session__isnull=False).values("session_id")
    presenters = (
        Presenter.objects.filter(session__group=group, session__status=Session.Status.HELD)
        .exclude(session_id__in=with_casus)
        .select_related("session")
    )
    made = []
    for n, presenter in enumerate(presenters):
        session = presenter.session
        title, kernvraag = HISTORY[(session.pk + n) % len(HISTORY)]
        casus = Casus(
            group=group,
            author_id=presenter.user_id,
            session=session,
            created_at=session.starts_at - timedelta(days=20),
            submitted_at=session.starts_at - timedelta(days=19),
            booked_at=session.starts_at - timedelta(days=14),
            discussed_at=session.actual_ended_at or session.ends_at,
        )
        if session.starts_at < cutoff:
            casus.status, casus.purged_at = Casus.Status.PURGED, session.starts_at + timedelta(days=366)
        else:
            casus.status = Casus.Status.DISCUSSED
            casus.title, casus.kernvraag = title, kernvraag
            casus.situatie = "Een situatie uit mijn werk die me bezighoudt."
            casus.takeaways = "Eerst doorvragen, dan pas oplossen."
            casus.action_1 = "Het gesprek deze week opnieuw aangaan."
        made.append(casus)  # the database's constraints check them
    Casus.objects.bulk_create(made)


def seed(*, group, users) -> None:
    discussed_history(group=group)
    if Casus.objects.filter(group=group).exclude(session__status=Session.Status.HELD).exists():
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
