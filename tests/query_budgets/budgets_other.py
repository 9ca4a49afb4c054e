"""Dashboards, notifications, privacy and reflections."""

from datetime import timedelta

from django.utils import timezone

from notifications.models import Kind, Outbox
from notifications.tokens import make_token
from tests.reflections.factories import REFLECTION_FORM
from tests.sessions.factories import held_session

from . import Budget, covered

DASHBOARDS = "tests/dashboards/test_queries.py::test_query_counts_do_not_grow"


def _group(scene):
    return {"group_id": scene.group.pk}


def _reminder_link(scene):
    session = scene.upcoming
    row = Outbox.objects.create(
        kind=Kind.REMINDER_FIRST,
        recipient=scene.world.member,
        subject_key=f"session:{session.pk}:{scene.counter()}",
        group=scene.group,
        session=session,
        due_at=timezone.now() - timedelta(hours=1),
    )
    return {"token": make_token(row.pk, "attend")}


def _fresh_held(scene):
    w = scene.world
    session = held_session(
        scene.group, ended_ago=timedelta(hours=2), present=[w.facilitator, w.member, *scene.grown]
    )
    return {"session_id": session.pk}


BUDGETS = [
    # Dashboards: measured small and grown (more groups, sessions, members) in their own test, against
    # the budgets written there.
    covered("dashboards:index", "facilitator", DASHBOARDS),
    covered("dashboards:group", "facilitator", DASHBOARDS),
    covered("dashboards:admin", "admin", DASHBOARDS),
    covered("dashboards:group_attendance", "facilitator", DASHBOARDS),
    covered("dashboards:member_accreditation", "facilitator", DASHBOARDS),
    # The attendees' registrations in one query, the facilitator's in another.
    Budget(
        "dashboards:presence_list",
        "facilitator",
        11,
        kwargs=lambda s: {"group_id": s.group.pk, "session_id": s.held.pk, "fmt": "pdf"},
    ),  # fmt: skip
    covered("dashboards:my_accreditation_file", "member", DASHBOARDS),
    Budget("dashboards:my_accreditation", "member", 5),
    Budget(
        "dashboards:presence_list",
        "facilitator",
        11,
        label="csv",
        kwargs=lambda s: {"group_id": s.group.pk, "session_id": s.held.pk, "fmt": "csv"},
    ),  # fmt: skip
    # With the member's registrations, the signers' and the sessions' facilitators' (one query each).
    Budget("dashboards:my_accreditation_file", "member", 9, kwargs=lambda s: {"fmt": "pdf"}, label="pdf"),
    # Notifications.
    Budget("notifications:oneclick", "anonymous", 6, kwargs=_reminder_link),
    Budget("notifications:oneclick", "anonymous", 17, kwargs=_reminder_link, method="post"),
    Budget("notifications:preferences", "member", 6),
    Budget(
        "notifications:preferences",
        "member",
        # full_clean() checks the calendar_path CHECK constraint (one query); whose kinds the person is
        # shown, facilitator and admin (two)
        14,
        method="post",
        status=302,
        data=lambda s: {"enabled_sessions": ["invite"], "digest": ""},
    ),  # fmt: skip
    Budget(
        "notifications:calendar_path",
        "member",
        11,
        method="post",
        data=lambda s: {"calendar_path": "feed"},
        status=302,
    ),  # fmt: skip
    Budget("notifications:group_settings", "facilitator", 9, kwargs=_group),
    Budget(
        "notifications:group_settings",
        "facilitator",
        17,
        kwargs=_group,
        method="post",
        status=302,
        data=lambda s: {"enabled": ["invite"], "no_casus_days": 5},
    ),  # fmt: skip
    # Privacy.
    Budget("privacy:overview", "member", 5),
    Budget("privacy:export", "member", 25),  # one query per section (privacy.services.SECTIONS)
    Budget("privacy:delete", "member", 5),
    Budget(
        "privacy:delete",
        "member",
        17,
        method="post",
        status=400,
        label="wrong-password",
        data=lambda s: {"password": "niet-het-wachtwoord", "confirm": "on"},
    ),  # fmt: skip
    Budget(
        "privacy:casus_access",
        "member",
        9,
        kwargs=lambda s: {"casus_id": s.casus.pk},
        shows=lambda s: s.last_name(),
    ),
    Budget("privacy:casus_access", "admin", 9, kwargs=lambda s: {"casus_id": s.casus.pk}, label="admin"),
    # Reflections.
    Budget("reflections:session", "member", 18, kwargs=lambda s: {"session_id": s.held.pk}),
    Budget("reflections:session", "facilitator", 17, kwargs=lambda s: {"session_id": s.held.pk}, label="f"),
    Budget("reflections:write", "member", 13, kwargs=lambda s: {"session_id": s.held.pk}),
    Budget(
        "reflections:write",
        "member",
        47,
        kwargs=_fresh_held,
        method="post",
        data=lambda s: REFLECTION_FORM,
        status=302,
    ),  # fmt: skip
    Budget("reflections:followup", "member", 10, kwargs=lambda s: {"session_id": s.due.pk}),
    Budget(
        "reflections:followup",
        "member",
        25,
        kwargs=lambda s: {"session_id": s.due.pk},
        method="post",
        data=lambda s: {"outcome": "applied", "what_changed": "Ik vraag eerst door"},
        status=302,
    ),  # fmt: skip
    Budget("reflections:detail", "member", 6, kwargs=lambda s: {"reflection_id": s.reflection.pk}),
    Budget("reflections:group", "member", 14, kwargs=_group),
    Budget("reflections:group", "facilitator", 14, kwargs=_group, label="facilitator"),
    Budget("reflections:health", "facilitator", 18, kwargs=_group),
    Budget("reflections:learning_log", "member", 8, shows=lambda s: f"Meegenomen {s.last}"),
    Budget("reflections:learning_log_csv", "member", 7),
]


def _poll_link(scene):
    """A date poll answer link to the member, from a fresh poll answered by every grown member."""
    from notifications.tokens import poll_link_url

    from .budgets_sessions import _poll

    _poll(scene)
    poll = scene.current["poll"]
    row = Outbox.objects.get(kind=Kind.DATE_POLL, recipient=scene.world.member, subject_key=f"poll:{poll.pk}")
    url = poll_link_url(row.pk, scene.current["option"].pk, "no")
    return {"token": url.rstrip("/").rsplit("/", 1)[1]}


BUDGETS += [
    Budget("notifications:poll_link", "anonymous", 10, kwargs=_poll_link),
    Budget("notifications:poll_link", "anonymous", 15, kwargs=_poll_link, method="post"),
]
