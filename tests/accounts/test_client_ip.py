"""TRUSTED_PROXY_COUNT: which address the lockout and the reset throttle take as the client's."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from accounts.client_ip import client_ip
from tests.factories import PASSWORD, UserFactory

from .pages import login

PROXY = "10.0.0.1"


def _ip(forwarded: str | None, *, remote: str = PROXY) -> str:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert _ip("203.0.113.5", remote="198.51.100.1") == "198.51.100.1"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own entry stands left of the proxy's
        (1, "6.6.6.6,6.6.6.7 , 203.0.113.5", "203.0.113.5"),
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (1, "2001:db8::1", "2001:db8::1"),
        (2, "203.0.113.5", PROXY),  # fewer entries than proxies: not through them all, trust nothing
        (1, None, PROXY),
        (1, "", PROXY),
        (1, "6.6.6.6, not-an-address", PROXY),
    ],
)
def test_the_nth_address_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert _ip(forwarded) == expected


@pytest.mark.django_db
def test_behind_one_proxy_a_forged_header_picks_no_address(settings, form_client, client):
    """Every request comes from the proxy; the proxy appends the real client. A client that forges its own
    X-Forwarded-For stays one address (and is locked as one), and the proxy's address locks nobody else."""
    settings.TRUSTED_PROXY_COUNT = 1
    user = UserFactory()
    statuses = [
        login(
            form_client,
            user.email,
            "fout",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        ).status_code
        for n in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.9"}
    forged = login(
        form_client, user.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.9"
    )
    assert forged.status_code == 429

    # Another client through the same proxy is not locked out.
    response = login(client, user.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert response.status_code == 302 and response["Location"] == reverse("home")


ROOT = Path(__file__).resolve().parents[2]


def _settings_value(tmp_path, **env) -> subprocess.CompletedProcess:
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "VAR_DIR": str(tmp_path)}
    clean.update({"DEBUG": "1", **env})
    code = (
        "from django.conf import settings; import django; django.setup(); print(settings.TRUSTED_PROXY_COUNT)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "intervisie.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_count_comes_from_the_environment(tmp_path):
    assert _settings_value(tmp_path).stdout.strip() == "0"
    assert _settings_value(tmp_path, TRUSTED_PROXY_COUNT="2").stdout.strip() == "2"
    refused = _settings_value(tmp_path, TRUSTED_PROXY_COUNT="-1")
    assert refused.returncode != 0 and "TRUSTED_PROXY_COUNT must be 0 or more" in refused.stderr
