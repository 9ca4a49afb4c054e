"""The journeys' own checks can fail: at 390 px a block wider than the screen is caught (and named), a wide
table that scrolls inside its own box is not."""

import pytest

from tests.browser import ARGS, BROWSER_MARKS, CHROMIUM

from .browser import VIEWPORTS, assert_no_horizontal_overflow

pytestmark = BROWSER_MARKS

WIDE = '<!doctype html><meta name="viewport" content="width=device-width"><body>{}</body>'


def test_overflow_check_catches_a_page_wider_than_the_phone():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_context(**VIEWPORTS["phone"]).new_page()
            page.set_content(WIDE.format('<div id="wide" style="width: 600px">x</div>'))
            with pytest.raises(AssertionError, match=r"wide in a 390 px viewport.*div#wide 60\d"):
                assert_no_horizontal_overflow(page, "wide block")

            scroller = '<div style="overflow-x: auto"><table style="width: 900px"><tr><td>x</td></tr></table>'
            page.set_content(WIDE.format(scroller))
            assert_no_horizontal_overflow(page, "table in its own scrolling box")
        finally:
            browser.close()
