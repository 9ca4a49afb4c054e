"""Django 6's Content Security Policy on live responses, and the other security headers."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_csp_header_on_live_pages(live_server):
    import urllib.request

    with urllib.request.urlopen(live_server.url + reverse("accounts:login")) as response:
        policy = response.headers["Content-Security-Policy"]
        body = response.read().decode()
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]  # no 'unsafe-inline'
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    nonce = next(s for s in directives["script-src"] if s.startswith("'nonce-"))[7:-1]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert nonce and nonce in body  # the nonce reaches the page (htmx's inline style nonce)
    assert 'style="' not in body


def test_csp_nonce_changes_per_response(client):
    first = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    second = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert first != second


def test_other_security_headers(client):
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_csrf_cookie_is_httponly_and_htmx_sends_the_token_from_the_page(world):
    import json
    import re
    from pathlib import Path

    from django.conf import settings
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("home"))
    assert page.cookies[settings.CSRF_COOKIE_NAME]["httponly"] is True
    headers = json.loads(re.search(r"<body[^>]*hx-headers='([^']+)'", page.content.decode()).group(1))
    assert client.post(reverse("accounts:logout")).status_code == 403
    assert (
        client.post(reverse("accounts:logout"), headers={"X-CSRFToken": headers["X-CSRFToken"]}).status_code
        == 302
    )

    # No script of ours reads the cookie (it could not any more).
    scripts = [path for path in Path(settings.BASE_DIR, "static").rglob("*.js")]
    assert scripts and not [path for path in scripts if "document.cookie" in path.read_text(errors="ignore")]
