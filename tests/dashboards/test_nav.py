"""The dashboard link in the navigation shows for facilitators and admins only; the profile links the
member's own accreditation overview."""

import pytest
import redis
from django.urls import reverse

from groups.models import Membership


def _has_link(client) -> bool:
    return f'href="{reverse("dashboards:index")}"' in client.get(reverse("home")).content.decode()


def test_nav_link_for_facilitators_and_admins(world, client_for):
    assert _has_link(client_for(world.facilitator))
    assert _has_link(client_for(world.admin))
    assert not _has_link(client_for(world.member))
    assert not _has_link(client_for(world.outsider))


def test_nav_link_follows_role_changes(world, client_for):
    assert not _has_link(client_for(world.member))  # cached as "no"
    membership = world.membership(world.member)
    membership.role = Membership.Role.FACILITATOR
    membership.save()  # clears the cached answer
    assert _has_link(client_for(world.member))


def test_profile_links_own_accreditation(world, client_for):
    html = client_for(world.member).get(reverse("accounts:profile")).content.decode()
    assert reverse("dashboards:my_accreditation") in html
    page = client_for(world.member).get(reverse("dashboards:my_accreditation"))
    assert page.status_code == 200
    assert reverse("dashboards:my_accreditation_file", kwargs={"fmt": "pdf"}) in page.content.decode()


def test_nav_link_survives_a_cache_outage(world, client_for, settings):
    from django.core.cache import cache

    down = "redis://127.0.0.1:1/0"  # nothing listens there
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": down}
    }
    with pytest.raises(redis.exceptions.ConnectionError):
        cache.get("probe")
    assert _has_link(client_for(world.facilitator))  # answered by the database instead
    assert not _has_link(client_for(world.member))
