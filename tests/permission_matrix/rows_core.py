from tests.factories import InvitationFactory

from . import Row, logged_in, public, standard

EVERYONE_LOGGED_IN = logged_in(200)


def _group(world):
    return {"group_id": world.group.pk}


def _membership(world):
    return {"group_id": world.group.pk, "membership_id": world.membership(world.member).pk}


def _invitation_token(world):
    from groups.services import invitation_token

    return {"token": invitation_token(InvitationFactory(group=world.group, email="new@example.org"))}


ROWS = [
    Row("home", EVERYONE_LOGGED_IN),
    Row("set_language", public(302), method="post", data=lambda w: {"language": "en", "next": "/"}),
    Row("accounts:login", {**public(302), "anonymous": 200}),
    Row("accounts:logout", public(302), method="post"),
    Row("accounts:profile", EVERYONE_LOGGED_IN),
    Row("accounts:password_change", EVERYONE_LOGGED_IN),
    Row("accounts:password_change_done", EVERYONE_LOGGED_IN),
    Row("accounts:password_reset", public(200)),
    Row("accounts:password_reset_done", public(200)),
    Row(
        "accounts:password_reset_confirm",
        public(200),
        kwargs=lambda w: {"uidb64": "MQ", "token": "bad-token"},
    ),
    Row("accounts:password_reset_complete", public(200)),
    Row("groups:detail", standard(200), kwargs=_group, shows=("group", "member_name")),
    Row("groups:invite", standard(member=403, view=200), kwargs=_group),
    Row(
        "groups:invite",
        standard(member=403, view=302),
        kwargs=_group,
        method="post",
        data=lambda w: {"emails": "someone@example.org", "role": "member"},
    ),
    Row(
        "groups:membership_deactivate",
        standard(member=403, view=302),
        kwargs=_membership,
        method="post",
    ),
    # GET asks "Weet je het zeker?" and changes nothing.
    Row(
        "groups:membership_deactivate",
        standard(member=403, view=200),
        kwargs=_membership,
        shows=("member_name",),
    ),
    # Token pages are public: the token is the key. Logged-in users other than the invitee get a 403 page.
    Row(
        "groups:invitation_accept",
        {**public(403), "anonymous": 200},
        kwargs=_invitation_token,
        seen_as="invitee",
        shows=("group",),
    ),
]
