"""Two organisations for the attacker suite: a victim group full of marker strings (every name, title and
text is unique, so a leak is a plain substring) and the attackers around it."""

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from groups.models import Group, Invitation, Membership
from sessions.models import Session
from tests.factories import (
    FacilitatorFactory,
    GroupFactory,
    InvitationFactory,
    MembershipFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    UserFactory,
)

# The victim's strings. Every one must be absent from every answer an attacker gets (see ATTACKER_MAY_READ).
VICTIM = {
    "org": "Organisatie Amberwoud",
    "group": "Groep Amberlicht",
    "group_description": "Omschrijving Noorderlicht",
    "default_location": "Vaste plek Eikenhof",
    "admin_name": "Anouk Amberbeheer",
    "facilitator_name": "Fenna Fluweelzacht",
    "member_name": "Mees Mistralwind",
    "member2_name": "Noor Nachtegaalzang",
    "mail_domain": "amberlicht.example",  # every victim's e-mail address
    "casus_booked": "Casus Orkaanvlinder",
    "casus_discussed": "Casus Zeeanemoon",
    "casus_submitted": "Casus Koraalduiker",
    "casus_draft": "Concept Geheimtuin",
    "kernvraag": "Kernvraag Waterlelie",
    "situatie": "Situatie Kristalmeer",
    "tried": "Geprobeerd Klaprooswei",
    "draft_kernvraag": "Conceptvraag Mosterdzaad",
    "summary": "Opbrengst Kaneelstok",
    "action": "Actie Rozenbottel",
    "location": "Locatie Zilverberk",
    "cancel_reason": "Annulering Parelmoer",
    "parked": "Parkeerpunt Kolibrie",
    "question": "Vraag Lavendelveld",
    "advice": "Advies Mandarijnboom",
    "reflection_shared": "Reflectie Dennenappel",
    "reflection_private": "Reflectie Sneeuwuil",
    "eye_opener": "Oogopener Vuurvlieg",
    "followup": "Followup Zonnewijzer",
    "casus_written": "Casus Schrijfbamboe",
    "registration_number": "Zwaluwnest-4711",
}

ATTACKERS = ("foreign_admin", "outsider", "removed_member", "revoked_member", "anonymous")

# What an attacker may read in spite of being one: the outsider is in the victim's organisation (its name),
# a removed or revoked member's own data download names the group they were in, and the login form shows
# the address the attacker typed (a victim's).
ATTACKER_MAY_READ = {
    ("outsider", None): {"org"},
    ("anonymous", "accounts:login"): {"mail_domain"},
    ("removed_member", "privacy:export"): {"group", "org"},
    ("revoked_member", "privacy:export"): {"group", "org"},
}


@dataclass
class Victim:
    organisation: object
    group: Group
    admin: User
    facilitator: User
    member: User
    member2: User
    sessions: dict  # upcoming, held, cancelled
    casussen: dict  # booked, discussed, submitted, draft
    objects: dict = field(default_factory=dict)  # everything else a URL can name, by URL kwarg
    old_feed_token: str = ""


@dataclass
class Attack:
    victim: Victim
    attackers: dict  # role -> User (None for anonymous)
    links: dict  # role -> one-click tokens of that attacker's own old e-mails
    attacker_user_ids: set
    poll_links: dict = field(default_factory=dict)  # role -> date-poll tokens of their own old e-mail


def _victim_user(name: str, local: str, **kwargs) -> User:
    return UserFactory(display_name=VICTIM[name], email=f"{local}@{VICTIM['mail_domain']}", **kwargs)


def _outbox_links(user, session, group) -> list[str]:
    from notifications.models import Kind, Outbox
    from notifications.tokens import Action, make_token

    row = Outbox.objects.create(
        kind=Kind.REMINDER_FIRST,
        recipient=user,
        subject_key=f"session:{session.pk}",
        group=group,
        session=session,
        due_at=timezone.now() - timedelta(hours=1),
    )
    return [make_token(row.pk, action) for action in Action.ALL]


def _poll_links(user, poll) -> list[str]:
    """The answer links of a date-poll e-mail this user got while still a member."""
    from notifications.models import Kind, Outbox
    from notifications.tokens import poll_link_url

    row = Outbox.objects.create(
        kind=Kind.DATE_POLL,
        recipient=user,
        subject_key=f"attack-poll:{poll.pk}",
        group=poll.group,
        session=poll.session,
        due_at=timezone.now() - timedelta(hours=1),
    )
    option = poll.options.order_by("position").first()
    return [poll_link_url(row.pk, option.pk, answer).rsplit("/", 2)[-2] for answer in ("yes", "no")]


