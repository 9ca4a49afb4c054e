"""Production settings: no start without a real SECRET_KEY, and `check --deploy` is clean. Each case
runs Django in a subprocess with a clean environment (no DEBUG, no pytest markers)."""

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


def test_migrations_can_be_checked_without_a_key(tmp_path):
    result = _run(["manage.py", "makemigrations", "--check", "--dry-run"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


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
