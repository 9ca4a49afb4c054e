"""Settings for the test suite (pyproject's DJANGO_SETTINGS_MODULE for pytest): the production settings with
a throw-away key, a fast password hasher, plain HTTP and unhashed static files. DATABASE_URL and REDIS_URL
are read as in production (unset: SQLite and the local-memory cache).

Processes that the tests start (Celery workers, ``manage.py`` runs) inherit DJANGO_SETTINGS_MODULE and so
these settings; tests of the production settings start theirs with a clean environment."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

# Read by the production settings below, which refuse to start without a key when DEBUG is off.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-never-use-in-production-0123456789")  # noqa: S105


def _redis_url_of_this_worker(url: str, worker: str) -> str:
    """pytest-xdist worker gwN uses Redis db (REDIS_URL's db + N): each worker has its own test database,
    so its cache keys (``live:stamp:<session id>``), broker queues and FLUSHDB must not meet another's."""
    parts = urlsplit(url)
    db = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    if db > 15:
        raise ImproperlyConfigured(f"REDIS_URL's db number plus the xdist worker number is {db}: over 15.")
    return parts._replace(path=f"/{db}").geturl()


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if os.environ.get("REDIS_URL") and _worker and os.environ.get("REDIS_URL_REWRITTEN_FOR") != _worker:
    # Processes a test starts (Celery workers, manage.py) inherit both variables and keep the URL as it is.
    os.environ["REDIS_URL"] = _redis_url_of_this_worker(os.environ["REDIS_URL"], _worker)
    os.environ["REDIS_URL_REWRITTEN_FOR"] = _worker

from intervisie.settings import *  # noqa: E402, F403
from intervisie.settings import DATABASES, STORAGES  # noqa: E402

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every test closes its connections: a kept one would hold the test database open between tests.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "0"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The SQLite test database is a file (pytest-django adds each xdist worker's suffix: _gw0, _gw1, ...), not
    # memory, so that `make test` (pytest --reuse-db) can keep it, migrated, for the next run.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}  # noqa: F405
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# The shared e-mail template raises on an unknown variable (notifications/mailtemplates.py), so a test that
# renders a message also checks its template.
NOTIFICATIONS_STRICT_TEMPLATES = True
