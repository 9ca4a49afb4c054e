"""The member's professional registrations (profile page): adding and removing one's own; and who reads a
registration number (the ``registration`` marker: the member, and their group's facilitators in the
exports)."""

from accounts.models import ProfessionalRegistration

from . import LOGIN, Row, logged_in, markers, standard

FACILITATORS_ONLY = standard(200, member=403, admin=403)


def _members_registration(world):
    registration = world.member.registrations.create(register="nvo", number="NVO-matrix")
    world.extra["registration_id"] = registration.pk
    return {"registration_id": registration.pk}


def _still_there(world, role, response):
    """Only the member removes their own registration; for everyone else it stays."""
    exists = ProfessionalRegistration.objects.filter(pk=world.extra["registration_id"]).exists()
    assert exists == (role != "member"), role


def _unchanged(world, role, response):
    assert not ProfessionalRegistration.objects.filter(number="123").exists()


ROWS = [
    Row(
        "accounts:registration_save",
        logged_in(302),
        method="post",
        data=lambda w: {"register": "nip", "number": "NIP-42"},
    ),
    Row(
        "accounts:registration_save",
        logged_in(400),
        method="post",
        data=lambda w: {"register": "big", "number": "123"},
        label="invalid",
        check=_unchanged,
    ),
    Row("accounts:registration_save", logged_in(405), label="get"),
    # Another member's registration is not found (404) for whoever is not its owner.
    Row(
        "accounts:registration_delete",
        {**logged_in(404), "member": 302, "anonymous": LOGIN},
        kwargs=_members_registration,
        method="post",
        check=_still_there,
    ),
    Row("accounts:registration_delete", logged_in(405), kwargs=_members_registration, label="get"),
    # Where the number shows: the member's own profile, the facilitator's exports.
    Row("accounts:profile", logged_in(200), label="registration", shows={"member": ("registration",)}),
    Row(
        "dashboards:member_accreditation",
        FACILITATORS_ONLY,
        kwargs=lambda w: {"group_id": w.group.pk, "user_id": w.member.pk, "fmt": "pdf"},
        label="registration",
        shows=("registration",),
    ),
    Row(
        "dashboards:presence_list",
        FACILITATORS_ONLY,
        kwargs=lambda w: {"group_id": w.group.pk, "session_id": markers.marked(w)["held"].pk, "fmt": "csv"},
        label="registration",
        shows=("registration",),
    ),
    Row(
        "dashboards:my_accreditation_file",
        logged_in(200),
        kwargs=lambda w: {"fmt": "csv"},
        label="registration",
        shows={"member": ("registration",)},
    ),
]
