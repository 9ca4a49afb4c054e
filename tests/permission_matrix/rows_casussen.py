"""Casussen are confidential to the current members of their group: organisation admins who are not members
get a 403, other groups' members and former members a 404, and a draft is its author's alone."""

from . import LOGIN, Row, markers, public, standard

MEMBERS_ONLY = standard(200, admin=403)
FACILITATOR_ONLY = standard(200, member=403, admin=403)


def _group(world):
    return {"group_id": world.group.pk}


def _session(world, **kwargs):
    from tests.sessions.factories import SessionFactory

    return SessionFactory(group=world.group, **kwargs)


def _casus(world, *, author=None, **kwargs):
    from tests.casussen.factories import CasusFactory

    return CasusFactory(group=world.group, author=author or world.member, **kwargs)


def _submitted(world):
    return {"casus_id": _casus(world).pk}


def _own_draft(world):
    return {"casus_id": _casus(world, status="draft", submitted_at=None).pk}


def _others_draft(world):
    return {"casus_id": _casus(world, author=world.facilitator, status="draft", submitted_at=None).pk}


def _marked(key):
    """The casus seeded with marker strings (tests/permission_matrix/markers.py)."""
    return lambda world: {"casus_id": markers.marked(world)[key].pk}


def _marked_session(world):
    return {"session_id": markers.marked(world)["session"].pk}


def _others_submitted(world):
    return {"casus_id": _casus(world, author=world.facilitator).pk}


def _booked(world):
    from tests.casussen.factories import booked_casus

    return {"casus_id": booked_casus(session=_session(world), author=world.member).pk}


def _discussed(world):
    from casussen import live, services
    from tests.casussen.factories import booked_casus, start_live

    casus = booked_casus(session=_session(world), author=world.member)
    run = start_live(session=casus.session, casus=casus)
    live.live_step(run=run, action="finish")
    casus.refresh_from_db()
    assert casus.status == "discussed"
    services.casus_summary_set(casus=casus, outcome="", takeaways="x", action_1="y", action_2="")
    return {"casus_id": casus.pk}


def _book_data(world):
    return {"session": _session(world).pk}


def _plain_session(world):
    return {"session_id": _session(world).pk}


def _session_with_booked(world):
    from tests.casussen.factories import booked_casus, held_today
    from tests.factories import MembershipFactory

    presenter = MembershipFactory(group=world.group).user
    casus = booked_casus(session=_session(world), author=presenter)
    held_today(casus.session)  # the live guide starts on the session's day
    world.extra["casus"] = casus
    return {"session_id": casus.session_id}


def _start_data(world):
    return {"casus": world.extra["casus"].pk}


def _running(world, *, presenter=None):
    from tests.casussen.factories import booked_casus, start_live
    from tests.factories import MembershipFactory

    author = presenter or MembershipFactory(group=world.group).user
    casus = booked_casus(session=_session(world), author=author)
    run = start_live(session=casus.session, casus=casus)
    world.extra["run"] = run
    return {"session_id": casus.session_id}


def _question_of_member_presenter(world):
    from casussen import live

    kwargs = _running(world, presenter=world.member)
    question = live.question_add(
        run=world.extra["run"], author=world.facilitator, text="Wat maakt het lastig?"
    )
    return {**kwargs, "question_id": question.pk}


def _advance(world):
    """A casus of another member, with the marked kernvraag, booked on a session the member declined (the
    facilitator did not answer): the page for writing in advance (casussen/advance.py)."""
    from sessions import services as session_services
    from tests.casussen.factories import booked_casus
    from tests.factories import MembershipFactory

    session = _session(world)
    session_services.rsvp_set(session=session, user=world.member, answer="decline", decline_reason="busy")
    presenter = MembershipFactory(group=world.group).user
    casus = booked_casus(
        session=session,
        author=presenter,
        title=markers.text("casus_title"),
        kernvraag=markers.text("kernvraag"),
        situatie=markers.text("situatie"),
    )
    return {"casus_id": casus.pk}


def _advance_not_shown_situatie(world, role, response):
    """The page shows the title and the kernvraag, never the situatie (nor anything else of the casus)."""
    if response.status_code == 200:
        assert not markers.found(response.content.decode(), "situatie")


def _advance_written(world, role, response):
    from casussen.models import AdvanceContribution

    written = AdvanceContribution.objects.filter(author__email=getattr(world.user_for(role), "email", None))
    assert written.exists() == (role == "member")


def _moved_register(world, role, response):
    """The old address redirects to ``sessions:attendance`` of the same session, for everyone (the new page
    decides who may open it), and changes nothing."""
    from django.urls import resolve, reverse

    from sessions.models import Session

    session_id = resolve(response.request["PATH_INFO"]).kwargs["session_id"]
    assert response["Location"] == reverse("sessions:attendance", kwargs={"session_id": session_id})
    assert Session.objects.get(pk=session_id).status == Session.Status.PLANNED


CASUS_DATA = {"title": "Titel", "kernvraag": "Hoe kan ik rustig blijven?", "wish": "advice"}