def build_victim() -> Victim:
    from accounts.services import registration_save, user_regenerate_feed_token
    from casussen import live, services, written
    from reflections.models import FollowUp, Reflection
    from sessions import polls
    from sessions.models import RSVP, PhaseDeadline
    from tests.casussen.factories import CasusFactory, start_live
    from tests.reflections.factories import scores
    from tests.sessions.factories import SessionFactory, held_session

    organisation = OrganisationFactory(name=VICTIM["org"], slug="amberwoud")
    group = GroupFactory(
        organisation=organisation,
        name=VICTIM["group"],
        description=VICTIM["group_description"],
        default_location=VICTIM["default_location"],
    )
    admin = _victim_user("admin_name", "anouk", is_staff=True)
    OrganisationAdminFactory(organisation=organisation, user=admin)
    facilitator = _victim_user("facilitator_name", "fenna")
    member = _victim_user("member_name", "mees")
    member2 = _victim_user("member2_name", "noor")
    FacilitatorFactory(group=group, user=facilitator)
    MembershipFactory(group=group, user=member)
    MembershipFactory(group=group, user=member2)

    now = timezone.now().replace(second=0, microsecond=0)
    upcoming = SessionFactory(
        group=group,
        starts_at=now + timedelta(days=6),
        ends_at=now + timedelta(days=6, hours=2),
        location=VICTIM["location"],
        facilitator=facilitator,
    )
    cancelled = SessionFactory(
        group=group,
        starts_at=now + timedelta(days=20),
        ends_at=now + timedelta(days=20, hours=2),
        location=VICTIM["location"],
        status=Session.Status.CANCELLED,
        cancellation_reason=VICTIM["cancel_reason"],
    )
    # The held session: a casus discussed live (questions, advice) while it is upcoming, then held four
    # weeks ago, with reflections and a follow-up.
    held = SessionFactory(
        group=group,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=2),
        location=VICTIM["location"],
        facilitator=facilitator,
    )
    discussed = CasusFactory(
        group=group,
        author=member,
        title=VICTIM["casus_discussed"],
        kernvraag=VICTIM["kernvraag"],
        situatie=VICTIM["situatie"],
        tried=VICTIM["tried"],
    )
    discussed = services.casus_book(casus=discussed, session=held)
    run = start_live(session=held, casus=discussed)
    question = live.question_add(run=run, author=member2, text=VICTIM["question"])
    live.advice_set(run=run, author=member2, text=VICTIM["advice"])
    live.parked_add(session=held, author=facilitator, text=VICTIM["parked"])
    live.live_step(run=run, action="finish")
    discussed.refresh_from_db()
    services.casus_summary_set(
        casus=discussed, outcome="", takeaways=VICTIM["summary"], action_1=VICTIM["action"], action_2=""
    )
    held = held_session(
        session=held,
        starts_at=now - timedelta(days=29),
        minutes=120,
        present=[facilitator, member, member2],
        presenters=[member],
    )
    # Written directly: the reflection window of a session four weeks ago is closed.
    reflections = []
    reflections.append(
        Reflection.objects.create(
            session=held,
            author=member,
            **scores(4),
            takeaway=VICTIM["reflection_private"],
            as_presenter=True,
            advice_fit=4,
            eye_opener=VICTIM["eye_opener"],
        )
    )
    reflections.append(
        Reflection.objects.create(
            session=held,
            author=member2,
            **scores(3),
            takeaway=VICTIM["reflection_shared"],
            share_takeaway=True,
        )
    )
    reflections.append(Reflection.objects.create(session=held, author=facilitator, **scores(5)))
    FollowUp.objects.create(
        session=held, presenter=member, outcome="applied", what_changed=VICTIM["followup"]
    )

    booked = CasusFactory(
        group=group,
        author=member2,
        title=VICTIM["casus_booked"],
        kernvraag=VICTIM["kernvraag"],
        situatie=VICTIM["situatie"],
    )
    booked = services.casus_book(casus=booked, session=upcoming)
    live.parked_add(session=upcoming, author=member, text=VICTIM["parked"])
    submitted = CasusFactory(
        group=group,
        author=member,
        title=VICTIM["casus_submitted"],
        kernvraag=VICTIM["kernvraag"],
        situatie=VICTIM["situatie"],
    )
    services.casus_vote_toggle(casus=submitted, session=upcoming, voter=member2)
    draft = CasusFactory(
        group=group,
        author=member2,
        title=VICTIM["casus_draft"],
        kernvraag=VICTIM["draft_kernvraag"],
        status="draft",
        submitted_at=None,
    )
    # A session run in writing, with its own casus and a deadline per phase.
    written_session = SessionFactory(
        group=group,
        starts_at=now + timedelta(days=9),
        ends_at=now + timedelta(days=9, hours=2),
        location=VICTIM["location"],
        facilitator=facilitator,
    )
    services.casus_book(
        casus=CasusFactory(
            group=group,
            author=member,
            title=VICTIM["casus_written"],
            kernvraag=VICTIM["kernvraag"],
            situatie=VICTIM["situatie"],
        ),
        session=written_session,
    )
    written.written_switch(session=written_session, format="written")
    poll = polls.poll_open(
        group=group,
        created_by=facilitator,
        session=upcoming,
        moments=[upcoming.starts_at + timedelta(days=7), upcoming.starts_at + timedelta(days=8)],
    )
    registration = registration_save(user=member, register="skj", number=VICTIM["registration_number"])
    RSVP.objects.create(session=upcoming, user=member, answer=RSVP.Answer.ATTEND)
    RSVP.objects.create(
        session=upcoming, user=member2, answer=RSVP.Answer.DECLINE, decline_reason=RSVP.Reason.BUSY
    )
    invitation = InvitationFactory(
        group=group, email=f"nieuw@{VICTIM['mail_domain']}", invited_by=facilitator
    )
    old_feed_token = member.feed_token
    user_regenerate_feed_token(user=member)  # the attacker found the old one in a forwarded invite
    victim = Victim(
        organisation=organisation,
        group=group,
        admin=admin,
        facilitator=facilitator,
        member=member,
        member2=member2,
        sessions={"upcoming": upcoming, "held": held, "cancelled": cancelled, "written": written_session},
        casussen={"booked": booked, "discussed": discussed, "submitted": submitted, "draft": draft},
        old_feed_token=old_feed_token,
    )
    victim.objects = {
        "group_id": [group.pk],
        "session_id": [upcoming.pk, held.pk, cancelled.pk, written_session.pk],
        "casus_id": [booked.pk, discussed.pk, submitted.pk, draft.pk],
        "question_id": [question.pk],
        "reflection_id": [r.pk for r in reflections],
        "membership_id": list(Membership.objects.filter(group=group).values_list("pk", flat=True)),
        "user_id": [facilitator.pk, member.pk, member2.pk, admin.pk],
        "invitation_id": [invitation.pk],
        "registration_id": [registration.pk],
        "poll_id": [poll.pk],
        "option_id": list(poll.options.order_by("position").values_list("pk", flat=True)),
        "deadline_id": list(
            PhaseDeadline.objects.filter(session=written_session)
            .order_by("phase__position")
            .values_list("pk", flat=True)
        ),
    }
    victim.objects["poll"] = poll
    return victim


