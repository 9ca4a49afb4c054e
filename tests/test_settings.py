"""Production settings: no start without a real SECRET_KEY, and `check --deploy` is clean; the test settings
(intervisie/settings_test.py) are chosen only by DJANGO_SETTINGS_MODULE. Each case runs Django in a
subprocess with a clean environment (no DEBUG, no pytest variables, unless the case sets them)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "VAR_DIR": str(tmp_path)}
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


IMPORT_SETTINGS = ["-c", "import intervisie.settings"]


def test_production_refuses_unset_secret_key(tmp_path):
    result = _run(IMPORT_SETTINGS, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key(tmp_path):
    from intervisie.settings import DEV_SECRET_KEY

    result = _run(IMPORT_SETTINGS, tmp_path, SECRET_KEY=DEV_SECRET_KEY)
    assert result.returncode != 0
    assert "development SECRET_KEY cannot be used" in result.stderr


def test_manage_py_refuses_to_start_without_key(tmp_path):
    result = _run(["manage.py", "check"], tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "env",
    [{"DEBUG": "1"}, {"DJANGO_SETTINGS_MODULE": "intervisie.settings_test"}],
    ids=["debug", "test-settings"],
)
def test_migrations_can_be_checked_without_a_key(tmp_path, env):
    """What `make lint` and pre-commit run (DEBUG=1), and the same on the test settings."""
    result = _run(["manage.py", "makemigrations", "--check", "--dry-run"], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_running_under_pytest_does_not_loosen_the_production_settings(tmp_path, production_env):
    """Only DJANGO_SETTINGS_MODULE chooses the test settings: a process that inherits pytest's variables
    still refuses to start without a key, and with one hashes passwords and redirects as in production."""
    pytest_env = {"PYTEST_VERSION": "9.0", "PYTEST_XDIST_WORKER": "gw0"}
    refused = _run(["manage.py", "check"], tmp_path, **pytest_env)
    assert refused.returncode != 0
    assert "SECRET_KEY must be set" in refused.stderr
    result = _run(
        ["-c", PRINT_SETTINGS],
        tmp_path,
        DJANGO_SETTINGS_MODULE="intervisie.settings",
        **pytest_env,
        **production_env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "hasher": "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "ssl_redirect": True,
        "secure_cookies": [True, True],
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "conn_max_age": 60,
        "cache": "django.core.cache.backends.locmem.LocMemCache",
    }


def test_test_settings_need_no_key_and_are_fast_and_plain(tmp_path):
    result = _run(["-c", PRINT_SETTINGS], tmp_path, DJANGO_SETTINGS_MODULE="intervisie.settings_test")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "hasher": "django.contrib.auth.hashers.MD5PasswordHasher",
        "ssl_redirect": False,
        "secure_cookies": [False, False],
        "static": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "conn_max_age": 0,
        "cache": "django.core.cache.backends.locmem.LocMemCache",
    }


def test_each_xdist_worker_gets_its_own_redis_db_and_its_children_keep_it(tmp_path):
    """gw3 on REDIS_URL db 7 uses db 10 (cache and broker); a Celery worker that the test starts inherits
    the rewritten URL and the worker name, and must not add 3 again."""
    code = (
        "import os, django; django.setup(); from django.conf import settings as s;"
        "print(os.environ['REDIS_URL'], s.CACHES['default']['LOCATION'], s.CELERY_BROKER_URL)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "intervisie.settings_test", "PYTEST_XDIST_WORKER": "gw3"}
    first = _run(["-c", code], tmp_path, REDIS_URL="redis://127.0.0.1:6379/7", **env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split() == ["redis://127.0.0.1:6379/10"] * 3
    child = _run(
        ["-c", code], tmp_path, REDIS_URL="redis://127.0.0.1:6379/10", REDIS_URL_REWRITTEN_FOR="gw3", **env
    )
    assert child.stdout.split() == ["redis://127.0.0.1:6379/10"] * 3, child.stderr
    too_many = _run(["-c", code], tmp_path, **{**env, "PYTEST_XDIST_WORKER": "gw9"}, REDIS_URL="redis://h/7")
    assert too_many.returncode != 0
    assert "over 15" in too_many.stderr


PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "hasher": s.PASSWORD_HASHERS[0],
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "secure_cookies": [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE],
    "static": s.STORAGES["staticfiles"]["BACKEND"],
    "conn_max_age": s.DATABASES["default"]["CONN_MAX_AGE"],
    "cache": s.CACHES["default"]["BACKEND"],
}))
"""


def test_debug_runs_with_the_development_key(tmp_path):
    result = _run(["manage.py", "check"], tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def production_env() -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "intervisie.example.nl",
        "SITE_URL": "https://intervisie.example.nl",
    }


def test_check_deploy_is_clean(tmp_path, production_env):
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_settings_values(tmp_path, production_env):
    code = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_HSTS_SECONDS, s.ALLOWED_HOSTS, s.STORAGES['staticfiles']['BACKEND'].rsplit('.', 1)[1],"
        " s.MAILERS['default']['BACKEND'].rsplit('.', 2)[1], s.TIME_ZONE, s.USE_TZ, s.LANGUAGE_CODE)"
    )
    result = _run(["-c", code], tmp_path, DJANGO_SETTINGS_MODULE="intervisie.settings", **production_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "['intervisie.example.nl']",
        "CompressedManifestStaticFilesStorage",
        "smtp",
        "Europe/Amsterdam",
        "True",
        "nl",
    ]


def test_laptop_defaults(tmp_path):
    code = (
        "from django.conf import settings as s; import django; django.setup();"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.MAILERS['default']['BACKEND'])"
    )
    result = _run(["-c", code], tmp_path, DEBUG="1", DJANGO_SETTINGS_MODULE="intervisie.settings")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "filesystem://localhost//",
        "django.core.mail.backends.console.EmailBackend",
    ]


SQLITE_WRITERS = """
import threading, time, django
django.setup()
from django.db import connection, transaction
with connection.cursor() as cursor:
    cursor.execute("CREATE TABLE counter (n integer)")
    cursor.execute("INSERT INTO counter VALUES (0)")
connection.close()
errors = []
def read_then_write():
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT n FROM counter")
            time.sleep(0.3)
            cursor.execute("UPDATE counter SET n = n + 1")
    except Exception as error:
        errors.append(repr(error))
    finally:
        connection.close()
threads = [threading.Thread(target=read_then_write) for _ in range(3)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
with connection.cursor() as cursor:
    cursor.execute("SELECT n FROM counter")
    print(cursor.fetchone()[0], errors)
"""


def test_laptop_sqlite_lets_web_worker_and_beat_write_at_once(tmp_path):
    """``make run``'s processes share one SQLite file: a transaction that reads and then writes (a claim of
    the outbox sweep) waits for the other writers instead of failing with "database is locked"."""
    result = _run(["-c", SQLITE_WRITERS], tmp_path, DEBUG="1", DJANGO_SETTINGS_MODULE="intervisie.settings")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3 []"
