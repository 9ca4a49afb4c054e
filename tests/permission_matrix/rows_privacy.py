"""Privacy pages: every logged-in user manages their own data; a casus's access log is for its author (while
a member) and the organisation's admins only."""

from . import LOGIN, Row, standard

EVERYONE_LOGGED_IN = {"anonymous": LOGIN, "outsider": 200, "member": 200, "facilitator": 200, "admin": 200}


def _casus_of(role):
    def build(world):
        from tests.casussen.factories import CasusFactory

        return {"casus_id": CasusFactory(group=world.group, author=getattr(world, role)).pk}

    return build


ROWS = [
    Row("privacy:overview", EVERYONE_LOGGED_IN),
    Row("privacy:export", EVERYONE_LOGGED_IN),
    Row("privacy:delete", EVERYONE_LOGGED_IN),
    # A wrong password never deletes anything (the real deletion is tested in tests/privacy).
    Row(
        "privacy:delete",
        {**EVERYONE_LOGGED_IN, **dict.fromkeys(("outsider", "member", "facilitator", "admin"), 400)},
        method="post",
        data=lambda w: {"password": "niet-het-wachtwoord", "confirm": "on"},
        label="wrong-password",
    ),
    Row(
        "privacy:casus_access",
        standard(200, facilitator=403),
        kwargs=_casus_of("member"),
        extra_roles={"former_member": 404},
    ),
    Row(
        "privacy:casus_access",
        standard(200, member=403),
        kwargs=_casus_of("facilitator"),
        label="others",
    ),
]
