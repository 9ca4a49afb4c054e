"""The data a query budget is measured on: the permission matrix's ``World`` plus the objects a page is
about (built lazily, only when an entry asks for them), and ``grow(n)``, which adds ``n`` more of everything
pages list: members, upcoming and held sessions, RSVPs, attendance, casussen, votes, questions, advice,
parked topics, reflections, follow-ups, alerts, invitations, e-mails, casus openings and groups."""

from datetime import timedelta
from functools import cached_property

from django.utils import timezone
from django.utils.html import escape

from casussen import live
from casussen import services as casus_services
from casussen.models import Advice, Casus, CasusVote, LiveRun, ParkedItem, Question
from groups.models import Group, Invitation
from notifications.models import Alert, Kind, Outbox
from privacy.models import CasusAccess
from reflections.models import FollowUp, Reflection
from sessions.models import RSVP, Attendance, Presenter, Session, SessionRole
from tests.casussen.factories import CasusFactory, start_live
from tests.conftest import World
from tests.factories import FacilitatorFactory, MembershipFactory
from tests.sessions.factories import SessionFactory, held_session

SCORES = dict.fromkeys(("usefulness", "depth", "candor", "safety", "stayed_intervision", "time_well_used"), 4)


def session_in(group: Group, *, days: float, hours: float = 2.5, **fields) -> Session:
    """A planned session of ``group`` ``days`` from now (SessionFactory: the incident method)."""
    start = (timezone.now() + timedelta(days=days)).replace(microsecond=0)
    return SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(hours=hours), **fields)


def reflection(session: Session, user, *, presenter: bool = False, n: int = 0) -> Reflection:
    return Reflection.objects.create(
        session=session,
        author=user,
        takeaway=f"Meegenomen {n}",
        share_takeaway=True,
        as_presenter=presenter,
        advice_fit=4 if presenter else None,
        **SCORES,
    )


def discussed_casus(session: Session, author, *, title: str) -> tuple[Casus, LiveRun]:
    """A casus discussed at a held session, with its finished live run."""
    now = timezone.now()
    casus = CasusFactory(
        group=session.group,
        author=author,
        title=title,
        status=Casus.Status.DISCUSSED,
        session=session,
        submitted_at=now - timedelta(days=30),
        booked_at=now - timedelta(days=20),
        discussed_at=session.ends_at,
        takeaways="Eerst doorvragen.",
        action_1="Bel de ouder terug.",
    )
    Presenter.objects.get_or_create(session=session, user=author, defaults={"slot": 1})
    run = LiveRun.objects.create(
        session=session,
        casus=casus,
        presenter=author,
        method=session.method,
        started_at=session.starts_at,
        phase_started_at=session.starts_at,
        finished_at=session.ends_at,
    )
    return casus, run