def build_attack() -> Attack:
    from groups import services as group_services

    # The other organisation: its admin also guides a group of their own.
    foreign_admin = UserFactory(is_staff=True, display_name="Bram Basaltrots", email="bram@basalt.example")
    foreign_org = OrganisationFactory(name="Organisatie Basalt", slug="basalt")
    OrganisationAdminFactory(organisation=foreign_org, user=foreign_admin)
    FacilitatorFactory(
        group=GroupFactory(organisation=foreign_org, name="Groep Basaltkust"), user=foreign_admin
    )

    victim = build_victim()
    # A member of another group of the victim's organisation.
    outsider = UserFactory(display_name="Olaf Zijspoor", email="olaf@zijspoor.example")
    MembershipFactory(
        group=GroupFactory(organisation=victim.organisation, name="Groep Zijspoor"), user=outsider
    )

    def joined(name: str, email: str) -> tuple[User, Invitation]:
        user = UserFactory(display_name=name, email=email)
        invitation = InvitationFactory(group=victim.group, email=email, invited_by=victim.facilitator)
        group_services.invitation_accept(invitation_id=invitation.pk, user=user)
        invitation.refresh_from_db()
        return user, invitation

    removed, _ = joined("Rik Rancuneus", "rik@rancune.example")
    revoked, revoked_invitation = joined("Roos Roestig", "roos@roest.example")
    upcoming = victim.sessions["upcoming"]
    links = {
        "removed_member": _outbox_links(removed, upcoming, victim.group),
        "revoked_member": _outbox_links(revoked, upcoming, victim.group),
    }
    poll = victim.objects.pop("poll")
    poll_links = {
        "removed_member": _poll_links(removed, poll),
        "revoked_member": _poll_links(revoked, poll),
    }
    group_services.membership_deactivate(membership=Membership.objects.get(user=removed, group=victim.group))
    group_services.invitation_revoke(invitation=revoked_invitation)
    attackers = {
        "foreign_admin": foreign_admin,
        "outsider": outsider,
        "removed_member": removed,
        "revoked_member": revoked,
        "anonymous": None,
    }
    victim.objects["membership_id"] = list(
        Membership.objects.filter(group=victim.group).values_list("pk", flat=True)
    )
    victim.objects["invitation_id"] = list(
        Invitation.objects.filter(group=victim.group).values_list("pk", flat=True)
    )
    return Attack(
        victim=victim,
        attackers=attackers,
        links=links,
        poll_links=poll_links,
        attacker_user_ids={user.pk for user in attackers.values() if user is not None},
    )


@pytest.fixture
def attack(db) -> Attack:
    return build_attack()
