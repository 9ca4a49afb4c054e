from sessions.models import Session
from tests.sessions.factories import SessionFactory

from . import Row, logged_in, standard

FACILITATORS_ONLY = standard(200, member=403, admin=403)


def _group(world):
    return {"group_id": world.group.pk}


def _session(fmt, *, other_group=False):
    def kwargs(world):
        session = SessionFactory(group=world.other_group if other_group else world.group)
        return {"group_id": world.group.pk, "session_id": session.pk, "fmt": fmt}

    return kwargs


def _held_session(world):
    session = SessionFactory(group=world.group, status=Session.Status.HELD)
    return {"group_id": world.group.pk, "session_id": session.pk, "fmt": "pdf"}


def _member_export(fmt, *, user="member"):
    return lambda world: {"group_id": world.group.pk, "user_id": getattr(world, user).pk, "fmt": fmt}


ROWS = [
    # The facilitator's dashboard; an organisation admin is sent on to the admin overview (one who also
    # guides a group, like foreign_admin, gets the dashboard of their own group).
    Row("dashboards:index", logged_in(403, facilitator=200, admin=302, foreign_admin=200)),
    Row("dashboards:admin", logged_in(403, admin=200, foreign_admin=200)),
    Row("dashboards:group", FACILITATORS_ONLY, kwargs=_group),
    Row("dashboards:group_attendance", FACILITATORS_ONLY, kwargs=_group),
    Row("dashboards:presence_list", FACILITATORS_ONLY, kwargs=_session("pdf")),
    Row("dashboards:presence_list", FACILITATORS_ONLY, kwargs=_session("csv"), label="csv"),
    Row("dashboards:presence_list", FACILITATORS_ONLY, kwargs=_held_session, label="held"),
    Row(
        "dashboards:presence_list",
        standard(404, member=403, admin=403),
        kwargs=_session("pdf", other_group=True),
        label="other-groups-session",
    ),
    Row(
        "dashboards:presence_list",
        standard(404, member=403, admin=403),
        kwargs=_session("xls"),
        label="unknown-format",
    ),
    # A member cannot download another member's overview; only the group's facilitator can.
    Row("dashboards:member_accreditation", FACILITATORS_ONLY, kwargs=_member_export("pdf")),
    Row("dashboards:member_accreditation", FACILITATORS_ONLY, kwargs=_member_export("csv"), label="csv"),
    Row(
        "dashboards:member_accreditation",
        FACILITATORS_ONLY,
        kwargs=_member_export("pdf", user="former_member"),
        label="former-member",
    ),
    Row(
        "dashboards:member_accreditation",
        standard(404, member=403, admin=403),
        kwargs=_member_export("pdf", user="outsider"),
        label="not-in-group",
    ),
    Row("dashboards:my_accreditation", logged_in(200)),
    Row("dashboards:my_accreditation_file", logged_in(200), kwargs=lambda w: {"fmt": "pdf"}),
    Row("dashboards:my_accreditation_file", logged_in(200), kwargs=lambda w: {"fmt": "csv"}, label="csv"),
    Row("dashboards:my_accreditation_file", logged_in(404), kwargs=lambda w: {"fmt": "doc"}, label="unknown"),
]