ROWS = [
    Row("casussen:queue", MEMBERS_ONLY, kwargs=_group, shows=("casus_title",)),
    Row("casussen:history", MEMBERS_ONLY, kwargs=_group),
    Row("casussen:create", MEMBERS_ONLY, kwargs=_group),
    Row(
        "casussen:create",
        standard(302, admin=403),
        kwargs=_group,
        method="post",
        data=lambda w: CASUS_DATA,
    ),
    Row(
        "casussen:autosave",
        MEMBERS_ONLY,
        kwargs=_group,
        method="post",
        data=lambda w: CASUS_DATA,
    ),
    Row("casussen:autosave", public(405), kwargs=_group, label="get"),
    Row(
        "casussen:detail",
        MEMBERS_ONLY,
        kwargs=_marked("casus"),
        shows=("casus_title", "kernvraag", "situatie"),
    ),
    Row(
        "casussen:detail",
        standard(200, facilitator=404, admin=403),
        kwargs=_own_draft,
        label="own-draft",
    ),
    Row(
        "casussen:detail",
        standard(200, member=404, admin=403),
        kwargs=_marked("draft"),
        label="others-draft",
        shows=("draft_title",),
    ),
    Row(
        "casussen:edit",
        standard(200, facilitator=404, admin=403),
        kwargs=_own_draft,
        label="own-draft",
    ),
    Row(
        "casussen:edit",
        standard(302, facilitator=404, admin=403),
        kwargs=_own_draft,
        method="post",
        data=lambda w: CASUS_DATA,
    ),
    Row(
        "casussen:edit",
        standard(404, facilitator=200, admin=403),
        kwargs=_marked("draft"),
        label="others-draft",
        shows=("draft_title",),
    ),
    Row(
        "casussen:submit",
        standard(302, facilitator=404, admin=403),
        kwargs=_own_draft,
        method="post",
    ),
    Row(
        "casussen:book",
        standard(302, admin=403),
        kwargs=_submitted,
        method="post",
        data=_book_data,
    ),
    Row(
        "casussen:book",
        standard(302, member=403, admin=403),
        kwargs=_others_submitted,
        method="post",
        data=_book_data,
        label="others",
    ),
    Row("casussen:unbook", standard(302, admin=403), kwargs=_booked, method="post"),
    Row(
        "casussen:vote",
        standard(302, facilitator=400, admin=403),  # the facilitator wrote it: no vote for your own casus
        kwargs=_others_submitted,
        method="post",
        data=_book_data,
    ),
    Row("casussen:summary", standard(200, facilitator=404, admin=403), kwargs=_discussed),
    # Writing in advance: only a member who declined the session (the facilitator did not answer: 403).
    Row(
        "casussen:advance",
        standard(200, facilitator=403, admin=403),
        kwargs=_advance,
        shows=("casus_title", "kernvraag"),
        check=_advance_not_shown_situatie,
    ),
    Row(
        "casussen:advance",
        standard(302, facilitator=403, admin=403),
        kwargs=_advance,
        method="post",
        data=lambda w: {"questions": "Wat maakt dit lastig?", "advice": "Bel haar morgen."},
        check=_advance_written,
    ),
    # The old address of the session page: a permanent redirect for everyone (the new page decides access);
    # the redirect itself names nothing.
    Row("casussen:session", public(301), kwargs=_marked_session),
    Row("casussen:session_method", FACILITATOR_ONLY, kwargs=_plain_session),
    Row(
        "casussen:session_method",
        standard(302, member=403, admin=403),
        kwargs=_plain_session,
        method="post",
        data=lambda w: {"method": ""},
    ),
    Row("casussen:live", MEMBERS_ONLY, kwargs=_running),
    Row("casussen:poll", MEMBERS_ONLY, kwargs=_running),
    Row(
        "casussen:live_start",
        standard(302, member=403, admin=403),
        kwargs=_session_with_booked,
        method="post",
        data=_start_data,
    ),
    Row(
        "casussen:live_step",
        standard(302, member=403, admin=403),
        kwargs=_running,
        method="post",
        data=lambda w: {"action": "next"},
    ),
    Row(
        "casussen:question_add",
        standard(302, admin=403),
        kwargs=_running,
        method="post",
        data=lambda w: {"text": "Wat maakt dit lastig voor je?"},
    ),
    Row(
        "casussen:question_mark",
        standard(302, facilitator=403, admin=403),
        kwargs=_question_of_member_presenter,
        method="post",
    ),
    Row(
        "casussen:advice_add",
        standard(302, admin=403),
        kwargs=_running,
        method="post",
        data=lambda w: {"text": "Bel de ouder morgen terug."},
    ),
    Row(
        "casussen:parked_add",
        standard(302, admin=403),
        kwargs=_plain_session,
        method="post",
        data=lambda w: {"text": "Roostervraag"},
    ),
    Row("casussen:attendance", public(301), kwargs=_plain_session, check=_moved_register),
    Row(
        "casussen:attendance",
        public(308),
        kwargs=_plain_session,
        method="post",
        data=lambda w: {"break_minutes": "10"},
        check=_moved_register,
    ),
]

assert LOGIN
