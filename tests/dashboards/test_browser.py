"""Debian's Chromium loads the group dashboard and draws the attendance chart from the page's JSON."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.browser import ARGS, BROWSER_MARKS, CHROMIUM

pytestmark = [
    *BROWSER_MARKS,
    # Like the other browser tests: restore the migrated data afterwards and leave no duplicate rows.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1600})
        yield page
        browser.close()


def test_dashboard_draws_charts(live_server, history, world, client, browser_page):
    page = browser_page
    problems = []
    page.on(
        "console",
        lambda msg: (
            msg.type == "error" and "Failed to load resource" not in msg.text and problems.append(msg.text)
        ),
    )
    page.on(
        "response",
        lambda r: (
            r.status >= 400 and not r.url.endswith("/favicon.ico") and problems.append(f"{r.status} {r.url}")
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    client.force_login(world.facilitator, backend="django.contrib.auth.backends.ModelBackend")
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(live_server.url + reverse("dashboards:group", args=[world.group.pk]) + "?period=all")
    assert page.locator("h1").inner_text() == world.group.name, page.content()[:2000]
    page.wait_for_function(
        "document.querySelector('canvas[data-chart-source=chart-attendance]').dataset.chartReady === '4'"
    )
    drawn = page.evaluate(
        """() => {
            const canvas = document.querySelector('canvas[data-chart-source=chart-attendance]');
            const chart = Chart.getChart(canvas);
            const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) painted++; }
            return {data: chart.data.datasets[0].data, labels: chart.data.labels,
                    painted, width: canvas.width};
        }"""
    )
    assert drawn["data"] == [100, 60, 40, 60]
    assert drawn["labels"][0] == "08-12-2025"
    assert drawn["width"] > 100 and drawn["painted"] > 500  # pixels were drawn, not an empty canvas
    # The table stays in the page (collapsed) for screen readers; the legend shows the quorum line.
    assert page.locator("details[data-chart-table]").first.evaluate("d => d.open") is False
    assert page.locator("text=Cees Smit").first.is_visible()
    artifacts = Path(os.environ.get("ARTIFACTS_DIR", "artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(artifacts / "dashboard-group.png"), full_page=True)

    # The overview of all groups the facilitator guides draws its bar chart too.
    page.goto(live_server.url + reverse("dashboards:index") + "?period=all")
    page.wait_for_function(
        "document.querySelector('canvas[data-chart-source=chart-overview]').dataset.chartReady === '1'"
    )
    page.screenshot(path=str(artifacts / "dashboard-overview.png"), full_page=True)
    assert not problems, problems  # no CSP violation or script error
