"""Privacy pages: every logged-in user manages their own data; a casus's access log is for its author (while
a member) and, without the casus's title and never for a draft, the organisation's admins
(privacy/permissions.py)."""

from . import Row, logged_in, markers, standard

EVERYONE_LOGGED_IN = logged_in(200)


def _marked(key):
    """The member's submitted casus or the facilitator's draft, seeded with markers."""
    return lambda world: {"casus_id": markers.marked(world)[key].pk}


ROWS = [
    Row("privacy:overview", EVERYONE_LOGGED_IN),
    # The download holds one's own data: the member's casus and reflection, a former member's membership.
    Row(
        "privacy:export",
        EVERYONE_LOGGED_IN,
        shows={"member": ("casus_title", "reflection"), "facilitator": ("draft_title",)},
        reads={"former_member": ("group",), "revoked_member": ("group",)},
    ),
    Row("privacy:delete", EVERYONE_LOGGED_IN),
    # A wrong password never deletes anything (the real deletion is tested in tests/privacy).
    Row(
        "privacy:delete",
        logged_in(400),
        method="post",
        data=lambda w: {"password": "niet-het-wachtwoord", "confirm": "on"},
        label="wrong-password",
    ),
    # The member's submitted casus: its author reads the log with the title; the organisation admin, who is
    # no member, the log without it (the marker check on the 200 says so); the facilitator is not the author.
    Row(
        "privacy:casus_access",
        standard(200, facilitator=403),
        kwargs=_marked("casus"),
        shows=("casus_title",),
    ),
    # A draft's log is its author's only (privacy/permissions.py): for everyone else the draft does not exist.
    Row(
        "privacy:casus_access",
        standard(404, facilitator=200),
        kwargs=_marked("draft"),
        label="others-draft",
        shows=("draft_title",),
    ),
]
