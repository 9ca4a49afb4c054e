"""Security settings on real responses: headers on a logged-in page served by a live server, HTTPS redirect,
HSTS and Secure cookies in production mode (a subprocess with production settings), password validators,
and the login throttle also guarding the account-deletion password check.

Not repeated here: ``check --deploy`` and the production setting values (tests/test_settings.py), the
lockout on the login form (tests/accounts/test_login.py)."""

import os
import secrets
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_headers_on_a_logged_in_page_from_a_live_server(live_server, world, client):
    client.force_login(world.member, backend="django.contrib.auth.backends.ModelBackend")
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    for name in ("home", "accounts:profile", "privacy:overview"):
        request = urllib.request.Request(live_server.url + reverse(name), headers={"Cookie": cookie})
        with urllib.request.urlopen(request) as response:
            assert response.status == 200 and response.url.endswith(reverse(name)), name
            headers = response.headers
            body = response.read().decode()
        directives = _directives(headers["Content-Security-Policy"])
        assert (
            "'unsafe-inline'" not in directives["script-src"]
            and "'unsafe-eval'" not in directives["script-src"]
        )
        assert any(source.startswith("'nonce-") for source in directives["script-src"])
        assert directives["frame-ancestors"] == ["'none'"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        if name == "accounts:profile":
            assert world.member.email in body  # really logged in
        nonce = next(s for s in directives["script-src"] if s.startswith("'nonce-"))[7:-1]
        for tag in body.split("<script")[1:]:  # every inline script carries the nonce
            head = tag.split(">", 1)[0]
            assert "src=" in head or f'nonce="{nonce}"' in head, head


# The static manifest (collectstatic) is not built in tests: the probe swaps only the static storage.
PRODUCTION_PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
storages = {**settings.STORAGES, "staticfiles": plain_static}
override_settings(STORAGES=storages).enable()
client = Client()
plain = client.get("/account/inloggen/")
print("plain", plain.status_code, plain.get("Location", ""))
secure = client.get("/account/inloggen/", secure=True)
print("secure", secure.status_code)
print("hsts", secure.get("Strict-Transport-Security", "none"))
cookie = secure.cookies["csrftoken"]
print("csrf-cookie-secure", bool(cookie["secure"]), cookie["samesite"])
from django.conf import settings
print("session-cookie", settings.SESSION_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY)
"""


def _production(tmp_path, **extra) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "testserver",
        "DJANGO_SETTINGS_MODULE": "intervisie.settings",
        **extra,
    }
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return dict(line.split(" ", 1) for line in result.stdout.strip().splitlines())


def test_production_responses_redirect_to_https_with_hsts_and_secure_cookies(tmp_path):
    out = _production(tmp_path)
    assert out["plain"] == "301 https://testserver/account/inloggen/"
    assert out["secure"] == "200"
    assert out["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert out["csrf-cookie-secure"] == "True Lax"
    assert out["session-cookie"] == "True True"


def test_hsts_is_behind_its_setting(tmp_path):
    assert _production(tmp_path, SECURE_HSTS_SECONDS="0")["hsts"] == "none"
    assert _production(tmp_path, SECURE_HSTS_SECONDS="600")["hsts"].startswith("max-age=600;")


@pytest.mark.parametrize(
    ("new_password", "message"),
    [
        ("kort12", "password_too_short"),
        ("password123", "password_too_common"),
        ("12345678901234", "password_entirely_numeric"),
    ],
)
def test_password_validators_on_password_change(new_password, message, world, client_for):
    client = client_for(world.member)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 400
    codes = [error.code for error in response.context["form"].errors.as_data()["new_password2"]]
    assert message in codes
    world.member.refresh_from_db()
    assert world.member.check_password(PASSWORD)


def test_password_similar_to_the_email_is_refused(world, client_for):
    client = client_for(world.member)
    similar = world.member.email.split("@")[0] + "x"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": similar, "new_password2": similar},
    )
    assert response.status_code == 400
    codes = [error.code for error in response.context["form"].errors.as_data()["new_password2"]]
    assert "password_too_similar" in codes
    world.member.refresh_from_db()
    assert world.member.check_password(PASSWORD)


def test_account_deletion_password_check_is_throttled(world, client_for):
    """Guessing the password on the delete form counts towards the login lockout: after the limit even the
    right password does not delete the account."""
    client = client_for(world.member)
    url = reverse("privacy:delete")
    statuses = [
        client.post(url, {"password": f"gok-{i}", "confirm": "on"}).status_code
        for i in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[:-1] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] in {400, 429}
    response = client.post(url, {"password": PASSWORD, "confirm": "on"})
    assert response.status_code in {400, 429}
    assert world.member.__class__.objects.filter(pk=world.member.pk).exists()
