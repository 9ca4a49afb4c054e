import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The password reset counts live in the cache (per process in tests): each test starts at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def form_client():
    """A test client that checks CSRF as a browser's requests are checked: forms must post their token."""
    from django.test import Client

    return Client(enforce_csrf_checks=True)