class Scene:
    def __init__(self, world: World):
        self.world = world
        self.group = world.group
        # Room for the members and invitations grow() and the requests add.
        Group.objects.filter(pk=self.group.pk).update(size_limit=20)
        self.group.size_limit = 20
        self.grown: list = []  # the members grow() added
        self._n = 0
        self.extra: dict = {}
        self.current: dict = {}  # what the last kwargs builder made, for the data builder
        self._requests = 0

    def memo(self, key: str, build):
        if key not in self.extra:
            self.extra[key] = build()
        return self.extra[key]

    def counter(self) -> int:
        self._requests += 1
        return self._requests

    # The objects pages are about (each built on first use).
    @cached_property
    def upcoming(self) -> Session:
        session = session_in(self.group, days=7, presenter_slots=6, facilitator=self.world.facilitator)
        RSVP.objects.create(session=session, user=self.world.member, answer=RSVP.Answer.ATTEND)
        RSVP.objects.create(
            session=session, user=self.world.facilitator, answer=RSVP.Answer.DECLINE, decline_reason="busy"
        )
        return session

    @cached_property
    def past(self) -> Session:
        """Started yesterday, attendance not registered yet."""
        session = session_in(self.group, days=-1, facilitator=self.world.facilitator)
        RSVP.objects.create(session=session, user=self.world.member, answer=RSVP.Answer.ATTEND)
        return session

    @cached_property
    def held(self) -> Session:
        """Held three hours ago (reflections open); the member presented a casus, discussed live."""
        w = self.world
        session = held_session(
            self.group,
            ended_ago=timedelta(hours=3),
            present=[w.facilitator, w.member],
            facilitator=w.facilitator,
        )
        self.held_casus, self.held_run = discussed_casus(session, w.member, title="Besproken casus")
        Question.objects.create(run=self.held_run, author=w.facilitator, text="Wat maakt het lastig?")
        Advice.objects.create(run=self.held_run, author=w.facilitator, text="Vraag eerst door.")
        reflection(session, w.facilitator)
        return session

    @cached_property
    def reflection(self) -> Reflection:
        held = self.held
        return reflection(held, self.world.member, presenter=True)

    @cached_property
    def due(self) -> Session:
        """Held long enough ago that the member, its presenter, is asked for the follow-up."""
        w = self.world
        session = held_session(
            self.group,
            ended_ago=timedelta(weeks=self.group.followup_weeks, days=1),
            present=[w.facilitator, w.member],
            facilitator=w.facilitator,
        )
        discussed_casus(session, w.member, title="Casus van toen")
        return session

    @cached_property
    def running(self) -> Session:
        """A session whose live guide runs on the member's casus, in a question phase."""
        session = session_in(self.group, days=0.01, presenter_slots=6, facilitator=self.world.facilitator)
        casus = CasusFactory(
            group=self.group, author=self.world.member, title="Live casus", kernvraag="Hoe blijf ik rustig?"
        )
        casus = casus_services.casus_book(casus=casus, session=session)
        run = start_live(session=session, casus=casus)
        for _ in range(2):
            run = live.live_step(run=run, action="next")
        self.run = run
        Question.objects.create(run=run, author=self.world.facilitator, text="Wat maakt het lastig?")
        ParkedItem.objects.create(session=session, author=self.world.facilitator, text="Roostervraag")
        return session

    @cached_property
    def casus(self) -> Casus:
        """The member's submitted casus, in the queue."""
        return CasusFactory(group=self.group, author=self.world.member, title="Mijn casus")

    @cached_property
    def others_casus(self) -> Casus:
        """The facilitator's submitted casus (others vote on it)."""
        return CasusFactory(group=self.group, author=self.world.facilitator, title="Casus van de begeleider")

    @cached_property
    def draft(self) -> Casus:
        return CasusFactory(
            group=self.group, author=self.world.member, title="Concept", status="draft", submitted_at=None
        )

    @property
    def last(self) -> int:
        """The number of the last grow() step (titles and texts it wrote end in it)."""
        return self._n

    def last_name(self) -> str:
        return escape(self.grown[-1].display_name)

    def built(self, name: str) -> bool:
        return name in self.__dict__

    # More of everything.
    def grow(self, n: int) -> None:
        for _ in range(n):
            self._grow_one()

    def _grow_one(self) -> None:
        w, group = self.world, self.group
        i = self._n = self._n + 1
        user = MembershipFactory(group=group, joined_at=timezone.now() - timedelta(days=200)).user
        self.grown.append(user)
        everyone = [w.facilitator, w.member, *self.grown]

        # Another group of the organisation with the member, the facilitator and the new user in it.
        other = Group.objects.create(organisation=group.organisation, name=f"Extra groep {i}")
        FacilitatorFactory(group=other, user=w.facilitator)
        MembershipFactory(group=other, user=w.member)
        MembershipFactory(group=other, user=user)
        later = session_in(other, days=3 + i)
        RSVP.objects.create(session=later, user=w.member, answer=RSVP.Answer.MAYBE)
        held_session(other, ended_ago=timedelta(days=5 + i), present=[w.facilitator, w.member, user])

        # An upcoming session of the group: RSVPs, a booked casus, a vote.
        upcoming = session_in(group, days=14 + i, presenter_slots=2, facilitator=w.facilitator)
        RSVP.objects.bulk_create(
            [RSVP(session=upcoming, user=w.member, answer=RSVP.Answer.ATTEND)]
            + [RSVP(session=upcoming, user=u, answer="decline", decline_reason="busy") for u in self.grown]
        )
        booked = CasusFactory(group=group, author=user, title=f"Ingepland {i}")
        casus_services.casus_book(casus=booked, session=upcoming)
        queued = CasusFactory(group=group, author=user, title=f"Wachtrij {i}")
        CasusVote.objects.create(casus=queued, session=upcoming, voter=w.member)
        CasusFactory(group=group, author=user, title=f"Concept {i}", status="draft", submitted_at=None)

        # A held session: attendance, a discussed casus with questions and advice, reflections, follow-up.
        held = held_session(
            group, ended_ago=timedelta(days=7 * i + 1), present=everyone, facilitator=w.facilitator
        )
        RSVP.objects.create(session=held, user=user, answer=RSVP.Answer.ATTEND)
        _casus, run = discussed_casus(held, user, title=f"Besproken {i}")
        SessionRole.objects.create(  # the roles' history (sessions/roles.py counts it)
            session=held, key="voorzitter", name_nl="Voorzitter", name_en="Chair", user=user
        )
        Question.objects.bulk_create([Question(run=run, author=u, text=f"Vraag {i}?") for u in everyone[:3]])
        Advice.objects.create(run=run, author=w.member, text=f"Advies {i}")
        for u in everyone:
            reflection(held, u, presenter=u == user, n=i)
        FollowUp.objects.create(session=held, presenter=user, outcome="applied", what_changed="Meer rust")

        # Signals, invitations, e-mails.
        Alert.objects.create(
            group=group, rule=Alert.Rule.FADING, subject_key=f"user:{user.pk}", user=user,
            detail={"missed": 3, "of": 5, "in_a_row": 2},
        )  # fmt: skip
        Invitation.objects.create(
            group=group, email=f"uitgenodigd{i}-{group.pk}@example.org", invited_by=w.facilitator,
            expires_at=timezone.now() + timedelta(days=14),
        )  # fmt: skip
        for recipient in (w.member, w.facilitator):
            Outbox.objects.create(
                kind=Kind.REMINDER_FIRST, recipient=recipient, subject_key=f"session:{upcoming.pk}",
                group=group, session=upcoming, due_at=timezone.now() + timedelta(days=7),
            )  # fmt: skip

        # The pages' own objects get more of what they list.
        if self.built("upcoming"):
            RSVP.objects.create(session=self.upcoming, user=user, answer="decline", decline_reason="sick")
            CasusVote.objects.create(casus=queued, session=self.upcoming, voter=user)
            if i <= 5:
                on_agenda = CasusFactory(group=group, author=user, title=f"Op de agenda {i}")
                casus_services.casus_book(casus=on_agenda, session=self.upcoming)
        if self.built("past"):
            RSVP.objects.create(session=self.past, user=user, answer=RSVP.Answer.ATTEND)
        if self.built("held"):
            Attendance.objects.create(session=self.held, user=user, status=Attendance.Status.PRESENT)
            Question.objects.create(
                run=self.held_run, author=user, text=f"Vraag {i} van een deelnemer?", opened_eyes=True
            )
            Advice.objects.create(run=self.held_run, author=user, text=f"Advies {i}")
            if self.built("reflection"):
                reflection(self.held, user, n=i)
        if self.built("due"):
            Attendance.objects.create(session=self.due, user=user, status=Attendance.Status.PRESENT)
            reflection(self.due, user, n=i)
        if self.built("running"):
            Question.objects.create(run=self.run, author=user, text=f"Vraag {i}?")
            Advice.objects.create(run=self.run, author=user, text=f"Advies {i}")
            ParkedItem.objects.create(session=self.running, author=user, text=f"Onderwerp {i}")
            RSVP.objects.create(session=self.running, user=user, answer=RSVP.Answer.ATTEND)
        for casus in (self.__dict__.get("casus"), self.__dict__.get("others_casus")):
            if casus is not None:
                CasusAccess.objects.create(casus=casus, user=user, view="casussen:detail")
                if self.built("upcoming"):
                    CasusVote.objects.create(casus=casus, session=self.upcoming, voter=user)
