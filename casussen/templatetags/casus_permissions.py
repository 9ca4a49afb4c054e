"""The casus abilities of ``casussen/permissions.py`` for pages that list many casussen:
``{% casus_abilities user casus access as can %}`` then ``{% if can.book %}`` — the same function the views
ask, so a button shows exactly when its view would let the user through."""

from django import template

from casussen import permissions

register = template.Library()


@register.simple_tag
def casus_abilities(user, casus, access) -> permissions.CasusAbilities:
    return permissions.casus_abilities(user, casus, access)
