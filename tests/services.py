"""The services some tests need, named by markers: ``postgres`` (DATABASE_URL points at PostgreSQL),
``redis`` (REDIS_URL answers a PING), ``integration`` (a real Celery worker on Redis: needs Redis too),
``browser`` (Debian's Chromium, CHROMIUM_PATH or /usr/bin/chromium, and axe-core of tests/a11y installed by
``npm ci``) and ``node`` (Node.js with the calendar
parsers of tests/calendar_parsers installed by ``npm ci``).

Each service is looked for once per run. Where one is missing its tests are skipped with the reason, except
in CI (CI=true): there a missing service fails the test, so a CI run cannot pass by skipping."""

import functools
import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"


@functools.cache
def missing_postgres() -> str | None:
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return "needs PostgreSQL (DATABASE_URL=postgres://…)"
    return None


@functools.cache
def missing_redis() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "needs Redis (REDIS_URL=redis://…)"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping()
    except redis.RedisError as error:
        return f"needs Redis: {url} does not answer ({error})"
    return None


@functools.cache
def missing_chromium() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium, or CHROMIUM_PATH)"
    return None


@functools.cache
def missing_axe() -> str | None:
    from .a11y.axe import missing_axe as missing

    return missing()


@functools.cache
def missing_node() -> str | None:
    from .calendar_parsers.readers import missing_node as missing

    return missing()


NEEDS = {
    "postgres": (missing_postgres,),
    "redis": (missing_redis,),
    "integration": (missing_redis,),
    "browser": (missing_chromium, missing_axe),
    "node": (missing_node,),
}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def check(item: pytest.Item) -> None:
    """Skip (or in CI fail) ``item`` when a service that one of its markers names is missing."""
    reasons = []
    for marker in {mark.name for mark in item.iter_markers()} & NEEDS.keys():
        reasons.extend(reason for probe in NEEDS[marker] if (reason := probe()))
    if not reasons:
        return
    reason = "; ".join(dict.fromkeys(reasons))
    if in_ci():
        pytest.fail(f"{reason}. CI=true: a missing service fails the run instead of skipping.", pytrace=False)
    pytest.skip(reason)
