"""Shared set-up for Playwright tests in Debian's Chromium (headless, no network, as on this machine kind)."""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.a11y.axe import assert_accessible  # noqa: F401 (every page a browser test visits: 0 serious violations)
from tests.services import CHROMIUM  # noqa: F401 (the tests launch it)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
# Screenshots of the browser tests: $ARTIFACTS_DIR (.ci/run sets it to artifacts/screenshots in the clone and
# keeps it), else a folder in the system's temporary directory; the run's summary prints where.
ARTIFACTS = Path(os.environ.get("ARTIFACTS_DIR") or Path(tempfile.gettempdir()) / "intervisie-artifacts")

BROWSER_MARKS = [pytest.mark.browser]  # skipped without Chromium, failed in CI (tests/services.py)


@contextmanager
def phone_page(*, record_http_errors: bool = False):
    """A phone-sized page whose ``problems`` list collects console errors, page errors and (optionally)
    HTTP responses of 400 and up."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        if record_http_errors:
            page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status} {r.url}"))
        try:
            yield page
        finally:
            browser.close()
