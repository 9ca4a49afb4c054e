"""The member's professional registrations on the profile page."""

from . import Budget


def _more_registrations(scene):
    """One more registration of the member before each request: the profile lists them all."""
    scene.world.member.registrations.create(
        register="other", other_register_name=f"Register {scene.counter()}", number="1"
    )
    return {}


def _fresh_registration(scene):
    registration = scene.world.member.registrations.create(
        register="other", other_register_name=f"Weg {scene.counter()}", number="1"
    )
    return {"registration_id": registration.pk}


BUDGETS = [
    Budget("accounts:profile", "member", 6, kwargs=_more_registrations, label="registrations"),
    # full_clean() checks each of the six constraints with a query of its own (in a savepoint): 25 in all.
    Budget(
        "accounts:registration_save",
        "member",
        25,
        method="post",
        data=lambda s: {"register": "other", "other_register_name": f"Nieuw {s.counter()}", "number": "7"},
        status=302,
    ),
    Budget(
        "accounts:registration_save",
        "member",
        21,
        method="post",
        data=lambda s: {"register": "big", "number": "123"},
        status=400,
        label="invalid",
    ),
    Budget(
        "accounts:registration_delete", "member", 9, kwargs=_fresh_registration, method="post", status=302
    ),
]
