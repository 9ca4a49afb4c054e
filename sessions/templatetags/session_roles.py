"""``{% roles_card %}`` on the session page: the session's roles, who holds them (proposed or chosen) and
what the reader may do (``sessions/roles.py``). Reads ``session``, ``access`` and ``request`` from the
page's context; a refused change on a page without htmx comes back as ``roles_error``."""

from typing import Any

from django import template

from sessions import roles

register = template.Library()


def card_context(session, user, *, facilitates: bool, error: Any = None, saved: bool = False) -> dict:
    return {
        "session": session,
        "rows": roles.roles_for_reader(session, user, facilitates=facilitates),
        "roles_error": error,
        "roles_saved": saved,
    }


@register.inclusion_tag("sessions/_roles_card.html", takes_context=True)
def roles_card(context) -> dict:
    request = context["request"]
    access = context["access"]
    result = card_context(
        context["session"],
        request.user,
        facilitates=access.is_facilitator,
        error=context.get("roles_error"),
    )
    result["request"] = request
    result["csrf_token"] = context.get("csrf_token")
    return result


@register.inclusion_tag("sessions/_live_roles.html")
def live_roles(session) -> dict:
    """Who has which role, read-only, for the live guide (``roles.role_holders``)."""
    return {"holders": roles.role_holders(session)}
